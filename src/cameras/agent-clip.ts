// What the camera agent knows about a clip file before sending it: its SHA-256,
// its start and end times, and the Idempotency-Key derived from them.
//
// Times come, in order of preference, from a sidecar "<clip>.json" the
// recorder wrote ({ startedAt, endedAt, kind }), from the MP4's movie header
// (ISO/IEC 14496-12 §8.2.2 'mvhd': creation time and duration), or from the
// file's modification time minus its duration. All three are fixed once the
// file is complete, so the key derived from them is the same after a restart.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { canonicalTime } from './signature.ts';

export const CLIP_KINDS = ['motion', 'doorbell', 'glass_break', 'manual'] as const;
export type ClipKind = (typeof CLIP_KINDS)[number];

export async function hashFile(file: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(fs.createReadStream(file), h);
  return h.digest('hex');
}

/**
 * The key the server uses to recognise a retry of the same upload. It binds the
 * camera, the bytes and the metadata, so a retry (even after a restart) gets the
 * clip already stored, while a different clip can never collide with it.
 */
export function idempotencyKey(f: { cameraId: string; sha256: string; startedAt: string; endedAt: string; kind: string }): string {
  const text = ['porchlight-upload-v1', f.cameraId, f.sha256, canonicalTime(f.startedAt), canonicalTime(f.endedAt), f.kind].join('\n');
  return createHash('sha256').update(text).digest('hex');
}

// Seconds from 1904-01-01 (the MP4 epoch) to 1970-01-01.
const MP4_EPOCH_OFFSET_S = 2_082_844_800;

export interface MovieHeader {
  /** Creation time in epoch ms, or null when the recorder left it at zero. */
  createdMs: number | null;
  durationMs: number;
}

/** Reads the 'mvhd' box of an MP4 by walking box headers; null when there is none or it is malformed. */
export async function readMovieHeader(file: string): Promise<MovieHeader | null> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const read = async (pos: number, len: number) => {
      const buf = Buffer.alloc(len);
      const { bytesRead } = await fh.read(buf, 0, len, pos);
      return bytesRead === len ? buf : null;
    };
    // Walks the boxes in [start, end); returns the payload offset and size of the first box of `type`.
    const find = async (start: number, end: number, type: string): Promise<[number, number] | null> => {
      let pos = start;
      for (let guard = 0; pos + 8 <= end && guard < 10_000; guard++) {
        const h = await read(pos, Math.min(16, end - pos));
        if (!h) return null;
        let boxSize = h.readUInt32BE(0);
        let headerLen = 8;
        if (boxSize === 1) {
          if (h.length < 16) return null;
          boxSize = Number(h.readBigUInt64BE(8));
          headerLen = 16;
        } else if (boxSize === 0) boxSize = end - pos;
        if (boxSize < headerLen || pos + boxSize > end) return null;
        if (h.toString('latin1', 4, 8) === type) return [pos + headerLen, boxSize - headerLen];
        pos += boxSize;
      }
      return null;
    };
    const moov = await find(0, size, 'moov');
    if (!moov) return null;
    const mvhd = await find(moov[0], moov[0] + moov[1], 'mvhd');
    if (!mvhd || mvhd[1] < 20) return null;
    const body = await read(mvhd[0], Math.min(mvhd[1], 32));
    if (!body) return null;
    const v1 = body[0] === 1;
    if (v1 && body.length < 32) return null;
    const created = v1 ? Number(body.readBigUInt64BE(4)) : body.readUInt32BE(4);
    const timescale = v1 ? body.readUInt32BE(20) : body.readUInt32BE(12);
    const duration = v1 ? Number(body.readBigUInt64BE(24)) : body.readUInt32BE(16);
    if (timescale === 0) return null;
    return {
      createdMs: created > MP4_EPOCH_OFFSET_S ? (created - MP4_EPOCH_OFFSET_S) * 1000 : null,
      durationMs: Math.round((duration / timescale) * 1000),
    };
  } finally {
    await fh.close();
  }
}

export interface ClipTimes {
  startedAt: string;
  endedAt: string;
  kind?: ClipKind;
  source: 'sidecar' | 'mp4' | 'mtime';
}

/** Start and end of a recorded clip, as described above; `now` bounds a creation time that cannot be right. */
export async function clipTimes(file: string, now = Date.now()): Promise<ClipTimes> {
  const sidecar = file.replace(/\.mp4$/i, '') + '.json';
  if (fs.existsSync(sidecar)) {
    const meta = JSON.parse(await fs.promises.readFile(sidecar, 'utf8')) as { startedAt?: unknown; endedAt?: unknown; kind?: unknown };
    if (typeof meta.startedAt !== 'string' || typeof meta.endedAt !== 'string') throw new Error(`${sidecar} needs startedAt and endedAt`);
    const kind = (CLIP_KINDS as readonly unknown[]).includes(meta.kind) ? (meta.kind as ClipKind) : undefined;
    return { startedAt: canonicalTime(meta.startedAt), endedAt: canonicalTime(meta.endedAt), kind, source: 'sidecar' };
  }
  const header = await readMovieHeader(file);
  const durationMs = header?.durationMs ?? 0;
  // A recorder that never set its clock writes 1904 or 1970; one in the future is as wrong.
  const created = header?.createdMs;
  if (created && created > Date.UTC(2000, 0, 1) && created + durationMs <= now + 60_000) {
    return { startedAt: canonicalTime(created), endedAt: canonicalTime(created + durationMs), source: 'mp4' };
  }
  const mtime = Math.floor((await fs.promises.stat(file)).mtimeMs);
  return { startedAt: canonicalTime(mtime - durationMs), endedAt: canonicalTime(mtime), source: 'mtime' };
}
