// Shared set-up for the clip HTTP tests: a resident with a camera and an
// enrolled device (real enrolment through the cameras routes), and uploads
// signed the way the camera agent signs them.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { as, createResident, fixturePath, type TestApp, type TestUser } from '../helpers/app.ts';
import { clipSigningPayload, exportDevicePublicKey, signClipPayload } from '../../src/cameras/signature.ts';
import os from 'node:os';
import { buffer } from 'node:stream/consumers';
import { prepareSealed } from '../../src/cameras/agent-e2ee.ts';
import { generateRawKeyPair, importKeyPair, type RawKeyPair } from '../../src/platform/sealed/hpke.ts';
import { bucketKeys, bucketObject } from '../helpers/s3.ts';

export interface Device {
  cameraId: string;
  token: string;
  key: KeyObject;
}

export interface Owner extends TestUser {
  cameraId: string;
  device: Device;
}

export const fixture = (name: string) => fs.readFileSync(fixturePath(name));
export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let clipCounter = 0;
/**
 * A fixture with bytes no other call returns: a top-level MP4 `free` box
 * (size u32 BE, 'free', payload; ISO/IEC 14496-12 §8.1.2) carrying a counter
 * is appended, so it still passes the MP4 check but is not a duplicate upload.
 * Tests that mean two clips upload two of these, not one fixture twice.
 */
export function uniqueClip(name = 'clip.mp4'): Buffer {
  const payload = Buffer.from(`test clip ${++clipCounter} ${process.pid}`);
  const box = Buffer.alloc(8 + payload.length);
  box.writeUInt32BE(box.length, 0);
  box.write('free', 4, 'latin1');
  payload.copy(box, 8);
  return Buffer.concat([fixture(name), box]);
}

export async function newCamera(t: TestApp, user: TestUser, extra: object = {}): Promise<string> {
  const res = await as(t, user, { method: 'POST', url: '/api/v1/cameras', payload: { name: 'Porch', location: { lat: 45.52, lon: -122.67 }, kind: 'doorbell', ...extra } });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().id;
}

export async function enrolDevice(t: TestApp, user: TestUser, cameraId: string): Promise<Device> {
  const code = await as(t, user, { method: 'POST', url: `/api/v1/cameras/${cameraId}/enrolment-code` });
  assert.equal(code.statusCode, 201, code.body);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/devices/enroll', payload: { code: code.json().code, publicKey: exportDevicePublicKey(publicKey) } });
  assert.equal(res.statusCode, 201, res.body);
  return { cameraId, token: res.json().token, key: privateKey };
}

export async function newOwner(t: TestApp, cameraExtra: object = {}): Promise<Owner> {
  const user = await createResident(t);
  const cameraId = await newCamera(t, user, cameraExtra);
  return { ...user, cameraId, device: await enrolDevice(t, user, cameraId) };
}

export interface UploadOpts {
  /** Defaults to uniqueClip(), a new clip each call. */
  body?: Buffer;
  cameraId?: string;
  startedAt?: string;
  endedAt?: string;
  kind?: string;
  idempotencyKey?: string;
  /** Overrides the computed signature; null sends none. */
  signature?: string | null;
  contentType?: string;
  headers?: Record<string, string>;
}

/** Times relative to the test clock. */
export function times(t: TestApp, startAgoMs = 60_000, lengthMs = 10_000) {
  const start = t.clock.now() - startAgoMs;
  return { startedAt: new Date(start).toISOString(), endedAt: new Date(start + lengthMs).toISOString() };
}

/** POST /api/v1/clips as a device (signed) or, with `as: user`, as the owner. */
export function upload(t: TestApp, who: { device: Device } | { user: TestUser }, o: UploadOpts = {}): Promise<LightMyRequestResponse> {
  // Distinct bytes by default: the same bytes twice on one camera are one clip (a duplicate upload).
  const body = o.body ?? uniqueClip();
  const tm = times(t);
  const cameraId = o.cameraId ?? ('device' in who ? who.device.cameraId : '');
  const startedAt = o.startedAt ?? tm.startedAt;
  const endedAt = o.endedAt ?? tm.endedAt;
  const kind = o.kind ?? 'motion';
  const headers: Record<string, string> = { 'content-type': o.contentType ?? 'video/mp4', ...(o.headers ?? {}) };
  if (o.idempotencyKey) headers['idempotency-key'] = o.idempotencyKey;
  if ('device' in who) {
    headers.authorization = `Bearer ${who.device.token}`;
    let sig: string | null | undefined = o.signature;
    if (sig === undefined) {
      try {
        sig = signClipPayload(who.device.key, clipSigningPayload({ cameraId, sha256: sha256(body), startedAt, endedAt, kind }));
      } catch {
        sig = 'AAAA';
      }
    }
    if (sig !== null) headers['x-device-signature'] = sig;
  } else {
    headers.authorization = who.user.auth.authorization;
  }
  const qs = new URLSearchParams({ cameraId, startedAt, endedAt, kind });
  return t.app.inject({ method: 'POST', url: `/api/v1/clips?${qs}`, headers, payload: body });
}

/** Files under DATA_DIR/blobs and DATA_DIR/tmp: what an upload left on disk. */
export async function storedFiles(t: TestApp): Promise<{ blobs: string[]; temp: string[] }> {
  const list = async (dir: string) => {
    try {
      return (await fsp.readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
    } catch {
      return [];
    }
  };
  const temp = await list(path.join(t.dataDir, 'tmp'));
  if (t.ctx.blobs.kind === 's3') return { blobs: await bucketKeys(t.config, 'clips'), temp };
  return { blobs: await list(path.join(t.dataDir, 'blobs')), temp };
}

/** The bytes at rest of a blob from storedFiles. */
export async function storedBytes(t: TestApp, file: string): Promise<Buffer> {
  return file.startsWith('s3:/') ? bucketObject(t.config, 'clips', file) : fsp.readFile(file);
}

/** An owner's end-to-end key pair, made as the browser makes it, with its public half registered. */
export interface OwnerKey {
  keyId: string;
  raw: RawKeyPair;
  pair: CryptoKeyPair;
}

export async function enrolOwnerKey(t: TestApp, user: TestUser, url = '/api/v1/me/e2ee-key'): Promise<OwnerKey> {
  const raw = await generateRawKeyPair();
  const res = await as(t, user, { method: 'PUT', url, payload: { publicKey: Buffer.from(raw.publicKey).toString('base64') } });
  assert.equal(res.statusCode, 200, res.body);
  return { keyId: res.json().keyId, raw, pair: await importKeyPair(raw) };
}

/**
 * An end-to-end upload exactly as the camera agent makes it (agent-e2ee.ts
 * prepareSealed: envelope, signature, HPKE-sealed secret), as the device or as
 * the owner by hand. Returns the answer and the envelope bytes sent.
 */
export async function uploadSealed(t: TestApp, who: { device: Device } | { user: TestUser }, key: Pick<OwnerKey, 'keyId' | 'raw'>, o: UploadOpts & { cameraId: string; headersOver?: Record<string, string | undefined> }): Promise<{ res: LightMyRequestResponse; envelope: Buffer }> {
  const plain = o.body ?? fixture('clip.mp4');
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'pl-seal-'));
  try {
    const file = path.join(dir, 'clip.mp4');
    await fsp.writeFile(file, plain);
    const tm = times(t);
    const fields = { cameraId: o.cameraId, startedAt: o.startedAt ?? tm.startedAt, endedAt: o.endedAt ?? tm.endedAt, kind: o.kind ?? 'motion' };
    const deviceKey = 'device' in who ? who.device.key : generateKeyPairSync('ed25519').privateKey;
    const sealed = await prepareSealed({ file, ...fields, deviceKey, ffmpegPath: 'ffmpeg' }, { e2ee: true, ownerKey: { keyId: key.keyId, publicKey: Buffer.from(key.raw.publicKey).toString('base64') }, privacyZones: [] });
    const envelope = await buffer(sealed.open());
    const headers: Record<string, string> = { ...sealed.headers, authorization: 'device' in who ? `Bearer ${who.device.token}` : who.user.auth.authorization };
    for (const [k, v] of Object.entries(o.headersOver ?? {})) {
      if (v === undefined) delete headers[k];
      else headers[k] = v;
    }
    delete headers['content-length'];
    const qs = new URLSearchParams(fields);
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/clips?${qs}`, headers, payload: envelope });
    return { res, envelope };
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}
