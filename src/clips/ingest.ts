// The upload use case (issue 3 §2): authorise the camera, check the metadata,
// spool while hashing and encrypting, check the MP4 and the device signature,
// move the blob into place, and commit the row last. A failure at any step
// leaves nothing visible: the spool is removed, a moved blob is removed, and
// anything a crash leaves behind is swept at the next start.
import type { Readable } from 'node:stream';
import type { DeviceActor, UserActor } from '../platform/access.ts';
import type { AppContext } from '../platform/context.ts';
import { newId } from '../platform/crypto.ts';
import { badRequest, forbidden, HttpError, notFound, orBadRequest } from '../platform/http/errors.ts';
import { findCamera } from '../cameras/repository.ts';
import { clipSigningPayload, verifyClipSignature } from '../cameras/signature.ts';
import { checkMp4 } from './mp4.ts';
import { checkUploadTimes, type ClipKind } from './policy.ts';
import * as repo from './repository.ts';
import { UploadTooLarge, type Vault } from '../platform/sealed/vault.ts';
import { checkEnvelope, ENVELOPE_HEADER_SIZE, EnvelopeError, type EnvelopeHeader } from '../platform/sealed/envelope.ts';
import { toHex } from '../ledger/bytes.ts';
import { checkRecipientKey, checkSealedKeyText, userSubject } from '../e2ee/policy.ts';
import { currentKey, insertClipKey } from '../e2ee/repository.ts';

export interface UploadInput {
  cameraId: string;
  startedAt: string;
  endedAt: string;
  kind: ClipKind;
  idempotencyKey?: string;
  /** X-Device-Signature (base64 Ed25519), required from devices. */
  signature?: string;
  contentLength?: number;
  /** End-to-end cameras: X-E2EE-Key-Id and X-E2EE-Sealed-Key, the clip secret sealed to the owner's key. */
  sealed?: { keyId?: string; sealedKey?: string };
  body: Readable;
}

export interface UploadResult {
  id: string;
  sha256: string;
  /** True when an earlier upload with the same Idempotency-Key made this clip. */
  replayed: boolean;
  /** True when the camera already held a live clip with these exact bytes, which is answered instead of a new one. */
  duplicate: boolean;
  row?: repo.ClipRow;
}

export const blobKeyFor = (id: string) => `clips/${id.slice(0, 2)}/${id}`;
export const thumbnailKeyFor = (id: string) => `thumbs/${id.slice(0, 2)}/${id}`;

export async function ingest(ctx: AppContext, vault: Vault, actor: UserActor | DeviceActor, input: UploadInput): Promise<UploadResult> {
  const db = ctx.db.kysely;
  const max = ctx.config.MAX_UPLOAD_BYTES;

  // Who is uploading, for which camera. Another owner's camera looks absent (404);
  // a device may upload only for its own camera (403).
  const camera = await findCamera(db, input.cameraId);
  let ownerId: string;
  if (actor.kind === 'device') {
    if (actor.cameraId !== input.cameraId) throw forbidden("this device token belongs to another camera");
    ownerId = actor.ownerId;
  } else {
    ownerId = actor.userId;
  }
  if (!camera || camera.owner_id !== ownerId) throw notFound('no such camera');
  if (actor.kind === 'device' && !camera.device_public_key) throw new HttpError(422, 'the camera has no registered device key');
  // End-to-end cameras carry the device signature inside the sealed secret (src/platform/sealed/hpke.ts).
  if (actor.kind === 'device' && !camera.e2ee && !input.signature) throw badRequest('a device upload needs the X-Device-Signature header', [{ field: 'headers.x-device-signature', message: 'required' }]);
  const sealed = camera.e2ee ? await checkSealed(db, ownerId, input.sealed) : undefined;
  if (!camera.e2ee && (input.sealed?.keyId || input.sealed?.sealedKey)) throw badRequest('this camera is not in end-to-end mode: send the MP4 itself, without a sealed key', [{ field: 'headers.x-e2ee-sealed-key', message: 'not expected' }]);
  const times = orBadRequest(checkUploadTimes(input.startedAt, input.endedAt, ctx.clock.now()));

  if (input.idempotencyKey) {
    const earlier = await repo.findByIdempotencyKey(db, ownerId, camera.id, input.idempotencyKey);
    if (earlier) {
      if (earlier.deleted_at !== null) throw new HttpError(410, 'the clip this Idempotency-Key made has been deleted');
      return { id: earlier.id, sha256: earlier.sha256, replayed: true, duplicate: false };
    }
  }
  if (input.contentLength !== undefined && input.contentLength > max) throw new UploadTooLarge(max);

  const id = newId();
  const spool = await vault.spool(id, input.body, max);
  let committed = false;
  const blobKey = blobKeyFor(id);
  try {
    if (spool.size === 0) throw badRequest('the body is empty; send the MP4 bytes');
    let durationMs: number | null = null;
    // An end-to-end camera sends an envelope the server cannot read (PRODUCT.md principle 5): only its structure is checked.
    const envelope = camera.e2ee ? await envelopeOf(vault, spool, db) : undefined;
    if (!camera.e2ee) {
      const verdict = await vault.withSpoolSource(spool, checkMp4);
      if (!verdict.ok) throw new HttpError(verdict.status, verdict.reason);
      durationMs = verdict.durationMs;
    }
    let signed = 0;
    if (actor.kind === 'device' && !camera.e2ee) {
      const payload = clipSigningPayload({ cameraId: camera.id, sha256: spool.sha256, startedAt: times.startedAt, endedAt: times.endedAt, kind: input.kind });
      if (!verifyClipSignature(camera.device_public_key, payload, input.signature)) throw new HttpError(422, 'the device signature does not verify for these bytes and metadata');
      signed = 1;
    }
    // The same bytes again on the same camera answer with the clip already there.
    // Checked only after the MP4 and signature checks, so a device token cannot
    // probe whether its camera holds a given video. End-to-end envelopes are not
    // compared: each has its own hash, and a replayed one is refused (409) above.
    // The index behind this is not unique (databases from before it may hold
    // duplicates), so two identical uploads at the very same moment can both
    // become clips; that costs a second copy, not a wrong answer.
    const same = camera.e2ee ? undefined : await repo.findLiveBySha256(db, ownerId, camera.id, spool.sha256);
    if (same) {
      await vault.discard(spool);
      return { id: same.id, sha256: same.sha256, replayed: false, duplicate: true };
    }
    await vault.commit(spool, blobKey);
    committed = true;
    const row: repo.ClipRow = {
      id,
      owner_id: ownerId,
      camera_id: camera.id,
      sha256: spool.sha256,
      size: spool.size,
      started_at: times.startedAt,
      ended_at: times.endedAt,
      kind: input.kind,
      signed,
      device_signature: signed ? input.signature! : null,
      // An end-to-end clip's signature is sealed; the owner checks it against this key once opened.
      device_public_key: signed || (envelope && actor.kind === 'device') ? camera.device_public_key : null,
      e2ee: camera.e2ee ? 1 : 0,
      duration_ms: durationMs,
      envelope_id: envelope ? toHex(envelope.envelopeId) : null,
      envelope_header: envelope ? Buffer.from(envelope.bytes) : null,
      wrapped_key: vault.wrap(spool.dataKey, id),
      blob_key: blobKey,
      thumbnail_key: null,
      idempotency_key: input.idempotencyKey ?? null,
      created_at: ctx.clock.now(),
      deleted_at: null,
    };
    try {
      await db.transaction().execute(async (tx) => {
        await repo.insertClip(tx, row);
        if (sealed) await insertClipKey(tx, { id: newId(), clip_id: id, key_id: sealed.keyId, recipient: 'owner', sealed_key: Buffer.from(sealed.sealedKey), disclosure_id: null, created_at: row.created_at });
      });
    } catch (err) {
      // Two uploads raced with one Idempotency-Key: the first row wins, this blob goes.
      const winner = input.idempotencyKey ? await repo.findByIdempotencyKey(db, ownerId, camera.id, input.idempotencyKey) : undefined;
      await vault.blobs.delete(blobKey);
      if (winner && winner.deleted_at === null) return { id: winner.id, sha256: winner.sha256, replayed: true, duplicate: false };
      if (envelope && (await repo.findByEnvelopeId(db, row.envelope_id!))) throw replayedEnvelope();
      throw err;
    }
    return { id, sha256: spool.sha256, replayed: false, duplicate: false, row };
  } catch (err) {
    if (committed) await vault.blobs.delete(blobKey).catch(() => {});
    else await vault.discard(spool);
    throw err;
  }
}

const replayedEnvelope = () => new HttpError(409, 'this envelope was uploaded already: an upload is accepted once, and a replay of it is refused');

/** The sealed key an end-to-end upload must bring, checked before a byte is spooled. */
async function checkSealed(db: AppContext['db']['kysely'], ownerId: string, offered: UploadInput['sealed']): Promise<{ keyId: string; sealedKey: Uint8Array }> {
  if (!offered?.keyId || !offered.sealedKey) {
    throw badRequest('this camera is in end-to-end mode: its agent seals each clip and sends X-E2EE-Key-Id and X-E2EE-Sealed-Key', [{ field: 'headers.x-e2ee-sealed-key', message: 'required' }]);
  }
  const sealedKey = orBadRequest(checkSealedKeyText(offered.sealedKey, 'headers.x-e2ee-sealed-key'));
  const keyId = orBadRequest(checkRecipientKey(offered.keyId, await currentKey(db, userSubject(ownerId)), "the camera's owner"));
  return { keyId, sealedKey };
}

/** The envelope's structure (header, size, chunk count), and that it was not uploaded before. */
async function envelopeOf(vault: Vault, spool: Awaited<ReturnType<Vault['spool']>>, db: AppContext['db']['kysely']): Promise<EnvelopeHeader> {
  const head = await vault.withSpoolSource(spool, (src) => src.read(0, Math.min(ENVELOPE_HEADER_SIZE, spool.size)));
  let env: EnvelopeHeader;
  try {
    env = checkEnvelope(head, spool.size);
  } catch (err) {
    if (!(err instanceof EnvelopeError)) throw err;
    const plainMp4 = /plain MP4/.test(err.message);
    throw new HttpError(plainMp4 ? 415 : 422, `${err.message}; an end-to-end camera uploads only a sealed envelope`);
  }
  if (env.plainSize === 0) throw badRequest('the envelope holds an empty clip');
  if (await repo.findByEnvelopeId(db, toHex(env.envelopeId))) throw replayedEnvelope();
  return env;
}
