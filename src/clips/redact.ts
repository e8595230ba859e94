// Privacy-zone redaction: a derived copy of a clip with the camera's zones
// filled black, burned into the pixels and re-encoded (H.264/AAC MP4). Every copy
// that leaves its owner by consent goes through here (PRODUCT.md A, Privacy zones).
//
// The zones are arbitrary polygons, which ffmpeg's drawbox cannot express, so the
// mask is rasterised here into a grey+alpha PNG at the video's displayed size
// (opaque black inside a zone, transparent elsewhere) and laid over every frame
// with ffmpeg's overlay filter. Rasterising is conservative: a pixel is covered
// when its centre is inside a polygon, and coverage is widened to whole 2×2
// blocks so 4:2:0 chroma from outside cannot bleed colour into a zone.
import fsp from 'node:fs/promises';
import path from 'node:path';
import { deflateSync, crc32 } from 'node:zlib';
import { ffmpegAvailable, FfmpegMissingError, run, videoSize } from './ffmpeg.ts';

/** A polygon in normalised frame coordinates: [x, y] with 0,0 top-left and 1,1 bottom-right. */
export type Polygon = [number, number][];

/** Checks zones from storage again (they reach ffmpeg): finite numbers, at least 3 points, clamped to the frame. */
export function normaliseZones(zones: unknown): Polygon[] {
  if (!Array.isArray(zones)) throw new TypeError('privacy zones must be an array of polygons');
  return zones.map((poly) => {
    if (!Array.isArray(poly) || poly.length < 3 || poly.length > 1000) throw new TypeError('a privacy zone needs 3 to 1000 points');
    return poly.map((pt) => {
      if (!Array.isArray(pt) || pt.length !== 2 || !pt.every((v) => typeof v === 'number' && Number.isFinite(v))) throw new TypeError('a zone point is [x, y] numbers');
      return [Math.min(1, Math.max(0, pt[0])), Math.min(1, Math.max(0, pt[1]))] as [number, number];
    });
  });
}

/** Rasterises polygons (even-odd rule per polygon, union across polygons) to a width×height 0/1 mask. */
export function rasterise(zones: Polygon[], width: number, height: number): Uint8Array {
  const mask = new Uint8Array(width * height);
  const xs: number[] = [];
  for (const poly of zones) {
    for (let y = 0; y < height; y++) {
      const cy = (y + 0.5) / height;
      xs.length = 0;
      for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
        const [x1, y1] = poly[j];
        const [x2, y2] = poly[i];
        // Half-open rule on y so a vertex shared by two edges is counted once.
        if (y1 <= cy !== y2 <= cy) xs.push(x1 + ((cy - y1) / (y2 - y1)) * (x2 - x1));
      }
      xs.sort((a, b) => a - b);
      for (let k = 0; k + 1 < xs.length; k += 2) {
        const from = Math.max(0, Math.ceil(xs[k] * width - 0.5));
        const to = Math.min(width - 1, Math.floor(xs[k + 1] * width - 0.5));
        mask.fill(1, y * width + from, to >= from ? y * width + to + 1 : y * width + from);
      }
    }
  }
  // Widen to 2×2 blocks (4:2:0 chroma sites).
  for (let y = 0; y < height; y += 2) {
    for (let x = 0; x < width; x += 2) {
      const idx = [y * width + x, y * width + x + 1, (y + 1) * width + x, (y + 1) * width + x + 1].filter((i, n) => (n % 2 === 0 || x + 1 < width) && (n < 2 || y + 1 < height));
      if (idx.some((i) => mask[i])) for (const i of idx) mask[i] = 1;
    }
  }
  return mask;
}

/** A grey+alpha PNG (colour type 4): black everywhere, opaque where the mask is set (RFC 2083). */
export function maskPng(mask: Uint8Array, width: number, height: number): Buffer {
  const raw = Buffer.alloc(height * (1 + width * 2));
  for (let y = 0; y < height; y++) {
    const row = y * (1 + width * 2); // filter byte 0 (None), then pixels
    for (let x = 0; x < width; x++) raw[row + 1 + x * 2 + 1] = mask[y * width + x] ? 255 : 0;
  }
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 4; // grey + alpha
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/**
 * Writes `output`: `input` with `zones` blacked out, re-encoded as H.264/AAC MP4.
 * With no zones the copy is still re-encoded, so every shared copy has one shape.
 * `workDir` holds the mask for the duration of the call (the blob store's temp dir).
 */
export async function redactFile(ffmpegPath: string, input: string, output: string, zones: Polygon[], workDir: string): Promise<void> {
  if (!(await ffmpegAvailable(ffmpegPath))) throw new FfmpegMissingError(ffmpegPath);
  const { width, height } = await videoSize(ffmpegPath, input);
  if (width > 8192 || height > 8192) throw new RangeError('video is too large to redact');
  const maskFile = path.join(workDir, `${path.basename(output)}.mask.png`);
  await fsp.writeFile(maskFile, maskPng(rasterise(normaliseZones(zones), width, height), width, height), { mode: 0o600 });
  try {
    await run(ffmpegPath, [
      '-hide_banner', '-loglevel', 'error', '-nostdin', '-y',
      '-i', input,
      '-i', maskFile,
      // The single mask frame repeats over every video frame (overlay's eof_action=repeat).
      '-filter_complex', '[1:v]format=ya8[m];[0:v][m]overlay=x=0:y=0:eof_action=repeat:format=auto,format=yuv420p[v]',
      '-map', '[v]', '-map', '0:a?',
      '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23',
      '-c:a', 'aac', '-b:a', '96k',
      '-map_metadata', '-1', '-movflags', '+faststart',
      '-f', 'mp4', output,
    ]);
  } finally {
    await fsp.rm(maskFile, { force: true });
  }
}
