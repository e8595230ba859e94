// Crash safety (issue 3): start the real server process, acknowledge a few
// uploads, SIGKILL it in the middle of another upload, start it again on the
// same data directory. Afterwards the interrupted clip does not exist, no temp
// file or orphan blob is left, and every acknowledged clip decrypts to its SHA-256.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { freshTarget, postgresAvailable, tempDir } from '../helpers/db.ts';
import { clipSigningPayload, exportDevicePublicKey, signClipPayload } from '../../src/cameras/signature.ts';
import { openDatabase, type Engine } from '../../src/platform/db/db.ts';
import { fixturePath } from '../helpers/app.ts';
import { uniqueClip } from './helpers.ts';
import { nodeKeys } from '../helpers/nodes.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const NODE = path.join(ROOT, 'node_modules/.bin/node');

async function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(NODE, ['src/main.ts', 'serve', '--init'], { cwd: ROOT, env: { ...process.env, PORT: '0', DEMO: 'false', LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (b) => (err += b));
  const base = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (b) => {
      out += b;
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}): ${err}`)));
  });
  return { child, base };
}

async function call(base: string, method: string, url: string, opts: { token?: string; json?: unknown; body?: Buffer; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | Blob | undefined = opts.body && new Blob([new Uint8Array(opts.body)]);
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  }
  const res = await fetch(base + url, { method, headers, body });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, json: res.headers.get('content-type')?.includes('json') ? JSON.parse(bytes.toString('utf8')) : null, bytes };
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function crashScenario(engine: Engine) {
  const dataDir = tempDir('porchlight-crash-');
  const db = await freshTarget(engine);
  const env: Record<string, string> = { DATA_DIR: dataDir, MAX_UPLOAD_BYTES: String(512 * 1024 * 1024) };
  env.DATABASE_URL = db.target.kind === 'postgres' ? db.target.url : `sqlite:${db.target.file}`;
  // A PostgreSQL node needs the shared keys in its settings.
  if (db.target.kind === 'postgres') Object.assign(env, nodeKeys());
  let server = await startServer(env);
  try {
    // A resident, a camera and an enrolled device, through the public API.
    const email = `crash-${process.pid}@example.test`;
    const password = 'correct-horse-battery-9';
    assert.equal((await call(server.base, 'POST', '/api/v1/auth/register', { json: { email, password, displayName: 'Crash', home: { lat: 45.5, lon: -122.6 } } })).status, 201);
    const session = (await call(server.base, 'POST', '/api/v1/auth/login', { json: { email, password } })).json.token as string;
    const cameraId = (await call(server.base, 'POST', '/api/v1/cameras', { token: session, json: { name: 'Porch', location: { lat: 45.5, lon: -122.6 }, kind: 'doorbell' } })).json.id as string;
    const code = (await call(server.base, 'POST', `/api/v1/cameras/${cameraId}/enrolment-code`, { token: session })).json.code as string;
    const keys = generateKeyPairSync('ed25519');
    const device = (await call(server.base, 'POST', '/api/v1/devices/enroll', { json: { code, publicKey: exportDevicePublicKey(keys.publicKey) } })).json.token as string;

    const body = fs.readFileSync(fixturePath('clip.mp4'));
    const acknowledged: { id: string; sha256: string }[] = [];
    for (let i = 0; i < 3; i++) {
      // Three distinct clips: the same bytes again would be answered as a duplicate.
      const clip = uniqueClip();
      const startedAt = new Date(Date.now() - 60_000 * (i + 1)).toISOString();
      const endedAt = new Date(Date.now() - 60_000 * (i + 1) + 1000).toISOString();
      const sig = signClipPayload(keys.privateKey, clipSigningPayload({ cameraId, sha256: sha(clip), startedAt, endedAt, kind: 'motion' }));
      const res = await call(server.base, 'POST', `/api/v1/clips?${new URLSearchParams({ cameraId, startedAt, endedAt, kind: 'motion' })}`, {
        token: device, body: clip, headers: { 'content-type': 'video/mp4', 'x-device-signature': sig, 'idempotency-key': `ack-${i}` },
      });
      assert.equal(res.status, 201, res.bytes.toString());
      acknowledged.push(res.json);
    }

    // A client that gives up half-way: the server removes its spool by itself.
    const tmp = path.join(dataDir, 'tmp');
    const spooling = () => fs.readdirSync(tmp).some((f) => (fs.statSync(path.join(tmp, f), { throwIfNoEntry: false })?.size ?? 0) > 2 * 1024 * 1024);
    const partial = (key: string) => {
      const now = Date.now();
      const req = http.request(`${server.base}/api/v1/clips?${new URLSearchParams({ cameraId, startedAt: new Date(now - 5000).toISOString(), endedAt: new Date(now).toISOString(), kind: 'motion' })}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${device}`, 'content-type': 'video/mp4', 'x-device-signature': 'AAAA', 'idempotency-key': key, 'content-length': String(256 * 1024 * 1024) },
      });
      req.on('error', () => {});
      req.write(body);
      return req;
    };
    const chunk = Buffer.alloc(1024 * 1024, 1);
    const abandoned = partial('abandoned');
    while (!spooling()) if (!abandoned.write(chunk)) await once(abandoned, 'drain');
    abandoned.destroy();
    while (fs.readdirSync(tmp).length > 0) await new Promise((r) => setImmediate(r));

    // The interrupted upload: send part of a large body, wait until the server
    // is spooling it (a temp file with bytes in it), then kill the server.
    const req = partial('interrupted');
    while (!spooling()) if (!req.write(chunk)) await once(req, 'drain');
    server.child.kill('SIGKILL');
    await once(server.child, 'exit');
    req.destroy();
    assert.ok(fs.readdirSync(tmp).length > 0, 'the crash left a temp file behind');

    // Restart on the same data directory.
    server = await startServer(env);
    assert.deepEqual(fs.readdirSync(tmp), [], 'start-up sweep removed the temp file');

    const check = await openDatabase(db.target, { migrate: false });
    try {
      const rows = await check.kysely.selectFrom('clips').selectAll().execute();
      assert.deepEqual(rows.map((r) => r.id).sort(), acknowledged.map((a) => a.id).sort(), 'only acknowledged clips exist');
      assert.equal(rows.some((r) => r.idempotency_key === 'interrupted'), false);
      // Every blob on disk belongs to a row: no orphans.
      const live = new Set(rows.flatMap((r) => [r.blob_key, r.thumbnail_key]).filter(Boolean));
      const onDisk = (fs.readdirSync(path.join(dataDir, 'blobs'), { recursive: true, withFileTypes: true }) as fs.Dirent[])
        .filter((e) => e.isFile())
        .map((e) => path.relative(path.join(dataDir, 'blobs'), path.join(e.parentPath, e.name)).split(path.sep).join('/'));
      for (const key of onDisk) assert.ok(live.has(key), `orphan blob ${key}`);
    } finally {
      await check.close();
    }
    for (const a of acknowledged) {
      const video = await call(server.base, 'GET', `/api/v1/clips/${a.id}/video`, { token: session });
      assert.equal(video.status, 200);
      assert.equal(sha(video.bytes), a.sha256, 'acknowledged clip intact');
    }
  } finally {
    server.child.kill('SIGKILL');
    await once(server.child, 'exit').catch(() => {});
    await db.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

test('an abandoned upload and a SIGKILL mid-upload leave no partial clip, temp file or orphan blob [sqlite]', () => crashScenario('sqlite'));

test('an abandoned upload and a SIGKILL mid-upload leave no partial clip, temp file or orphan blob [postgres]', async (t) => {
  if (!(await postgresAvailable())) {
    if (process.env.CI === 'true') throw new Error('PostgreSQL is required under CI');
    return t.skip('no PostgreSQL server');
  }
  await crashScenario('postgres');
});
