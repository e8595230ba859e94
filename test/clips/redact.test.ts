// Redaction with the real ffmpeg: decode frames of the output to raw RGB and look
// at the pixels. Zones: a triangle and a rotated square (not rectangles, so a
// drawbox-style implementation would fail).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { rasterise, redactFile, normaliseZones, type Polygon } from '../../src/clips/redact.ts';
import { run, FfmpegMissingError } from '../../src/clips/ffmpeg.ts';
import { checkMp4, fileSource } from '../../src/clips/mp4.ts';

const FFMPEG = process.env.FFMPEG_PATH ?? 'ffmpeg';
const fixture = (name: string) => new URL(`../fixtures/${name}`, import.meta.url).pathname;
const W = 160;
const H = 120;

const triangle: Polygon = [[0.05, 0.05], [0.45, 0.05], [0.05, 0.6]];
const diamond: Polygon = [[0.75, 0.4], [0.95, 0.65], [0.75, 0.9], [0.55, 0.65]];

/** Point-in-polygon by ray casting, for choosing probe pixels with a margin. */
function inside(poly: Polygon, x: number, y: number): boolean {
  let c = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i];
    const [xj, yj] = poly[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) c = !c;
  }
  return c;
}

/** Whether every point within `m` pixels of (px, py) is on the same side of the zones. */
function clearly(zones: Polygon[], px: number, py: number, m: number): 'in' | 'out' | 'edge' {
  let ins = 0;
  let outs = 0;
  for (let dy = -m; dy <= m; dy++) for (let dx = -m; dx <= m; dx++) {
    const x = (px + dx + 0.5) / W;
    const y = (py + dy + 0.5) / H;
    if (zones.some((z) => inside(z, x, y))) ins++;
    else outs++;
  }
  return outs === 0 ? 'in' : ins === 0 ? 'out' : 'edge';
}

test('rasterise fills polygons by pixel centre and widens to 2x2 blocks', () => {
  const m = rasterise([[[0, 0], [0.5, 0], [0.5, 0.5], [0, 0.5]]], 8, 8);
  const rows = Array.from({ length: 8 }, (_, y) => Array.from(m.subarray(y * 8, y * 8 + 8)).join(''));
  assert.deepEqual(rows, ['11110000', '11110000', '11110000', '11110000', '00000000', '00000000', '00000000', '00000000']);
  assert.throws(() => normaliseZones([[[0, 0], [1, 1]]]), TypeError);
  assert.throws(() => normaliseZones([[[0, 0], [1, 'x'], [1, 1]]]), TypeError);
  assert.deepEqual(normaliseZones([[[-1, 0], [2, 0], [0.5, 1]]]), [[[0, 0], [1, 0], [0.5, 1]]]);
});

test('zones are black in every decoded frame of the copy, the rest is untouched', async () => {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'redact-'));
  try {
    const out = path.join(dir, 'out.mp4');
    const zones = [triangle, diamond];
    await redactFile(FFMPEG, fixture('flat.mp4'), out, zones, dir);

    // The copy is itself a valid H.264 MP4 with audio.
    const fh = await fsp.open(out, 'r');
    const verdict = await checkMp4(fileSource(fh, (await fh.stat()).size)).finally(() => fh.close());
    assert.ok(verdict.ok && verdict.hasAudio, JSON.stringify(verdict));

    const raw = await run(FFMPEG, ['-v', 'error', '-i', out, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { maxStdout: 64 * 1024 * 1024 });
    const frameBytes = W * H * 3;
    const frames = raw.length / frameBytes;
    assert.ok(Number.isInteger(frames) && frames >= 5, `decoded ${frames} frames`);
    let checkedIn = 0;
    let checkedOut = 0;
    for (let f = 0; f < frames; f++) {
      for (let y = 0; y < H; y += 3) {
        for (let x = 0; x < W; x += 3) {
          const side = clearly(zones, x, y, 3);
          if (side === 'edge') continue;
          const o = f * frameBytes + (y * W + x) * 3;
          const max = Math.max(raw[o], raw[o + 1], raw[o + 2]);
          if (side === 'in') {
            assert.ok(max <= 20, `frame ${f} (${x},${y}) inside a zone is ${raw.subarray(o, o + 3).join(',')}`);
            checkedIn++;
          } else {
            // The flat source is rgb(48,128,255); allow for lossy coding.
            assert.ok(raw[o + 2] >= 200 && raw[o + 1] >= 90, `frame ${f} (${x},${y}) outside the zones is ${raw.subarray(o, o + 3).join(',')}`);
            checkedOut++;
          }
        }
      }
    }
    assert.ok(checkedIn > 100 * frames && checkedOut > 500 * frames, `probed ${checkedIn} inside, ${checkedOut} outside`);
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
});

test('a missing ffmpeg is reported clearly', async () => {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'redact-'));
  try {
    await assert.rejects(redactFile(path.join(dir, 'no-such-ffmpeg'), fixture('flat.mp4'), path.join(dir, 'o.mp4'), [], dir), FfmpegMissingError);
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
});
