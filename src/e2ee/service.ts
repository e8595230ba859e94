// End-to-end encryption use cases (issue 15): owners and agencies register the
// public half of a key pair their browser made; devices learn whether their
// camera seals clips and to which key; owners fetch their clips' sealed
// secrets to open them. Nothing here can decrypt anything: the server holds
// public keys and HPKE ciphertext only.
import type { DeviceActor, UserActor } from '../platform/access.ts';
import { requireMember } from '../platform/access.ts';
import type { AppContext } from '../platform/context.ts';
import { newId } from '../platform/crypto.ts';
import { badRequest, HttpError, notFound, orBadRequest } from '../platform/http/errors.ts';
import { toBase64 } from '../platform/base64.ts';
import { checkPublicKey } from '../platform/sealed/hpke.ts';
import { findCamera } from '../cameras/repository.ts';
import { findOwnedClip } from '../clips/repository.ts';
import { agencySubject, checkPublicKeyText, userSubject } from './policy.ts';
import * as repo from './repository.ts';

export interface KeyView {
  keyId: string;
  publicKey: string;
  createdAt: string;
}

export interface SealedKeyView {
  keyId: string;
  sealedKey: string;
  /** The envelope's header (base64), the associated data the sealed key is bound to. */
  envelopeHeader: string;
}

export const toKeyView = (k: repo.KeyRow): KeyView => ({ keyId: k.id, publicKey: k.public_key, createdAt: new Date(Number(k.created_at)).toISOString() });

export const toSealedKeyView = (k: repo.ClipKeyRow, header: Uint8Array): SealedKeyView => ({
  keyId: k.key_id, sealedKey: toBase64(new Uint8Array(k.sealed_key)), envelopeHeader: toBase64(new Uint8Array(header)),
});

export class E2eeService {
  readonly #ctx: AppContext;

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
  }

  get #db() {
    return this.#ctx.db.kysely;
  }

  /** Null, not a 404, when there is none: having no key yet is a state the page shows, not an error. */
  async #key(subject: string): Promise<KeyView | null> {
    const k = await repo.currentKey(this.#db, subject);
    return k ? toKeyView(k) : null;
  }

  async #enrol(subject: string, createdBy: string, publicKey: string): Promise<KeyView> {
    const raw = orBadRequest(checkPublicKeyText(publicKey));
    const bad = await checkPublicKey(raw);
    if (bad) throw badRequest(bad, [{ field: 'body.publicKey', message: 'not an X25519 public key' }]);
    const row = { id: newId(), subject, public_key: publicKey, created_by: createdBy, created_at: this.#ctx.clock.now(), retired_at: null };
    await this.#db.transaction().execute((tx) => repo.replaceKey(tx, row, row.created_at));
    return toKeyView(row);
  }

  myKey(actor: UserActor): Promise<KeyView | null> {
    return this.#key(userSubject(actor.userId));
  }

  /** A new key replaces the old one; clips sealed to the old key open only with the old private key. */
  enrolMyKey(actor: UserActor, publicKey: string): Promise<KeyView> {
    return this.#enrol(userSubject(actor.userId), actor.userId, publicKey);
  }

  agencyKey(actor: UserActor, agencyId: string): Promise<KeyView | null> {
    requireMember(actor, agencyId);
    return this.#key(agencySubject(agencyId));
  }

  enrolAgencyKey(actor: UserActor, agencyId: string, publicKey: string): Promise<KeyView> {
    requireMember(actor, agencyId);
    return this.#enrol(agencySubject(agencyId), actor.userId, publicKey);
  }

  /** An agency's current public key, for an owner about to re-wrap a clip for it. */
  async agencyPublicKey(agencyId: string): Promise<KeyView | null> {
    const k = await repo.currentKey(this.#db, agencySubject(agencyId));
    return k ? toKeyView(k) : null;
  }

  /** What a camera agent needs before it uploads: the mode, the owner's key, and the zones to burn in. */
  async forDevice(actor: DeviceActor): Promise<{ e2ee: boolean; ownerKey: KeyView | null; privacyZones: unknown[] }> {
    const camera = await findCamera(this.#db, actor.cameraId);
    if (!camera) throw notFound('this camera was removed');
    const key = await repo.currentKey(this.#db, userSubject(camera.owner_id));
    const zones: unknown = JSON.parse(camera.privacy_zones);
    return { e2ee: camera.e2ee === 1, ownerKey: key ? toKeyView(key) : null, privacyZones: Array.isArray(zones) ? zones : [] };
  }

  /** The owner's sealed secret of one of their end-to-end clips. */
  async ownerSealedKey(actor: UserActor, clipId: string): Promise<SealedKeyView> {
    const clip = await findOwnedClip(this.#db, actor.userId, clipId);
    if (!clip) throw notFound('no such clip');
    if (!clip.e2ee || !clip.envelope_header) throw new HttpError(409, 'this clip is not end-to-end encrypted; play it directly');
    const k = await repo.clipKeyFor(this.#db, clip.id, 'owner');
    if (!k) throw new HttpError(410, 'the sealed key of this clip is gone (the clip was deleted)');
    return toSealedKeyView(k, clip.envelope_header);
  }
}
