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

export interface UploadInput {
  cameraId: string;
  startedAt: string;
  endedAt: string;
  kind: ClipKind;
  idempotencyKey?: string;
  /** X-Device-Signature (base64 Ed25519), required from devices. */
  signature?: string;
  contentLength?: number;
  body: Readable;
}

export interface UploadResult {
  id: string;
  sha256: string;
  /** True when an earlier upload with the same Idempotency-Key made this clip. */
  replayed: boolean;
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
    if (!input.signature) throw badRequest('a device upload needs the X-Device-Signature header', [{ field: 'headers.x-device-signature', message: 'required' }]);
    ownerId = actor.ownerId;
  } else {
    ownerId = actor.userId;
  }
  if (!camera || camera.owner_id !== ownerId) throw notFound('no such camera');
  if (actor.kind === 'device' && !camera.device_public_key) throw new HttpError(422, 'the camera has no registered device key');
  const times = orBadRequest(checkUploadTimes(input.startedAt, input.endedAt, ctx.clock.now()));

  if (input.idempotencyKey) {
    const earlier = await repo.findByIdempotencyKey(db, ownerId, camera.id, input.idempotencyKey);
    if (earlier) {
      if (earlier.deleted_at !== null) throw new HttpError(410, 'the clip this Idempotency-Key made has been deleted');
      return { id: earlier.id, sha256: earlier.sha256, replayed: true };
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
    // An end-to-end encrypted camera sends ciphertext the server cannot parse (PRODUCT.md principle 5).
    if (!camera.e2ee) {
      const verdict = await vault.withSpoolSource(spool, checkMp4);
      if (!verdict.ok) throw new HttpError(verdict.status, verdict.reason);
      durationMs = verdict.durationMs;
    }
    let signed = 0;
    if (actor.kind === 'device') {
      const payload = clipSigningPayload({ cameraId: camera.id, sha256: spool.sha256, startedAt: times.startedAt, endedAt: times.endedAt, kind: input.kind });
      if (!verifyClipSignature(camera.device_public_key, payload, input.signature)) throw new HttpError(422, 'the device signature does not verify for these bytes and metadata');
      signed = 1;
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
      device_public_key: signed ? camera.device_public_key : null,
      e2ee: camera.e2ee ? 1 : 0,
      duration_ms: durationMs,
      wrapped_key: vault.wrap(spool.dataKey, id),
      blob_key: blobKey,
      thumbnail_key: null,
      idempotency_key: input.idempotencyKey ?? null,
      created_at: ctx.clock.now(),
      deleted_at: null,
    };
    try {
      await repo.insertClip(db, row);
    } catch (err) {
      // Two uploads raced with one Idempotency-Key: the first row wins, this blob goes.
      const winner = input.idempotencyKey ? await repo.findByIdempotencyKey(db, ownerId, camera.id, input.idempotencyKey) : undefined;
      await vault.blobs.delete(blobKey);
      if (winner && winner.deleted_at === null) return { id: winner.id, sha256: winner.sha256, replayed: true };
      throw err;
    }
    return { id, sha256: spool.sha256, replayed: false, row };
  } catch (err) {
    if (committed) await vault.blobs.delete(blobKey).catch(() => {});
    else await vault.discard(spool);
    throw err;
  }
}
