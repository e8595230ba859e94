// The camera agent uploading to the real server (clip ingest included), over a
// real socket: upload, idempotent retry, watch with journal and resume, backoff
// while the server is down.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { forEachEngine, tempDir } from '../helpers/db.ts';
import { as, buildTestApp, createResident, fixturePath, type TestApp, type TestUser } from '../helpers/app.ts';
import { runCameraCli } from '../../src/cameras/agent.ts';
import { hashFile } from '../../src/cameras/agent-clip.ts';
import { loadState } from '../../src/cameras/agent-state.ts';
import { watchDirectory } from '../../src/cameras/agent-watch.ts';
import { verifyClipSignature, clipSigningPayload } from '../../src/cameras/signature.ts';
import { captureIo } from './agent-io.ts';
import { uniqueClip } from '../clips/helpers.ts';

const freePort = () => new Promise<number>((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address() as net.AddressInfo;
    s.close(() => resolve(port));
  });
});

forEachEngine('camera agent: upload and watch', (getDb) => {
  let t: TestApp;
  let ann: TestUser;
  let server: string;
  before(async () => {
    t = await buildTestApp(getDb());
    // Clip times come from real file times, so the server's clock must be real time too.
    t.clock.set(Date.now());
    ann = await createResident(t);
    server = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => t.app.close());

  /** A fresh camera with an enrolled agent; returns its id and state directory. */
  const enrolled = async () => {
    const cam = (await as(t, ann, { method: 'POST', url: '/api/v1/cameras', payload: { name: 'Door', location: { lat: 1, lon: 2 }, kind: 'doorbell' } })).json();
    const { code } = (await as(t, ann, { method: 'POST', url: `/api/v1/cameras/${cam.id}/enrolment-code` })).json();
    const state = path.join(tempDir(), 'agent');
    const io = captureIo();
    assert.equal(await runCameraCli(['enroll', '--server', server, '--code', code, '--state', state], io), 0, io.errors.join('\n'));
    return { cameraId: cam.id as string, state };
  };
  /** Points an enrolled agent at another server address (as if the server moved). */
  const pointAt = (state: string, url: string) => {
    const stateFile = path.join(state, 'state.json');
    fs.writeFileSync(stateFile, JSON.stringify({ ...JSON.parse(fs.readFileSync(stateFile, 'utf8')), server: url }), { mode: 0o600 });
  };
  const clipsOf = async (cameraId: string) =>
    (await as(t, ann, { method: 'GET', url: `/api/v1/clips?cameraId=${cameraId}` })).json().items as { id: string; sha256: string; signed: boolean; startedAt: string; endedAt: string; kind: string; deviceSignature: string }[];

  test('upload: signed, with a progress bar; a retry returns the same clip', async () => {
    const { cameraId, state } = await enrolled();
    const started = new Date(Date.now() - 60_000).toISOString();
    const ended = new Date(Date.now() - 59_000).toISOString();
    const args = ['upload', fixturePath('clip.mp4'), '--started', started, '--ended', ended, '--kind', 'motion', '--state', state];
    let drawn = '';
    const io = { ...captureIo(), tty: { write: (s: string) => (drawn += s) } };
    assert.equal(await runCameraCli(args, io), 0, io.errors.join('\n'));
    assert.match(io.lines[0], /^uploaded clip [0-9a-f]+ \(sha256 [0-9a-f]{64}\)$/);
    assert.match(drawn, /\[#{30}\] 100%/);
    const clips = await clipsOf(cameraId);
    assert.equal(clips.length, 1);
    assert.equal(clips[0].signed, true);
    assert.equal(clips[0].kind, 'motion');
    const cam = (await as(t, ann, { method: 'GET', url: `/api/v1/cameras/${cameraId}` })).json();
    const payload = clipSigningPayload({ cameraId, sha256: clips[0].sha256, startedAt: clips[0].startedAt, endedAt: clips[0].endedAt, kind: 'motion' });
    assert.equal(verifyClipSignature(cam.device.publicKey, payload, clips[0].deviceSignature), true, 'the stored signature verifies later');

    const again = captureIo();
    assert.equal(await runCameraCli(args, again), 0);
    assert.equal(again.lines[0], io.lines[0], 'the same clip, not a second one');
    assert.equal((await clipsOf(cameraId)).length, 1);
  });

  test('upload: the server’s refusals are reported and not retried', async () => {
    const { cameraId, state } = await enrolled();
    const now = Date.now();
    const base = ['--started', new Date(now - 5000).toISOString(), '--ended', new Date(now - 4000).toISOString(), '--kind', 'doorbell', '--state', state];
    const text = captureIo();
    assert.equal(await runCameraCli(['upload', fixturePath('text.txt'), ...base], text), 1);
    assert.match(text.errors.join('\n'), /upload refused: server answered 4(15|22)/);
    const backwards = captureIo();
    assert.equal(await runCameraCli(['upload', fixturePath('clip.mp4'), ...base.slice(0, 1), new Date(now).toISOString(), '--ended', new Date(now - 9000).toISOString(), '--kind', 'motion', '--state', state], backwards), 1);
    assert.match(backwards.errors.join('\n'), /server answered 400/);
    const missing = captureIo();
    assert.equal(await runCameraCli(['upload', path.join(tempDir(), 'nope.mp4'), ...base], missing), 2);
    assert.match(missing.errors.join('\n'), /is not a file/);
    const badKind = captureIo();
    assert.equal(await runCameraCli(['upload', fixturePath('clip.mp4'), ...base.slice(0, 4), '--kind', 'sneeze', '--state', state], badKind), 2);
    assert.equal((await clipsOf(cameraId)).length, 0);

    await as(t, ann, { method: 'DELETE', url: `/api/v1/cameras/${cameraId}/device-token` });
    const revoked = captureIo();
    assert.equal(await runCameraCli(['upload', fixturePath('clip.mp4'), ...base], revoked), 1);
    assert.match(revoked.errors.join('\n'), /401/);
  });

  test('upload: an unreachable server fails after the retries it was given', async () => {
    const { state } = await enrolled();
    pointAt(state, `http://127.0.0.1:${await freePort()}`);
    const io = captureIo();
    const now = Date.now();
    assert.equal(await runCameraCli(['upload', fixturePath('clip.mp4'), '--started', new Date(now - 2000).toISOString(), '--ended', new Date(now - 1000).toISOString(), '--kind', 'motion', '--retries', '0', '--state', state], io), 1);
    assert.match(io.errors.join('\n'), /after 1 attempts: network/);
  });

  test('watch: uploads stable clips, rejects bad ones, and resumes without duplicates', async () => {
    const { cameraId, state } = await enrolled();
    const dir = tempDir('clips-');
    fs.copyFileSync(fixturePath('clip.mp4'), path.join(dir, 'a.mp4'));
    fs.copyFileSync(fixturePath('clip-faststart.mp4'), path.join(dir, 'b.MP4'));
    // Other bytes than a.mp4: the same bytes twice on one camera are one clip.
    fs.writeFileSync(path.join(dir, 'c.mp4'), uniqueClip());
    const at = Date.now() - 120_000;
    fs.writeFileSync(path.join(dir, 'c.json'), JSON.stringify({ startedAt: new Date(at).toISOString(), endedAt: new Date(at + 1000).toISOString(), kind: 'glass_break' }));
    fs.copyFileSync(fixturePath('text.txt'), path.join(dir, 'bad.mp4'));
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a clip');
    const watch = (extra: string[] = []) => {
      const io = captureIo();
      return runCameraCli(['watch', dir, '--state', state, '--once', '--interval', '20', '--max-attempts', '3', ...extra], io).then((code) => ({ code, io }));
    };

    const first = await watch();
    assert.equal(first.code, 0, first.io.lines.join('\n'));
    assert.match(first.io.lines.at(-1)!, /3 uploaded, 1 rejected, 0 left/);
    const clips = await clipsOf(cameraId);
    assert.equal(clips.length, 3);
    assert.ok(clips.every((c) => c.signed));
    assert.deepEqual(clips.map((c) => c.kind).sort(), ['glass_break', 'motion', 'motion']);
    assert.equal(fs.readdirSync(dir).length, 6, 'nothing deleted without --delete');

    // A restart: the journal says everything is done.
    const second = await watch();
    assert.match(second.io.lines.at(-1)!, /0 uploaded, 0 rejected, 0 left/);

    // Even with the journal lost (a crash after the server's answer), nothing is stored twice.
    fs.rmSync(path.join(state, 'journal.jsonl'));
    const third = await watch();
    assert.match(third.io.lines.at(-1)!, /3 uploaded, 1 rejected/);
    assert.deepEqual((await clipsOf(cameraId)).map((c) => c.id).sort(), clips.map((c) => c.id).sort());

    // --delete removes acknowledged files only; the rejected one stays.
    const fourth = await watch(['--delete']);
    assert.equal(fourth.code, 0);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['bad.mp4', 'c.json', 'notes.txt']);
    assert.equal((await clipsOf(cameraId)).length, 3);
  });

  test('watch: a clip still being written is not sent until its size holds still', async () => {
    const { cameraId, state } = await enrolled();
    const dir = tempDir('clips-');
    const full = fs.readFileSync(fixturePath('clip.mp4'));
    const file = path.join(dir, 'growing.mp4');
    const parts = [full.subarray(0, 1000), full.subarray(1000, 4000), full.subarray(4000)];
    const { state: s, key } = loadState(state);
    const lines: string[] = [];
    const summary = await watchDirectory({
      dir, stateDir: state, target: { server: s.server, cameraId: s.cameraId, token: s.token, key, ffmpegPath: 'ffmpeg' }, kind: 'motion',
      intervalMs: 5, deleteAfterUpload: false, once: true, maxAttempts: 3, backoffBaseMs: 5, backoffMaxMs: 50, log: (l) => lines.push(l),
      // The recorder appends one part before each of the first three scans.
      onScan: (scan) => {
        if (scan <= parts.length) fs.appendFileSync(file, parts[scan - 1]);
      },
    });
    assert.deepEqual(summary, { uploaded: 1, rejected: 0, failed: 0 }, lines.join('\n'));
    const clips = await clipsOf(cameraId);
    assert.equal(clips.length, 1);
    assert.equal(clips[0].sha256, await hashFile(file), 'the complete file was sent');
  });

  test('watch: retries with backoff while the server is down, then uploads once it is up', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const { cameraId, state } = await enrolled();
    pointAt(state, url); // where no server listens yet
    const dir = tempDir('clips-');
    fs.copyFileSync(fixturePath('clip.mp4'), path.join(dir, 'late.mp4'));

    const io = captureIo();
    let finished = false;
    const run = runCameraCli(['watch', dir, '--state', state, '--once', '--interval', '10', '--backoff-ms', '20'], io).finally(() => (finished = true));
    // Wait (on the agent's output, not a clock) until it has failed twice, then start a second server on the port.
    while (!finished && io.lines.filter((l) => /network/.test(l)).length < 2) await new Promise((r) => setImmediate(r));
    assert.equal(finished, false, `the watcher stopped early: ${io.lines.join('\n')}`);
    const second = await buildTestApp(getDb());
    second.clock.set(Date.now());
    await second.app.listen({ port, host: '127.0.0.1' });
    try {
      assert.equal(await run, 0, io.lines.join('\n'));
    } finally {
      await second.app.close();
    }
    assert.ok(io.lines.some((l) => /will retry in/.test(l)));
    assert.match(io.lines.at(-1)!, /1 uploaded/);
    assert.equal((await clipsOf(cameraId)).length, 1);
  });
});
