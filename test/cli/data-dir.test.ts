// A command refuses to make a fresh DATA_DIR or database without --init, and
// every command says which DATA_DIR and database it uses (issue 19).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createECDH, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { FreshDataDirRefused, describeDatabase, openDataDir } from '../../src/cli/data-dir.ts';
import { forEachEngine, freshTarget, tempDir } from '../helpers/db.ts';

const main = path.resolve(import.meta.dirname, '../../src/main.ts');
const createUser = (dataDir: string, ...extra: string[]) => spawnSync(process.execPath, [main, 'admin', 'create-user', '--role', 'reviewer', '--email', 'rev@example.test', '--password', 'a-long-reviewer-pass', '--name', 'Rev', ...extra], {
  encoding: 'utf8', env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'silent' },
});

test('admin create-user on a DATA_DIR that does not exist: refused with the way out, nothing created', () => {
  const parent = tempDir();
  const dataDir = path.join(parent, 'data');
  const r = createUser(dataDir);
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trim().split('\n');
  assert.deepEqual(lines, [
    `porchlight: DATA_DIR ${dataDir} · database sqlite ${path.join(dataDir, 'porchlight.db')}`,
    `porchlight: DATA_DIR ${dataDir} does not exist; run again with --init to create it, or point DATA_DIR/DATABASE_URL at an existing instance`,
  ]);
  assert.deepEqual(fs.readdirSync(parent), [], 'no DATA_DIR, no database, no key file');
});

test('an existing but empty DATA_DIR: refused, and the directory stays empty', () => {
  const dataDir = tempDir();
  const r = createUser(dataDir);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /there is no database \(sqlite .*porchlight\.db\); run again with --init/);
  assert.deepEqual(fs.readdirSync(dataDir), []);
});

test('with --init the command creates the instance, says so on stderr, and stdout holds only its answer', () => {
  const dataDir = path.join(tempDir(), 'data');
  const first = createUser(dataDir, '--init');
  assert.equal(first.status, 0, first.stderr);
  assert.equal(first.stderr, `porchlight: DATA_DIR ${dataDir} · database sqlite ${path.join(dataDir, 'porchlight.db')} (new)\n`);
  assert.match(first.stdout, /^created reviewer rev@example\.test \(id [0-9a-f]+\); TOTP enrolment is required at first sign-in\n$/);
  assert.ok(fs.existsSync(path.join(dataDir, 'porchlight.db')));
  // Now it exists: no --init needed, and no "(new)".
  const again = createUser(dataDir);
  assert.equal(again.status, 1);
  assert.equal(again.stderr.split('\n')[0], `porchlight: DATA_DIR ${dataDir} · database sqlite ${path.join(dataDir, 'porchlight.db')}`);
  assert.match(again.stderr, /already exists/);
});

test('the PostgreSQL URL is printed without its password', () => {
  const keys = { MASTER_KEY: randomBytes(32).toString('hex'), LOG_SIGNING_KEY: randomBytes(32).toString('hex') };
  const c = loadConfig({ DATABASE_URL: 'postgres://porch:s3cret@db.internal:5432/porchlight', ...keys });
  assert.equal(describeDatabase(c), 'postgres postgres://porch:***@db.internal:5432/porchlight');
});

function vapidKey(): string {
  const e = createECDH('prime256v1');
  e.generateKeys();
  return Buffer.concat([Buffer.alloc(32), e.getPrivateKey()]).subarray(-32).toString('base64url');
}

forEachEngine('openDataDir', (getDb, engine) => {
  const configFor = (dataDir: string, target: { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string }) => loadConfig({
    DATA_DIR: dataDir,
    DATABASE_URL: target.kind === 'sqlite' ? `sqlite:${target.file}` : target.url,
    ...(engine === 'postgres' ? { MASTER_KEY: randomBytes(32).toString('hex'), LOG_SIGNING_KEY: randomBytes(32).toString('hex'), VAPID_PRIVATE_KEY: vapidKey() } : {}),
  });

  test('a database without the schema is fresh: refused without init, allowed with it', async () => {
    const fresh = await freshTarget(engine);
    try {
      const lines: string[] = [];
      const config = configFor(tempDir(), fresh.target);
      await assert.rejects(openDataDir(config, { init: false, print: (l) => lines.push(l) }), (err: unknown) => err instanceof FreshDataDirRefused && /there is no database .*--init/.test(err.message));
      assert.deepEqual(await openDataDir(config, { init: true, print: (l) => lines.push(l) }), { fresh: true });
      assert.match(lines[0]!, new RegExp(`^porchlight: DATA_DIR .* · database ${engine} `));
      assert.match(lines[1]!, / \(new\)$/);
      if (fresh.target.kind === 'sqlite') assert.equal(fs.existsSync(fresh.target.file), false, 'openDataDir creates nothing itself');
    } finally {
      await fresh.drop();
    }
  });

  test('a migrated database in an existing DATA_DIR is opened without init', async () => {
    const lines: string[] = [];
    assert.deepEqual(await openDataDir(configFor(tempDir(), getDb().target), { init: false, print: (l) => lines.push(l) }), { fresh: false });
    assert.equal(lines.length, 1);
    assert.doesNotMatch(lines[0]!, /\(new\)/);
  });
});
