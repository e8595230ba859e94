// The camera agent against the real server, listening on a local port.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { forEachEngine, tempDir } from '../helpers/db.ts';
import { as, buildTestApp, createResident, type TestApp, type TestUser } from '../helpers/app.ts';
import { runCameraCli } from '../../src/cameras/agent.ts';
import { captureIo } from './agent-io.ts';

test('the porchlight CLI runs the agent (`porchlight camera …`)', () => {
  const main = path.resolve(import.meta.dirname, '../../src/main.ts');
  const help = spawnSync(process.execPath, [main, 'camera', 'enroll', '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /porchlight camera enroll --server URL --code CODE/);
  const bad = spawnSync(process.execPath, [main, 'camera', 'upload'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /exactly one FILE/);
});

forEachEngine('camera agent: enroll and status', (getDb) => {
  let t: TestApp;
  let ann: TestUser;
  let server: string;
  before(async () => {
    t = await buildTestApp(getDb());
    ann = await createResident(t);
    server = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => t.app.close());

  const newCode = async () => {
    const cam = (await as(t, ann, { method: 'POST', url: '/api/v1/cameras', payload: { name: 'Porch', location: { lat: 1, lon: 2 }, kind: 'doorbell' } })).json();
    const { code } = (await as(t, ann, { method: 'POST', url: `/api/v1/cameras/${cam.id}/enrolment-code` })).json();
    return { cameraId: cam.id as string, code: code as string };
  };

  test('every command answers --help', async () => {
    for (const cmd of [[], ['--help'], ['enroll', '--help'], ['upload', '--help'], ['watch', '--help'], ['status', '-h'], ['rotate-token', '--help']]) {
      const io = captureIo();
      assert.equal(await runCameraCli(cmd, io), 0, cmd.join(' '));
      assert.match(io.lines.join('\n'), /porchlight camera/);
    }
    const io = captureIo();
    assert.equal(await runCameraCli(['explode'], io), 2);
    assert.equal(await runCameraCli(['enroll', '--bogus'], io), 2);
    assert.match(io.errors.join('\n'), /bogus/);
  });

  test('enroll stores key, token and server privately; status checks the token', async () => {
    const { cameraId, code } = await newCode();
    const dir = path.join(tempDir(), 'agent');
    const io = captureIo();
    assert.equal(await runCameraCli(['enroll', '--server', server, '--code', code, '--state', dir], io), 0, io.errors.join('\n'));
    assert.match(io.lines[0], new RegExp(cameraId));
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
    for (const f of ['state.json', 'device-key.pem']) assert.equal(fs.statSync(path.join(dir, f)).mode & 0o777, 0o600, f);
    const state = JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8'));
    assert.equal(state.cameraId, cameraId);
    assert.equal(state.server, new URL(server).origin);
    assert.match(state.token, /^pld_/);
    assert.match(fs.readFileSync(path.join(dir, 'device-key.pem'), 'utf8'), /BEGIN PRIVATE KEY/);
    const cam = (await as(t, ann, { method: 'GET', url: `/api/v1/cameras/${cameraId}` })).json();
    assert.equal(cam.device.publicKey, state.publicKey);

    const st = captureIo();
    assert.equal(await runCameraCli(['status', '--state', dir], st), 0, st.errors.join('\n'));
    assert.match(st.lines.join('\n'), /token accepted; camera name "Porch"/);

    // The device rotates its token; the new one is stored and works, the old one does not.
    const oldToken = state.token;
    const rot = captureIo();
    assert.equal(await runCameraCli(['rotate-token', '--state', dir], rot), 0, rot.errors.join('\n'));
    const rotated = JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8'));
    assert.notEqual(rotated.token, oldToken);
    assert.equal(fs.statSync(path.join(dir, 'state.json')).mode & 0o777, 0o600);
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/devices/me', headers: { authorization: `Bearer ${oldToken}` } })).statusCode, 401);
    assert.equal(await runCameraCli(['status', '--state', dir], captureIo()), 0);

    // A second enrol into the same directory needs --force.
    const again = captureIo();
    assert.equal(await runCameraCli(['enroll', '--server', server, '--code', (await newCode()).code, '--state', dir], again), 2);
    assert.match(again.errors.join('\n'), /--force/);

    // After the owner revokes the token, status says so.
    await as(t, ann, { method: 'DELETE', url: `/api/v1/cameras/${cameraId}/device-token` });
    const revoked = captureIo();
    assert.equal(await runCameraCli(['status', '--state', dir], revoked), 1);
    assert.match(revoked.errors.join('\n'), /401/);

    // --force enrols this directory as another camera; the old camera's upload journal goes.
    fs.writeFileSync(path.join(dir, 'journal.jsonl'), '{"name":"a.mp4","size":1,"mtimeMs":1}\n');
    const other = await newCode();
    assert.equal(await runCameraCli(['enroll', '--server', server, '--code', other.code, '--state', dir, '--force'], captureIo()), 0);
    assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8')).cameraId, other.cameraId);
    assert.equal(fs.existsSync(path.join(dir, 'journal.jsonl')), false);
  });

  test('a used or wrong code is refused with the server’s reason, and nothing is stored', async () => {
    const { code } = await newCode();
    const first = path.join(tempDir(), 'a');
    assert.equal(await runCameraCli(['enroll', '--server', server, '--code', code, '--state', first], captureIo()), 0);
    const second = path.join(tempDir(), 'b');
    const io = captureIo();
    assert.equal(await runCameraCli(['enroll', '--server', server, '--code', code, '--state', second], io), 1);
    assert.match(io.errors.join('\n'), /already been used/);
    assert.equal(fs.existsSync(path.join(second, 'state.json')), false);

    const bad = captureIo();
    assert.equal(await runCameraCli(['enroll', '--server', 'ftp://example.test', '--code', code, '--state', second], bad), 2);
    assert.equal(await runCameraCli(['enroll', '--code', code, '--state', second], bad), 2);
    assert.equal(await runCameraCli(['status', '--state', second], bad), 1);
    assert.match(bad.errors.join('\n'), /no enrolment/);
  });

  test('a state file others can read is refused', async () => {
    const { code } = await newCode();
    const dir = path.join(tempDir(), 'loose');
    assert.equal(await runCameraCli(['enroll', '--server', server, '--code', code, '--state', dir], captureIo()), 0);
    fs.chmodSync(path.join(dir, 'state.json'), 0o644);
    const io = captureIo();
    assert.equal(await runCameraCli(['status', '--state', dir], io), 1);
    assert.match(io.errors.join('\n'), /chmod 600/);
  });
});
