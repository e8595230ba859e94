import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig, missingNodeKeys } from '../../src/config.ts';

const main = path.resolve(import.meta.dirname, '../../src/main.ts');
const cli = (...args: string[]) => spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', env: { ...process.env, DATA_DIR: path.join(import.meta.dirname, '.never-created') } });

test('defaults: SQLite in DATA_DIR, port 8080, origin from host', () => {
  const c = loadConfig({});
  assert.equal(c.PORT, 8080);
  assert.equal(c.HOST, '127.0.0.1');
  assert.equal(c.database.kind, 'sqlite');
  assert.match(c.database.kind === 'sqlite' ? c.database.file : '', /porchlight\.db$/);
  assert.equal(c.logOrigin, 'localhost:8080/log');
  assert.equal(c.secureCookies, false);
});

test('a postgres URL selects PostgreSQL; https PUBLIC_URL makes cookies Secure', () => {
  const c = loadConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/x', PUBLIC_URL: 'https://watch.example.org' });
  assert.deepEqual(c.database, { kind: 'postgres', url: 'postgres://postgres@127.0.0.1:5432/x' });
  assert.equal(c.secureCookies, true);
  assert.equal(c.logOrigin, 'watch.example.org/log');
});

test('BLOB_URL: s3://bucket/prefix with the standard AWS variables; unset keeps DATA_DIR', () => {
  assert.equal(loadConfig({}).BLOB_URL, '');
  const c = loadConfig({ BLOB_URL: 's3://porch-clips/city/', AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:9000' });
  assert.equal(c.BLOB_URL, 's3://porch-clips/city');
  assert.equal(c.AWS_ENDPOINT_URL, 'http://127.0.0.1:9000');
});

test('flags override the environment', () => {
  assert.equal(loadConfig({ PORT: '9000' }, { port: '9100' }).PORT, 9100);
});

test('bad settings name the setting and the problem', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ PORT: 'eighty' }, /^PORT: must be a whole number/],
    [{ PORT: '70000' }, /^PORT: must be between 0 and 65535/],
    [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL: must use/],
    [{ PUBLIC_URL: 'not a url' }, /^PUBLIC_URL: must be a URL/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL: must be one of/],
    [{ MASTER_KEY: 'abc' }, /^MASTER_KEY: must be 64 hexadecimal/],
    [{ DEMO: 'maybe' }, /^DEMO: must be true or false/],
    [{ BLOB_URL: 'http://bucket/x' }, /^BLOB_URL: must be s3:\/\/bucket/],
    [{ BLOB_URL: 's3://Bad_Bucket/x' }, /^BLOB_URL: must be s3:\/\/bucket/],
    [{ BLOB_URL: 's3://bucket/../x', AWS_REGION: 'us-east-1' }, /^BLOB_URL: must be s3:\/\/bucket/],
    [{ BLOB_URL: 's3://bucket/clips' }, /^AWS_REGION: must be set with BLOB_URL/],
    [{ BLOB_URL: 's3://bucket/clips', AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIA' }, /^AWS_SECRET_ACCESS_KEY: .* go together/],
    [{ AWS_ENDPOINT_URL: 'ftp://x' }, /^AWS_ENDPOINT_URL: must use/],
  ];
  for (const [env, re] of cases) {
    assert.throws(() => loadConfig(env), (e: unknown) => e instanceof ConfigError && re.test(e.message));
  }
});

test('CLI: a bad setting stops start-up with one clear line and exit code 2', () => {
  const r = cli('serve', '--port', 'abc');
  assert.equal(r.status, 2);
  assert.equal(r.stderr.trim(), 'porchlight: bad setting PORT: must be a whole number, got "abc"');
});

test('with PostgreSQL, serve refuses to start without the shared keys and names each missing one', () => {
  const env = { ...process.env, DATA_DIR: path.join(import.meta.dirname, '.never-created'), DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none', MASTER_KEY: '', LOG_SIGNING_KEY: '', VAPID_PRIVATE_KEY: '' };
  const r = spawnSync(process.execPath, [main, 'serve'], { encoding: 'utf8', env });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr.trim(), /^porchlight: bad setting MASTER_KEY: MASTER_KEY, LOG_SIGNING_KEY, VAPID_PRIVATE_KEY must be set with a PostgreSQL DATABASE_URL/);
  const keys = spawnSync(process.execPath, [main, 'keys'], { encoding: 'utf8' });
  assert.equal(keys.status, 0);
  const given = Object.fromEntries(keys.stdout.trim().split('\n').map((l) => l.split('=') as [string, string]));
  assert.deepEqual(Object.keys(given), ['MASTER_KEY', 'LOG_SIGNING_KEY', 'VAPID_PRIVATE_KEY']);
  const partial = spawnSync(process.execPath, [main, 'serve'], { encoding: 'utf8', env: { ...env, MASTER_KEY: given.MASTER_KEY } });
  assert.match(partial.stderr, /bad setting LOG_SIGNING_KEY: LOG_SIGNING_KEY, VAPID_PRIVATE_KEY must be set/);
  // Every key parses as its setting; SQLite (one node) still generates them into DATA_DIR.
  const c = loadConfig({ DATABASE_URL: 'postgres://x@127.0.0.1/y', ...given });
  assert.deepEqual(missingNodeKeys(c), []);
  assert.deepEqual(missingNodeKeys(loadConfig({})), []);
  assert.throws(() => loadConfig({ VAPID_PRIVATE_KEY: 'A'.repeat(43) }), /VAPID_PRIVATE_KEY: must be a P-256 private key/);
});

test('CLI: --help on every command', () => {
  const top = cli('--help');
  assert.equal(top.status, 0);
  for (const name of ['serve', 'demo', 'admin']) {
    assert.match(top.stdout, new RegExp(`\\b${name}\\b`));
    const r = cli(name, '--help');
    assert.equal(r.status, 0, `${name} --help: ${r.stderr}`);
    assert.match(r.stdout, /porchlight /);
  }
  const unknown = cli('frobnicate');
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown command/);
});
