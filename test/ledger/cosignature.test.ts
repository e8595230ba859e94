// C2SP tlog-cosignature keys and lines, and the LOG_WITNESSES setting: what is
// accepted, and that each malformed form is refused with a reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../src/config.ts';
import { signCheckpoint } from '../../src/ledger/checkpoint.ts';
import {
  cosignatureLine, cosignerFromSeed, formatCosignerKey, formatCosignerVerifierKey, openCosignedCheckpoint, parseCosignerKey, parseCosignerVerifierKey, withCosignatures,
} from '../../src/ledger/cosignature.ts';
import { EMPTY_ROOT } from '../../src/ledger/merkle.ts';
import { NoteError, computeKeyId, formatVerifierKey, signerFromSeed } from '../../src/ledger/note.ts';
import { parseWitnessList } from '../../src/ledger/witnessing.ts';

const seed = new Uint8Array(32).fill(4);
const w = cosignerFromSeed('witness.test/w', seed);

test('a cosigner key ID uses type 0x04, so the same seed and name give another ID than a log key', () => {
  assert.equal(w.keyId, computeKeyId(w.name, new Uint8Array([0x04, ...w.publicKey])));
  assert.notEqual(w.keyId, signerFromSeed(w.name, seed).keyId);
  assert.deepEqual(parseCosignerVerifierKey(formatCosignerVerifierKey(w)), { name: w.name, keyId: w.keyId, publicKey: w.publicKey });
  assert.equal(parseCosignerKey(formatCosignerKey(w)).keyId, w.keyId);
});

test('malformed or mistyped witness keys are refused', () => {
  const vkey = formatCosignerVerifierKey(w);
  const bad = (k: string) => assert.throws(() => parseCosignerVerifierKey(k), NoteError, k);
  bad(formatVerifierKey(signerFromSeed('witness.test/w', seed))); // a log key (type 0x01)
  bad(vkey.replace(/\+[0-9a-f]{8}\+/, '+00000000+')); // wrong hash
  bad('witness.test/w+abc');
  bad(`bad name+${vkey.split('+').slice(1).join('+')}`);
  assert.throws(() => parseCosignerKey(vkey), NoteError);
});

test('a cosignature line has a positive timestamp, and appending lines keeps the note whole', () => {
  const log = signerFromSeed('log.test/log', new Uint8Array(32).fill(1));
  const note = signCheckpoint({ origin: log.name, size: 0, root: EMPTY_ROOT, extensions: [] }, log);
  const text = note.slice(0, note.indexOf('\n\n') + 1);
  assert.throws(() => cosignatureLine(text, w, 0), RangeError);
  const line = cosignatureLine(text, w, 1_700_000_000);
  const opened = openCosignedCheckpoint(withCosignatures(note, [line]), log, [w]);
  assert.deepEqual(opened.cosignatures.map((c) => [c.name, c.timestamp]), [['witness.test/w', 1_700_000_000]]);
  // A cosignature on another checkpoint's text does not verify on this one.
  const other = cosignatureLine(text.replace('\n0\n', '\n1\n'), w, 1_700_000_000);
  assert.throws(() => openCosignedCheckpoint(withCosignatures(note, [other]), log, [w]), (e: unknown) => e instanceof NoteError && e.code === 'invalid_signature');
  assert.throws(() => withCosignatures(note, ['not a line\n']), NoteError);
});

test('LOG_WITNESSES: comma-separated "URL VKEY" pairs; empty is none; a bad entry names itself', () => {
  const vkey = formatCosignerVerifierKey(w);
  assert.deepEqual(parseWitnessList(''), []);
  const list = parseWitnessList(`https://w1.test/ ${vkey}, http://127.0.0.1:9000 ${vkey}`);
  assert.deepEqual(list.map((x) => x.url), ['https://w1.test', 'http://127.0.0.1:9000']);
  for (const [raw, message] of [
    ['https://w1.test', /entry 1 must be "URL VKEY"/],
    [`ftp://w1.test ${vkey}`, /http or https/],
    [`not-a-url ${vkey}`, /not a URL/],
    [`https://w1.test ${vkey},https://w2.test nope`, /entry 2/],
  ] as const) {
    assert.throws(() => parseWitnessList(raw), (e: unknown) => e instanceof ConfigError && e.setting === 'LOG_WITNESSES' && message.test(e.message), raw);
  }
});

test('a bad LOG_WITNESSES stops `serve` with one line naming the setting', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'porchlight-witnesses-'));
  const r = spawnSync(process.execPath, [path.resolve(import.meta.dirname, '../../src/main.ts'), 'serve', '--init'], {
    encoding: 'utf8', env: { ...process.env, DATA_DIR: dataDir, PORT: '0', DEMO: 'false', LOG_LEVEL: 'silent', DATABASE_URL: '', LOG_WITNESSES: 'https://w1.test not-a-key' },
  });
  assert.equal(r.status, 2, r.stderr);
  // After the DATA_DIR line every command prints.
  assert.match(r.stderr, /^porchlight: bad setting LOG_WITNESSES: entry 1: /m);
});
