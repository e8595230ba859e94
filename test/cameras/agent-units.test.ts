// The camera agent's pure parts and file handling, without a server.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers/db.ts';
import { fixturePath } from '../helpers/app.ts';
import { clipTimes, hashFile, idempotencyKey, readMovieHeader } from '../../src/cameras/agent-clip.ts';
import { Journal, journalKey, writePrivateFile } from '../../src/cameras/agent-state.ts';
import { backoffMs, isRetryable, renderProgress } from '../../src/cameras/agent-upload.ts';

test('progress bar', () => {
  assert.equal(renderProgress(0, 2_097_152, 10), '[..........]   0%  0.0/2.0 MB');
  assert.equal(renderProgress(1_048_576, 2_097_152, 10), '[#####.....]  50%  1.0/2.0 MB');
  assert.equal(renderProgress(2_097_152, 2_097_152, 10), '[##########] 100%  2.0/2.0 MB');
  assert.equal(renderProgress(0, 0, 4), '[####] 100%  0.0/0.0 MB');
});

test('backoff doubles up to the cap, with jitter in the upper half', () => {
  assert.equal(backoffMs(0, 1000, 60_000, () => 0), 500);
  assert.equal(backoffMs(0, 1000, 60_000, () => 1), 1000);
  assert.equal(backoffMs(3, 1000, 60_000, () => 1), 8000);
  assert.equal(backoffMs(20, 1000, 60_000, () => 1), 60_000);
  assert.equal(backoffMs(1e6, 1000, 60_000, () => 0.5), 45_000);
});

test('what is retried: the network and the server, not the clip', () => {
  for (const s of [null, 408, 409, 429, 500, 502, 503]) assert.equal(isRetryable(s), true, String(s));
  for (const s of [400, 401, 403, 404, 413, 415, 422]) assert.equal(isRetryable(s), false, String(s));
});

test('the idempotency key is a function of camera, bytes, times and kind only', () => {
  const f = { cameraId: 'cam1', sha256: 'a'.repeat(64), startedAt: '2026-06-01T12:00:00Z', endedAt: '2026-06-01T12:00:10Z', kind: 'motion' };
  const k = idempotencyKey(f);
  assert.match(k, /^[0-9a-f]{64}$/);
  assert.equal(idempotencyKey({ ...f, startedAt: '2026-06-01T12:00:00.000Z' }), k, 'same instant, other spelling');
  for (const change of [{ cameraId: 'cam2' }, { sha256: 'b'.repeat(64) }, { endedAt: '2026-06-01T12:00:11Z' }, { kind: 'doorbell' }]) {
    assert.notEqual(idempotencyKey({ ...f, ...change }), k, JSON.stringify(change));
  }
});

test('the MP4 movie header gives the duration; files without one give null', async () => {
  assert.deepEqual(await readMovieHeader(fixturePath('clip.mp4')), { createdMs: null, durationMs: 1000 });
  assert.deepEqual(await readMovieHeader(fixturePath('clip-faststart.mp4')), { createdMs: null, durationMs: 1000 });
  assert.equal(await readMovieHeader(fixturePath('image.png')), null);
  assert.equal(await readMovieHeader(fixturePath('text.txt')), null);
  const empty = path.join(tempDir(), 'empty.mp4');
  fs.writeFileSync(empty, '');
  assert.equal(await readMovieHeader(empty), null);
});

/** A minimal moov/mvhd (version 0 or 1) with a creation time, as a recorder with a set clock writes. */
function movie(version: 0 | 1, createdMs: number, durationS: number): Buffer {
  const created = BigInt(Math.floor(createdMs / 1000) + 2_082_844_800);
  const body = Buffer.alloc(version === 1 ? 32 : 20);
  body[0] = version;
  if (version === 1) {
    body.writeBigUInt64BE(created, 4);
    body.writeUInt32BE(1000, 20);
    body.writeBigUInt64BE(BigInt(durationS * 1000), 24);
  } else {
    body.writeUInt32BE(Number(created), 4);
    body.writeUInt32BE(1000, 12);
    body.writeUInt32BE(durationS * 1000, 16);
  }
  const box = (type: string, payload: Buffer) => {
    const h = Buffer.alloc(8);
    h.writeUInt32BE(8 + payload.length, 0);
    h.write(type, 4, 'latin1');
    return Buffer.concat([h, payload]);
  };
  return Buffer.concat([box('ftyp', Buffer.from('isom\0\0\0\0')), box('moov', box('mvhd', body))]);
}

test('clip times: sidecar first, then the MP4 creation time, then the modification time', async () => {
  const dir = tempDir();
  const at = Date.UTC(2026, 5, 1, 12, 0, 0);
  for (const v of [0, 1] as const) {
    const f = path.join(dir, `v${v}.mp4`);
    fs.writeFileSync(f, movie(v, at, 7));
    assert.deepEqual(await clipTimes(f, at + 3_600_000), { startedAt: '2026-06-01T12:00:00.000Z', endedAt: '2026-06-01T12:00:07.000Z', source: 'mp4' });
    // A creation time in the future is a wrong clock: the modification time wins.
    fs.utimesSync(f, new Date(at), new Date(at));
    assert.deepEqual(await clipTimes(f, at - 86_400_000), { startedAt: '2026-06-01T11:59:53.000Z', endedAt: '2026-06-01T12:00:00.000Z', source: 'mtime' });
  }
  const clip = path.join(dir, 'door.mp4');
  fs.copyFileSync(fixturePath('clip.mp4'), clip);
  fs.writeFileSync(path.join(dir, 'door.json'), JSON.stringify({ startedAt: '2026-06-01T09:00:00Z', endedAt: '2026-06-01T09:00:01Z', kind: 'doorbell' }));
  assert.deepEqual(await clipTimes(clip), { startedAt: '2026-06-01T09:00:00.000Z', endedAt: '2026-06-01T09:00:01.000Z', kind: 'doorbell', source: 'sidecar' });
  fs.writeFileSync(path.join(dir, 'door.json'), '{"startedAt": 5}');
  await assert.rejects(clipTimes(clip), /needs startedAt/);
});

test('the journal survives a torn last line and keeps its entries across reopenings', async () => {
  const dir = tempDir();
  const j = new Journal(dir);
  const file = fixturePath('clip.mp4');
  const e = { name: 'a.mp4', size: 10, mtimeMs: 5, sha256: await hashFile(file), status: 'uploaded' as const, clipId: 'c1', at: new Date(0).toISOString() };
  j.record(e);
  fs.appendFileSync(path.join(dir, 'journal.jsonl'), '\n{"name":"b.mp4","si'); // the agent's own append, cut short by a crash
  const j2 = new Journal(dir);
  assert.deepEqual(j2.get(journalKey(e)), e);
  assert.equal(j2.size, 1);
  j2.record({ ...e, name: 'c.mp4' });
  const j3 = new Journal(dir);
  assert.equal(j3.size, 2);
  assert.equal(fs.statSync(path.join(dir, 'journal.jsonl')).mode & 0o777, 0o600);
  j3.compact((entry) => entry.name === 'c.mp4');
  assert.equal(j3.size, 1);
  const j4 = new Journal(dir);
  assert.equal(j4.size, 1);
  assert.equal(j4.get(journalKey(e)), undefined);
  assert.equal(j4.get(journalKey({ ...e, name: 'c.mp4' }))?.clipId, 'c1');
  assert.equal(fs.statSync(path.join(dir, 'journal.jsonl')).mode & 0o777, 0o600);
});

test('private files are written 0600 and replaced atomically', () => {
  const f = path.join(tempDir(), 'secret');
  writePrivateFile(f, 'one');
  writePrivateFile(f, 'two');
  assert.equal(fs.readFileSync(f, 'utf8'), 'two');
  assert.equal(fs.statSync(f).mode & 0o777, 0o600);
  assert.deepEqual(fs.readdirSync(path.dirname(f)), ['secret']);
});
