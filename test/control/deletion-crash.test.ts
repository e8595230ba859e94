// Account deletion survives kill -9 (issue 14): the real server process is
// killed while it shreds an owner's clips, on SQLite and on PostgreSQL.
// Before the restart the database shows the deletion asked for; after it, the
// start-up resumes it to the end: every clip's key destroyed and its file
// gone, the account marked deleted. No clip is left half-shredded: a clip
// either still has its key and its file (not reached yet) or neither.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { freshTarget, postgresAvailable, tempDir } from '../helpers/db.ts';
import { uniqueClip } from '../clips/helpers.ts';
import { killServer, startServer } from '../helpers/server.ts';
import { nodeKeys } from '../helpers/nodes.ts';
import { openDatabase, type Engine } from '../../src/platform/db/db.ts';
import { DELETE_CONFIRMATION } from '../../src/control/policy.ts';

const CLIPS = 60;

async function call(base: string, method: string, url: string, opts: { token?: string; json?: unknown; body?: Buffer; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...(opts.headers ?? {}), ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) };
  let body: string | Blob | undefined = opts.body && new Blob([new Uint8Array(opts.body)]);
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  }
  const res = await fetch(base + url, { method, headers, body });
  return { status: res.status, json: res.headers.get('content-type')?.includes('json') ? await res.json() : null };
}

async function scenario(engine: Engine, t: { diagnostic(message: string): void }) {
  const dataDir = tempDir('porchlight-delete-crash-');
  const db = await freshTarget(engine);
  const env: Record<string, string> = { DATA_DIR: dataDir, DATABASE_URL: db.target.kind === 'postgres' ? db.target.url : `sqlite:${db.target.file}` };
  // A PostgreSQL node takes its keys from the settings, never from its own disk.
  if (db.target.kind === 'postgres') Object.assign(env, nodeKeys());
  let server = await startServer(env);
  try {
    const email = `leaving-${process.pid}@example.test`;
    const password = 'correct-horse-battery-9';
    assert.equal((await call(server.base, 'POST', '/api/v1/auth/register', { json: { email, password, displayName: 'Leaving', home: { lat: 45.5, lon: -122.6 } } })).status, 201);
    const token = (await call(server.base, 'POST', '/api/v1/auth/login', { json: { email, password } })).json.token as string;
    const cameraId = (await call(server.base, 'POST', '/api/v1/cameras', { token, json: { name: 'Porch', location: { lat: 45.5, lon: -122.6 }, kind: 'doorbell' } })).json.id as string;
    for (let i = 0; i < CLIPS; i++) {
      const startedAt = new Date(Date.now() - 60_000 * (i + 1)).toISOString();
      const qs = new URLSearchParams({ cameraId, startedAt, endedAt: new Date(Date.parse(startedAt) + 1000).toISOString(), kind: 'manual' });
      assert.equal((await call(server.base, 'POST', `/api/v1/clips?${qs}`, { token, body: uniqueClip(), headers: { 'content-type': 'video/mp4', 'idempotency-key': `c-${i}` } })).status, 201);
    }

    // Ask for the deletion, and kill the server as soon as it has shredded its first clip: it is then mid-way.
    const watcher = await openDatabase(db.target);
    const asked = call(server.base, 'POST', '/api/v1/me/deletion', { token, json: { password, confirm: DELETE_CONFIRMATION } }).catch(() => null);
    for (;;) {
      const shredded = await watcher.kysely.selectFrom('clips').select('id').where('deleted_at', 'is not', null).limit(1).executeTakeFirst();
      if (shredded) break;
      await new Promise((r) => setTimeout(r, 1));
    }
    await killServer(server);
    await asked;
    const blobFile = (key: string) => path.join(dataDir, 'blobs', key);
    const atKill = await watcher.kysely.selectFrom('clips').select(['id', 'wrapped_key', 'blob_key', 'deleted_at']).execute();
    for (const c of atKill) {
      const keyed = c.wrapped_key !== null;
      // A clip not reached yet keeps both; a shredded one has no key (its file may linger as an orphan the start-up sweep removes).
      assert.ok(keyed ? c.deleted_at === null && fs.existsSync(blobFile(c.blob_key!)) : c.deleted_at !== null, `clip ${c.id} is half-shredded`);
    }
    const remaining = atKill.filter((c) => c.wrapped_key !== null).length;
    t.diagnostic(`${engine}: killed with ${remaining} of ${CLIPS} clips not yet shredded`);

    server = await startServer(env);
    const after = await watcher.kysely.selectFrom('clips').select(['id', 'wrapped_key', 'blob_key', 'deleted_at']).execute();
    assert.equal(after.length, CLIPS);
    for (const c of after) {
      assert.equal(c.wrapped_key, null, `clip ${c.id} still has its key after the restart`);
      assert.ok(c.deleted_at !== null);
      if (c.blob_key) assert.ok(!fs.existsSync(blobFile(c.blob_key)), `clip ${c.id}'s file is still there`);
    }
    const u = await watcher.kysely.selectFrom('users').select(['deleted_at', 'password_hash']).where('email', 'like', 'deleted-%').executeTakeFirstOrThrow();
    assert.notEqual(u.deleted_at, null, 'the account is marked deleted');
    assert.equal((await call(server.base, 'POST', '/api/v1/auth/login', { json: { email, password } })).status, 401);
    await watcher.close();
  } finally {
    await killServer(server).catch(() => {});
    await db.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

test('kill -9 during an account deletion: the restart finishes it [sqlite]', (t) => scenario('sqlite', t));
test('kill -9 during an account deletion: the restart finishes it [postgres]', async (t) => {
  if (!(await postgresAvailable())) {
    if (process.env.CI) throw new Error('PostgreSQL is required under CI');
    return t.skip('PostgreSQL is not running');
  }
  await scenario('postgres', t);
});
