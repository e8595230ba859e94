import { test } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import { checkMp4, fileSource, type Mp4Verdict } from '../../src/clips/mp4.ts';
import type { ByteSource } from '../../src/platform/sealed/vault.ts';

const fixture = (name: string) => new URL(`../fixtures/${name}`, import.meta.url).pathname;

async function checkFile(name: string): Promise<Mp4Verdict> {
  const fh = await fsp.open(fixture(name), 'r');
  try {
    return await checkMp4(fileSource(fh, (await fh.stat()).size));
  } finally {
    await fh.close();
  }
}

const bufferSource = (b: Buffer): ByteSource => ({ size: b.length, read: async (o, n) => b.subarray(o, o + n) });
const box = (type: string, body: Buffer = Buffer.alloc(0)) => {
  const h = Buffer.alloc(8);
  h.writeUInt32BE(8 + body.length);
  h.write(type, 4, 'latin1');
  return Buffer.concat([h, body]);
};

test('accepts H.264 clips with moov after or before mdat', async () => {
  for (const name of ['clip.mp4', 'clip-faststart.mp4', 'flat.mp4']) {
    const v = await checkFile(name);
    assert.ok(v.ok, `${name}: ${JSON.stringify(v)}`);
    assert.equal(v.width, 160);
    assert.equal(v.height, 120);
    assert.ok(v.durationMs >= 900 && v.durationMs <= 1200, `${name} duration ${v.durationMs}`);
    assert.equal(v.hasAudio, true);
  }
});

test('answers 415 for bytes that are not an MP4', async () => {
  for (const name of ['image.png', 'text.txt']) {
    const v = await checkFile(name);
    assert.deepEqual([v.ok, !v.ok && v.status], [false, 415], name);
  }
  const empty = await checkMp4(bufferSource(Buffer.alloc(0)));
  assert.ok(!empty.ok && empty.status === 415);
});

test('answers 422 with a reason for MP4s that fail a check', async () => {
  const expect: Record<string, RegExp> = {
    'truncated.mp4': /truncated|moov/,
    'not-h264.mp4': /H\.264/,
    'audio-only.mp4': /H\.264/,
  };
  for (const [name, reason] of Object.entries(expect)) {
    const v = await checkFile(name);
    assert.ok(!v.ok && v.status === 422, `${name}: ${JSON.stringify(v)}`);
    assert.match(v.reason, reason, name);
  }
});

test('hostile box sizes never loop, overrun or throw', async () => {
  const ftyp = box('ftyp', Buffer.from('isom\0\0\0\0isom', 'latin1'));
  const cases: Buffer[] = [
    Buffer.concat([ftyp, box('moov')]), // no mdat, empty moov
    Buffer.concat([ftyp, Buffer.from([0, 0, 0, 3]), Buffer.from('mdat')]), // size smaller than a header
    Buffer.concat([ftyp, Buffer.from([0xff, 0xff, 0xff, 0xff]), Buffer.from('mdat'), Buffer.alloc(4)]), // size past the end
    Buffer.concat([ftyp, Buffer.from([0, 0, 0, 1]), Buffer.from('mdat'), Buffer.from('ffffffffffffffff', 'hex')]), // 64-bit size past 2^53
    Buffer.concat([ftyp, box('mdat', Buffer.alloc(4)), box('moov', box('trak', Buffer.from([0, 0, 0, 200, 0x6d, 0x64, 0x69, 0x61])))]), // child overruns parent
    Buffer.concat([ftyp, box('mdat', Buffer.alloc(4)), box('moov', box('mvhd', Buffer.alloc(4)))]), // short mvhd
    Buffer.concat([ftyp, box('mdat', Buffer.alloc(4)), box('moov', Buffer.concat([box('mvhd', Buffer.alloc(100)), box('trak', Buffer.alloc(0))]))]), // zero timescale
    Buffer.concat([ftyp, box('mdat', Buffer.alloc(4)), box('moov', Buffer.alloc(7))]), // trailing garbage inside moov
    ftyp.subarray(0, 6),
  ];
  for (const [i, bytes] of cases.entries()) {
    const v = await checkMp4(bufferSource(bytes));
    assert.equal(v.ok, false, `case ${i}`);
    assert.ok(!v.ok && (v.status === 415 || v.status === 422), `case ${i}`);
  }
});

test('a moov box with a valid video track but an mpeg-4 part 2 codec is refused even when renamed to avc', async () => {
  // Rename the mp4v sample entry of not-h264.mp4 to avc1: still refused, as it lacks an avcC box.
  const bytes = await fsp.readFile(fixture('not-h264.mp4'));
  const at = bytes.indexOf('mp4v', 0, 'latin1');
  assert.ok(at > 0);
  bytes.write('avc1', at, 'latin1');
  const v = await checkMp4(bufferSource(bytes));
  assert.ok(!v.ok && v.status === 422 && /avcC/.test(v.reason), JSON.stringify(v));
});
