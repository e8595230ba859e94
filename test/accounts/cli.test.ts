import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { openDatabase } from '../../src/platform/db/db.ts';
import { tempDir } from '../helpers/db.ts';

const main = path.resolve(import.meta.dirname, '../../src/main.ts');

test('admin create-user makes a staff account that must enrol TOTP', async () => {
  const dir = tempDir();
  const run = (...args: string[]) => spawnSync(process.execPath, [main, 'admin', 'create-user', ...args], { encoding: 'utf8', env: { ...process.env, DATA_DIR: dir, LOG_LEVEL: 'silent' } });
  const ok = run('--role', 'reviewer', '--email', 'Rev@Example.test', '--password', 'a-long-reviewer-pass', '--name', 'Rev', '--init');
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /created reviewer rev@example\.test/);
  const dup = run('--role', 'reviewer', '--email', 'rev@example.test', '--password', 'a-long-reviewer-pass', '--name', 'Rev');
  assert.equal(dup.status, 1);
  assert.match(dup.stderr, /already exists/);
  const badRole = run('--role', 'resident', '--email', 'x@example.test', '--password', 'a-long-reviewer-pass', '--name', 'X');
  assert.equal(badRole.status, 2);
  const weak = run('--role', 'admin', '--email', 'y@example.test', '--password', 'short', '--name', 'Y');
  assert.equal(weak.status, 1);
  assert.match(weak.stderr, /at least 12/);
  const db = await openDatabase({ kind: 'sqlite', file: path.join(dir, 'porchlight.db') });
  try {
    const rows = await db.kysely.selectFrom('users').select(['email', 'role', 'totp_enabled']).execute();
    assert.deepEqual(rows, [{ email: 'rev@example.test', role: 'reviewer', totp_enabled: 0 }]);
  } finally {
    await db.close();
  }
});
