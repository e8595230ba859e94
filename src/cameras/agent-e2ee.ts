// The camera agent's end-to-end mode (issue 15 §2). Before each upload the
// agent asks the server whether its camera is in end-to-end mode, and for the
// owner's public key and privacy zones. In that mode it burns the zones in
// with ffmpeg first (the server can no longer do it), then seals the clip in a
// fresh envelope (src/platform/sealed/envelope.ts), signs the plaintext hash
// and the envelope header, and seals the content key, the hash and the
// signature to the owner's key with HPKE. Only the envelope and the sealed key
// leave the device.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createHash, sign, type KeyObject } from 'node:crypto';
import type { Readable } from 'node:stream';
import { fromBase64, toBase64 } from '../platform/base64.ts';
import { envelopeSize } from '../platform/sealed/envelope.ts';
import { newEnvelope } from '../platform/sealed/envelope-seal.ts';
import { sealSecret } from '../platform/sealed/hpke.ts';
import { normaliseZones, redactFile } from '../clips/redact.ts';
import { ffmpegAvailable } from '../clips/ffmpeg.ts';
import { hashFile } from './agent-clip.ts';
import { canonicalTime, e2eeSigningPayload } from './e2ee-signature.ts';

export interface DeviceMode {
  e2ee: boolean;
  ownerKey: { keyId: string; publicKey: string } | null;
  privacyZones: unknown[];
}

/** A refusal the agent can explain: no owner key, no ffmpeg for the zones. Not worth retrying. */
export class SealRefused extends Error {}

export async function fetchMode(server: string, token: string, signal?: AbortSignal): Promise<DeviceMode> {
  const res = await fetch(new URL('/api/v1/devices/me/e2ee', server), { headers: { authorization: `Bearer ${token}` }, signal });
  if (!res.ok) throw new SealRefused(`the server answered ${res.status} when asked for the camera's mode`);
  return (await res.json()) as DeviceMode;
}

export interface SealedBody {
  headers: Record<string, string>;
  size: number;
  /** The envelope bytes, streamed from the (redacted) file. */
  open(): Readable;
  /** Removes the redacted temporary file, if one was made. */
  dispose(): Promise<void>;
  /** What the agent did to the clip, for the operator ("privacy zones burned in"). */
  notes: string[];
}

export interface SealInput {
  file: string;
  cameraId: string;
  startedAt: string;
  endedAt: string;
  kind: string;
  deviceKey: KeyObject;
  ffmpegPath: string;
}

/**
 * The Idempotency-Key of an end-to-end upload: a hash of the device's (deterministic,
 * RFC 8032) signature over the upload's fields, so it is stable across restarts
 * but, unlike a plain hash of the clip, cannot be computed from a guessed video.
 */
function sealedIdempotencyKey(key: KeyObject, f: { cameraId: string; sha256: string; startedAt: string; endedAt: string; kind: string }): string {
  const text = ['porchlight-upload-e2ee-v1', f.cameraId, f.sha256, canonicalTime(f.startedAt), canonicalTime(f.endedAt), f.kind].join('\n');
  return createHash('sha256').update(sign(null, Buffer.from(text), key)).digest('hex');
}

export async function prepareSealed(input: SealInput, mode: DeviceMode): Promise<SealedBody> {
  const ownerKey = mode.ownerKey ? fromBase64(mode.ownerKey.publicKey) : null;
  if (!mode.ownerKey || !ownerKey) throw new SealRefused("the camera is in end-to-end mode, but its owner has not set up an end-to-end key yet (Cameras → End-to-end key in the web app)");
  const notes: string[] = [];
  let file = input.file;
  let dir: string | null = null;
  const zones = normaliseZones(mode.privacyZones);
  if (zones.length > 0) {
    if (!(await ffmpegAvailable(input.ffmpegPath))) throw new SealRefused('this camera has privacy zones; in end-to-end mode the agent burns them in before sealing, and that needs ffmpeg, which is not installed here');
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'porchlight-agent-'));
    file = path.join(dir, 'redacted.mp4');
    await redactFile(input.ffmpegPath, input.file, file, zones, dir);
    notes.push(`${zones.length} privacy zone${zones.length === 1 ? '' : 's'} burned in before sealing`);
  }
  const dispose = async () => {
    if (dir) await fsp.rm(dir, { recursive: true, force: true });
  };
  notes.push(`sealed end-to-end to the owner's key ${mode.ownerKey.keyId.slice(0, 8)}: the server cannot read this clip`);
  try {
    const plainSize = (await fsp.stat(file)).size;
    const plainSha256 = await hashFile(file);
    const env = newEnvelope(plainSize);
    const headerSha256 = createHash('sha256').update(env.header).digest('hex');
    const fields = { cameraId: input.cameraId, startedAt: input.startedAt, endedAt: input.endedAt, kind: input.kind };
    const signature = sign(null, e2eeSigningPayload({ ...fields, plainSha256, headerSha256 }), input.deviceKey);
    const sealedKey = await sealSecret(ownerKey, env.header, { contentKey: env.contentKey, plainSha256: Buffer.from(plainSha256, 'hex'), signature });
    const size = envelopeSize(plainSize);
    return {
      size, notes, dispose,
      headers: {
        'content-type': 'application/octet-stream',
        'content-length': String(size),
        'idempotency-key': sealedIdempotencyKey(input.deviceKey, { ...fields, sha256: plainSha256 }),
        'x-e2ee-key-id': mode.ownerKey.keyId,
        'x-e2ee-sealed-key': toBase64(sealedKey),
      },
      open: () => fs.createReadStream(file).pipe(env.stream),
    };
  } catch (err) {
    await dispose();
    throw err;
  }
}
