// The log's signing key: created once in DATA_DIR with mode 0600 and reused, or given by setting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../../src/config.ts';
import { LOG_KEY_FILE, loadLogSigner } from '../../src/ledger/keys.ts';
import { formatVerifierKey } from '../../src/ledger/note.ts';
import { tempDir } from '../helpers/db.ts';

test('the key is generated into DATA_DIR (0600) on first start and reused after', () => {
  const dataDir = path.join(tempDir(), 'data');
  const a = loadLogSigner({ dataDir, seedHex: '', origin: 'porchlight.test/log' });
  const file = path.join(dataDir, LOG_KEY_FILE);
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  const b = loadLogSigner({ dataDir, seedHex: '', origin: 'porchlight.test/log' });
  assert.equal(formatVerifierKey(a), formatVerifierKey(b));
  assert.deepEqual(fs.readdirSync(dataDir), [LOG_KEY_FILE]);
  fs.chmodSync(file, 0o644);
  assert.throws(() => loadLogSigner({ dataDir, seedHex: '', origin: 'porchlight.test/log' }), /chmod 600/);
  fs.rmSync(path.dirname(dataDir), { recursive: true });
});

test('LOG_SIGNING_KEY gives the key; a bad origin is a setting error', () => {
  const s = loadLogSigner({ dataDir: '/nonexistent', seedHex: '00'.repeat(32), origin: 'EnochRoot' });
  assert.equal(formatVerifierKey(s), 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop');
  assert.throws(() => loadLogSigner({ dataDir: '/nonexistent', seedHex: '00'.repeat(32), origin: 'has space' }), ConfigError);
});
