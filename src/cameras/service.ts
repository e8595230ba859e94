// Camera use cases: registration, settings and privacy zones, device enrolment,
// device tokens. Each method takes the actor first and owns its transaction.
//
// Another owner's camera answers 404, exactly like a camera that does not
// exist, so ids cannot be probed for existence.
import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Updateable } from 'kysely';
import type { Actor, DeviceActor, UserActor } from '../platform/access.ts';
import type { AppContext } from '../platform/context.ts';
import type { Db, DbHandle } from '../platform/db/db.ts';
import type { CamerasTable } from '../platform/db/tables/cameras.ts';
import { hashToken, newId, randomToken } from '../platform/crypto.ts';
import { HttpError, badRequest, conflict, forbidden, notFound, unauthorized } from '../platform/http/errors.ts';
import {
  CAMERA_KINDS, ENROLMENT, checkFov, checkHeading, checkLocation, checkName, checkPrivacyZones, enrolmentRefusal,
  formatEnrolmentCode, isCameraKind, normaliseEnrolmentCode, type CameraKind, type PrivacyZone,
} from './policy.ts';
import * as repo from './repository.ts';
import { normaliseDevicePublicKey } from './signature.ts';
import type { FieldProblem } from '../platform/problems.ts';

export const DEVICE_TOKEN_PREFIX = 'pld_';

export interface CameraInput {
  name: string;
  location: { lat: number; lon: number };
  kind: CameraKind;
  heading?: number | null;
  fovDegrees?: number | null;
  communityRequests?: boolean;
  e2ee?: boolean;
  privacyZones?: unknown;
}

export type CameraPatch = Partial<CameraInput>;

export interface CameraView {
  id: string;
  name: string;
  location: { lat: number; lon: number };
  heading: number | null;
  fovDegrees: number | null;
  kind: CameraKind;
  communityRequests: boolean;
  e2ee: boolean;
  privacyZones: PrivacyZone[];
  device: { enrolled: boolean; publicKey: string | null };
  createdAt: string;
}

/** Stored zones were validated on the way in; a row that somehow is not JSON reads as no zones. */
export function parseStoredZones(json: string): PrivacyZone[] {
  try {
    const v: unknown = JSON.parse(json);
    const checked = checkPrivacyZones(v);
    return 'value' in checked ? checked.value : [];
  } catch {
    return [];
  }
}

export function toCameraView(c: repo.CameraRow): CameraView {
  return {
    id: c.id,
    name: c.name,
    location: { lat: c.lat, lon: c.lon },
    heading: c.heading,
    fovDegrees: c.fov_degrees,
    kind: c.kind,
    communityRequests: c.community_requests === 1,
    e2ee: c.e2ee === 1,
    privacyZones: parseStoredZones(c.privacy_zones),
    device: { enrolled: c.device_public_key !== null, publicKey: c.device_public_key },
    createdAt: new Date(c.created_at).toISOString(),
  };
}

function refuse(problems: FieldProblem[]): never {
  const errors = problems.map((p) => ({ field: `body.${p.field}`, message: p.message }));
  throw badRequest(errors.map((e) => `${e.field} ${e.message}`).join('; '), errors);
}

/** Checks every field present and returns the columns to write. */
function columnsFor(input: CameraPatch, zonesField = 'privacyZones'): Updateable<CamerasTable> {
  const problems: FieldProblem[] = [];
  const cols: Updateable<CamerasTable> = {};
  if (input.name !== undefined) {
    const r = checkName(input.name);
    if ('value' in r) cols.name = r.value;
    else problems.push(r);
  }
  if (input.location !== undefined) {
    problems.push(...checkLocation(input.location.lat, input.location.lon));
    cols.lat = input.location.lat;
    cols.lon = input.location.lon;
  }
  if (input.heading !== undefined) {
    problems.push(...checkHeading(input.heading));
    cols.heading = input.heading;
  }
  if (input.fovDegrees !== undefined) {
    problems.push(...checkFov(input.fovDegrees));
    cols.fov_degrees = input.fovDegrees;
  }
  if (input.kind !== undefined) {
    if (isCameraKind(input.kind)) cols.kind = input.kind;
    else problems.push({ field: 'kind', message: `must be one of ${CAMERA_KINDS.join(', ')}` });
  }
  if (input.communityRequests !== undefined) cols.community_requests = input.communityRequests ? 1 : 0;
  if (input.e2ee !== undefined) cols.e2ee = input.e2ee ? 1 : 0;
  if (input.privacyZones !== undefined) {
    const r = checkPrivacyZones(input.privacyZones, zonesField);
    if ('value' in r) cols.privacy_zones = JSON.stringify(r.value);
    else problems.push(...r.problems);
  }
  if (problems.length) refuse(problems);
  return cols;
}

/**
 * Resolves a "pld_" bearer token to the device it was issued to, or null when
 * it is unknown or revoked. Exported for the auth hook (keyed by prefix).
 */
export async function resolveDeviceToken(db: Db | DbHandle, token: string): Promise<DeviceActor | null> {
  if (!token.startsWith(DEVICE_TOKEN_PREFIX) || token.length > 200) return null;
  const k = 'kysely' in db ? db.kysely : db;
  const row = await repo.findLiveDeviceToken(k, hashToken(token));
  return row ? { kind: 'device', cameraId: row.cameraId, ownerId: row.ownerId, tokenId: row.tokenId } : null;
}

export class CamerasService {
  readonly #ctx: AppContext;

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
  }

  get #db() {
    return this.#ctx.db.kysely;
  }

  /** For installAuth: device tokens are accepted only as bearer tokens, never from a cookie. */
  resolveDevice = async (token: string, _req: FastifyRequest, via: 'cookie' | 'bearer'): Promise<DeviceActor | null> =>
    via === 'bearer' ? resolveDeviceToken(this.#db, token) : null;

  async #owned(actor: UserActor, id: string, db: DbHandle = this.#db): Promise<repo.CameraRow> {
    const cam = await repo.findOwnedCamera(db, actor.userId, id);
    if (!cam) throw notFound('no such camera');
    return cam;
  }

  async create(actor: UserActor, input: CameraInput): Promise<CameraView> {
    const cols = columnsFor(input);
    const row = await repo.insertCamera(this.#db, {
      id: newId(),
      owner_id: actor.userId,
      name: cols.name as string,
      lat: cols.lat as number,
      lon: cols.lon as number,
      heading: cols.heading ?? null,
      fov_degrees: cols.fov_degrees ?? null,
      kind: input.kind,
      community_requests: input.communityRequests === false ? 0 : 1,
      e2ee: input.e2ee ? 1 : 0,
      privacy_zones: cols.privacy_zones ?? '[]',
      device_public_key: null,
      created_at: this.#ctx.clock.now(),
    });
    return toCameraView(row);
  }

  async list(actor: UserActor): Promise<CameraView[]> {
    return (await repo.listCamerasByOwner(this.#db, actor.userId)).map(toCameraView);
  }

  async get(actor: UserActor, id: string): Promise<CameraView> {
    return toCameraView(await this.#owned(actor, id));
  }

  async update(actor: UserActor, id: string, patch: CameraPatch): Promise<CameraView> {
    const cols = columnsFor(patch);
    return this.#ctx.db.kysely.transaction().execute(async (tx) => {
      await this.#owned(actor, id, tx);
      const row = await repo.updateCamera(tx, id, cols);
      if (!row) throw notFound('no such camera');
      return toCameraView(row);
    });
  }

  async setPrivacyZones(actor: UserActor, id: string, zones: unknown): Promise<CameraView> {
    const cols = columnsFor({ privacyZones: zones }, 'zones');
    return this.#ctx.db.kysely.transaction().execute(async (tx) => {
      await this.#owned(actor, id, tx);
      return toCameraView((await repo.updateCamera(tx, id, cols))!);
    });
  }

  /**
   * Removes a camera: it leaves the owner's list, its device token and any
   * enrolment code stop working, and it takes no more clips. Its row is then
   * deleted unless clips (or their tombstones) still name it, in which case it
   * stays, marked removed, because their signatures, warrant scopes and
   * privacy zones refer to it.
   */
  async remove(actor: UserActor, id: string): Promise<void> {
    const now = this.#ctx.clock.now();
    await this.#ctx.db.kysely.transaction().execute(async (tx) => {
      await this.#owned(actor, id, tx);
      await repo.revokeDeviceTokens(tx, id, now);
      await repo.closeOpenEnrolments(tx, id, now);
      await repo.markCameraRemoved(tx, id, now);
    });
    try {
      // Its own statement, after the commit: on PostgreSQL a refused statement
      // would abort the transaction around it.
      await repo.deleteRemovedCamera(this.#db, id);
    } catch (err) {
      if (!isForeignKeyViolation(err)) throw err;
    }
  }

  /** A one-time code the owner types into the camera. Making a new one ends any earlier unused one. */
  async createEnrolmentCode(actor: UserActor, id: string): Promise<{ code: string; expiresAt: string }> {
    const code = formatEnrolmentCode(randomBytes(8));
    const now = this.#ctx.clock.now();
    const expiresAt = now + ENROLMENT.ttlMs;
    await this.#ctx.db.kysely.transaction().execute(async (tx) => {
      await this.#owned(actor, id, tx);
      await repo.closeOpenEnrolments(tx, id, now);
      await repo.insertEnrolment(tx, { id: newId(), camera_id: id, code_hash: hashToken(normaliseEnrolmentCode(code)!), created_at: now, expires_at: expiresAt, used_at: null });
    });
    return { code, expiresAt: new Date(expiresAt).toISOString() };
  }

  /**
   * The device's side (a public route): exchanges a code for a token and
   * registers the device key. Enrolling replaces the camera's earlier device:
   * its tokens are revoked and the new key takes over.
   */
  async enrol(input: { code: string; publicKey: string }): Promise<{ cameraId: string; token: string }> {
    const publicKey = normaliseDevicePublicKey(input.publicKey);
    if (!publicKey) throw badRequest('publicKey must be the base64 of a raw 32-byte Ed25519 public key', [{ field: 'body.publicKey', message: 'not an Ed25519 public key' }]);
    const code = normaliseEnrolmentCode(input.code);
    if (!code) throw new HttpError(401, enrolmentRefusal(undefined, 0));
    const codeHash = hashToken(code);
    const now = this.#ctx.clock.now();
    const token = randomToken(DEVICE_TOKEN_PREFIX);
    const cameraId = await this.#ctx.db.kysely.transaction().execute(async (tx) => {
      const cameraId = await repo.redeemEnrolment(tx, codeHash, now);
      if (!cameraId) return null;
      await repo.revokeDeviceTokens(tx, cameraId, now);
      await repo.updateCamera(tx, cameraId, { device_public_key: publicKey });
      await repo.insertDeviceToken(tx, { id: newId(), camera_id: cameraId, token_hash: hashToken(token), created_at: now, revoked_at: null });
      return cameraId;
    });
    if (!cameraId) throw new HttpError(401, enrolmentRefusal(await repo.findEnrolmentByHash(this.#db, codeHash), now));
    return { cameraId, token };
  }

  /** Issues a new token for the enrolled device and revokes the old ones; the key stays. */
  async rotateDeviceToken(actor: UserActor, id: string): Promise<{ cameraId: string; token: string }> {
    const token = randomToken(DEVICE_TOKEN_PREFIX);
    const now = this.#ctx.clock.now();
    await this.#ctx.db.kysely.transaction().execute(async (tx) => {
      const cam = await this.#owned(actor, id, tx);
      if (!cam.device_public_key) throw conflict('no device is enrolled on this camera; create an enrolment code');
      await repo.revokeDeviceTokens(tx, id, now);
      await repo.insertDeviceToken(tx, { id: newId(), camera_id: id, token_hash: hashToken(token), created_at: now, revoked_at: null });
    });
    return { cameraId: id, token };
  }

  /**
   * The device replaces its own token (the camera agent's rotate-token): the
   * calling token is revoked in the same transaction as the new one is made.
   */
  async rotateOwnToken(actor: Actor): Promise<{ cameraId: string; token: string }> {
    if (actor.kind !== 'device') throw forbidden('only a device token can rotate itself');
    const token = randomToken(DEVICE_TOKEN_PREFIX);
    const now = this.#ctx.clock.now();
    await this.#ctx.db.kysely.transaction().execute(async (tx) => {
      // Revoking first and counting makes two concurrent rotations with one token yield one new token.
      if ((await repo.revokeDeviceToken(tx, actor.tokenId, now)) === 0) throw unauthorized('this device token was revoked');
      await repo.insertDeviceToken(tx, { id: newId(), camera_id: actor.cameraId, token_hash: hashToken(token), created_at: now, revoked_at: null });
    });
    return { cameraId: actor.cameraId, token };
  }

  /** Revokes the device's tokens; the device can upload nothing until it enrols again. */
  async revokeDeviceTokens(actor: UserActor, id: string): Promise<void> {
    const now = this.#ctx.clock.now();
    await this.#ctx.db.kysely.transaction().execute(async (tx) => {
      await this.#owned(actor, id, tx);
      await repo.revokeDeviceTokens(tx, id, now);
    });
  }

  /** The enrolled device's own camera (for a device checking its enrolment). */
  async deviceCamera(actor: Actor): Promise<CameraView> {
    if (actor.kind !== 'device') throw forbidden('only a device token can ask for its camera');
    const cam = await repo.findCamera(this.#db, actor.cameraId);
    if (!cam) throw unauthorized('this device token has no camera');
    return toCameraView(cam);
  }
}

/** SQLite says "FOREIGN KEY constraint failed"; PostgreSQL uses SQLSTATE 23503. */
function isForeignKeyViolation(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { code?: unknown; errcode?: unknown; message?: unknown };
  return e.code === '23503' || e.errcode === 787 || (typeof e.message === 'string' && e.message.includes('FOREIGN KEY constraint failed'));
}
