// Structural MP4 (ISO/IEC 14496-12, ISO BMFF) validation of an uploaded clip.
// The bytes are attacker-controlled: every box size is checked against its
// parent before it is used, nesting and box counts are bounded, only the moov
// box (itself size-capped) is ever held in memory, and each loop advances by at
// least one box header, so no input can make it spin or allocate without bound.
// It answers 415 when the bytes are not an MP4 at all and 422 when they are an
// MP4 that fails a check (truncated, no moov/mdat, no duration, no H.264 track).
// Only fixed paths (moov/trak/mdia/...) are descended, so nesting depth is bounded too.
import type { FileHandle } from 'node:fs/promises';

// The bytes checked come through a ByteSource: a plaintext file or a sealed spool.
import type { ByteSource } from '../platform/sealed/vault.ts';

export type Mp4Verdict =
  | { ok: true; durationMs: number; width: number; height: number; hasAudio: boolean; moov: { start: number; end: number } }
  | { ok: false; status: 415 | 422; reason: string };

const MAX_MOOV = 32 * 1024 * 1024;
const MAX_TOP_BOXES = 4096;
const MAX_CHILD_BOXES = 4096;

interface BoxHeader {
  type: string;
  /** Offset of the box's first byte. */
  start: number;
  /** Offset of its payload (after size, type and any 64-bit size). */
  body: number;
  /** Offset one past its last byte. */
  end: number;
}

class Reject extends Error {
  readonly status: 415 | 422;
  constructor(status: 415 | 422, reason: string) {
    super(reason);
    this.status = status;
  }
}

const printable = (t: string) => /^[\x20-\x7e]{4}$/.test(t);

/** Parses one box header from `buf` at `at`; `limit` is the end of the parent (for size 0 = to end). */
function header(buf: Buffer, at: number, base: number, limit: number): BoxHeader {
  const size32 = buf.readUInt32BE(at);
  const type = buf.toString('latin1', at + 4, at + 8);
  let size = size32;
  let hdr = 8;
  if (size32 === 1) {
    if (buf.length < at + 16) throw new Reject(422, `box ${type} has a truncated 64-bit size`);
    const big = buf.readBigUInt64BE(at + 8);
    if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new Reject(422, `box ${type} is impossibly large`);
    size = Number(big);
    hdr = 16;
  } else if (size32 === 0) {
    size = limit - (base + at);
  }
  if (size < hdr) throw new Reject(422, `box ${JSON.stringify(type)} has an invalid size ${size}`);
  const start = base + at;
  return { type, start, body: start + hdr, end: start + size };
}

/** Children of a box already in memory: `buf` holds bytes [base, base + buf.length). */
function children(buf: Buffer, base: number, from: number, to: number): BoxHeader[] {
  const out: BoxHeader[] = [];
  let at = from;
  while (at + 8 <= to) {
    if (out.length >= MAX_CHILD_BOXES) throw new Reject(422, 'too many boxes');
    const h = header(buf, at - base, base, to);
    if (h.end > to) throw new Reject(422, `box ${h.type} overruns its parent`);
    if (!printable(h.type)) throw new Reject(422, 'a box has an unreadable type');
    out.push(h);
    at = h.end;
  }
  return out;
}

function child(buf: Buffer, base: number, parent: BoxHeader, type: string): BoxHeader | undefined {
  return children(buf, base, parent.body, parent.end).find((c) => c.type === type);
}

function path(buf: Buffer, base: number, root: BoxHeader, types: string[]): BoxHeader | undefined {
  let cur: BoxHeader | undefined = root;
  for (const t of types) {
    cur = cur && child(buf, base, cur, t);
    if (!cur) return undefined;
  }
  return cur;
}

/** Reads the top-level box list without loading any payload. */
async function topLevel(src: ByteSource): Promise<BoxHeader[]> {
  const out: BoxHeader[] = [];
  let at = 0;
  while (at < src.size) {
    if (out.length >= MAX_TOP_BOXES) throw new Reject(422, 'too many top-level boxes');
    const head = await src.read(at, 16);
    if (head.length < 8) {
      if (out.length === 0) throw new Reject(415, 'not an MP4 file');
      throw new Reject(422, 'file ends inside a box header (truncated)');
    }
    const type = head.toString('latin1', 4, 8);
    if (out.length === 0 && type !== 'ftyp') throw new Reject(415, 'not an MP4 file (no ftyp box at the start)');
    const h = header(head, 0, at, src.size);
    if (!printable(h.type)) throw new Reject(422, 'a top-level box has an unreadable type');
    if (h.end > src.size) throw new Reject(422, `box ${h.type} runs past the end of the file (truncated)`);
    out.push(h);
    at = h.end;
  }
  return out;
}

function mvhdDuration(buf: Buffer, base: number, mvhd: BoxHeader): number {
  const p = mvhd.body - base;
  const need = buf[p] === 1 ? 32 : 20;
  if (mvhd.end - mvhd.body < need) throw new Reject(422, 'mvhd box is too short');
  const [timescale, duration] = buf[p] === 1 ? [buf.readUInt32BE(p + 20), Number(buf.readBigUInt64BE(p + 24))] : [buf.readUInt32BE(p + 12), buf.readUInt32BE(p + 16)];
  if (timescale === 0) throw new Reject(422, 'mvhd has a zero timescale');
  return (duration / timescale) * 1000;
}

/** The H.264 sample entry of a video track's stsd, if it has one with an avcC box. */
function avcEntry(buf: Buffer, base: number, stsd: BoxHeader): { width: number; height: number } | undefined {
  // FullBox: version/flags (4), entry_count (4), then SampleEntry boxes.
  const first = stsd.body + 8;
  if (first > stsd.end) throw new Reject(422, 'stsd box is too short');
  for (const e of children(buf, base, first, stsd.end)) {
    if (e.type !== 'avc1' && e.type !== 'avc3') continue;
    // VisualSampleEntry fields take 78 bytes before its child boxes (14496-12 §12.1.3).
    const kids = e.body + 78;
    if (kids > e.end) throw new Reject(422, `${e.type} sample entry is too short`);
    const width = buf.readUInt16BE(e.body + 24 - base);
    const height = buf.readUInt16BE(e.body + 26 - base);
    if (children(buf, base, kids, e.end).some((c) => c.type === 'avcC')) return { width, height };
    throw new Reject(422, `${e.type} sample entry has no avcC configuration`);
  }
  return undefined;
}

export async function checkMp4(src: ByteSource): Promise<Mp4Verdict> {
  try {
    if (src.size === 0) throw new Reject(415, 'empty body');
    const boxes = await topLevel(src);
    const moovH = boxes.find((b) => b.type === 'moov');
    if (!moovH) throw new Reject(422, 'no moov box (truncated or not finalised)');
    if (!boxes.some((b) => b.type === 'mdat' && b.end > b.body)) throw new Reject(422, 'no media data (mdat box)');
    if (moovH.end - moovH.start > MAX_MOOV) throw new Reject(422, 'moov box is too large');
    const moov = await src.read(moovH.start, moovH.end - moovH.start);
    if (moov.length !== moovH.end - moovH.start) throw new Reject(422, 'moov box is truncated');
    const base = moovH.start;

    const mvhd = child(moov, base, moovH, 'mvhd');
    if (!mvhd) throw new Reject(422, 'no movie header (mvhd box)');
    let durationMs = mvhdDuration(moov, base, mvhd);
    if (durationMs <= 0) {
      // Fragmented files may carry their duration in mvex/mehd instead.
      const mehd = path(moov, base, moovH, ['mvex', 'mehd']);
      if (mehd && mehd.end - mehd.body >= 8) {
        const p = mehd.body - base;
        const d = moov[p] === 1 && mehd.end - mehd.body >= 12 ? Number(moov.readBigUInt64BE(p + 4)) : moov.readUInt32BE(p + 4);
        const ts = moov.readUInt32BE(mvhd.body - base + (moov[mvhd.body - base] === 1 ? 20 : 12));
        durationMs = (d / ts) * 1000;
      }
    }
    if (!(durationMs > 0)) throw new Reject(422, 'the movie has no duration');

    let video: { width: number; height: number } | undefined;
    let hasAudio = false;
    for (const trak of children(moov, base, moovH.body, moovH.end).filter((b) => b.type === 'trak')) {
      const hdlr = path(moov, base, trak, ['mdia', 'hdlr']);
      if (!hdlr || hdlr.end - hdlr.body < 12) continue;
      const handler = moov.toString('latin1', hdlr.body - base + 8, hdlr.body - base + 12);
      if (handler === 'soun') hasAudio = true;
      if (handler !== 'vide' || video) continue;
      const stsd = path(moov, base, trak, ['mdia', 'minf', 'stbl', 'stsd']);
      if (stsd) video = avcEntry(moov, base, stsd);
    }
    if (!video) throw new Reject(422, 'no H.264 video track');
    return { ok: true, durationMs: Math.round(durationMs), ...video, hasAudio, moov: { start: moovH.start, end: moovH.end } };
  } catch (err) {
    if (err instanceof Reject) return { ok: false, status: err.status, reason: err.message };
    // A read past a buffer's end means a box lied about its size.
    if (err instanceof RangeError) return { ok: false, status: 422, reason: 'a box is malformed' };
    throw err;
  }
}

/** A ByteSource over a plaintext file. The caller closes the handle. */
export function fileSource(fh: FileHandle, size: number): ByteSource {
  return {
    size,
    async read(offset, length) {
      const n = Math.max(0, Math.min(length, size - offset));
      const buf = Buffer.alloc(n);
      let got = 0;
      while (got < n) {
        const { bytesRead } = await fh.read(buf, got, n - got, offset + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return buf.subarray(0, got);
    },
  };
}
