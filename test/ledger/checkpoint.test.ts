// C2SP tlog-checkpoint bodies and RFC 8785 entries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CheckpointError, formatCheckpoint, openCheckpoint, parseCheckpoint, signCheckpoint } from '../../src/ledger/checkpoint.ts';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { EntryError, type LogEntry, canonicalText, clipCommitment, encodeEntry, entryCommitsTo, newClipSalt, parseEntry } from '../../src/ledger/entry.ts';
import { EMPTY_ROOT } from '../../src/ledger/merkle.ts';
import { NoteError, generateSigner } from '../../src/ledger/note.ts';
import { sha256, toBase64, toHex, utf8 } from '../../src/ledger/primitives.ts';

const root = sha256(utf8.encode('root'));

test('checkpoint bodies format and parse exactly', () => {
  const cp = { origin: 'porchlight.example/log', size: 12345, root, extensions: [] };
  const text = formatCheckpoint(cp);
  assert.equal(text, `porchlight.example/log\n12345\n${toBase64(root)}\n`);
  assert.deepEqual(parseCheckpoint(text), cp);
  const ext = { ...cp, extensions: ['ext one', 'two'] };
  assert.deepEqual(parseCheckpoint(formatCheckpoint(ext)), ext);
  assert.equal(parseCheckpoint(`o\n0\n${toBase64(EMPTY_ROOT)}\n`).size, 0);
  assert.equal(parseCheckpoint(`o\n9007199254740991\n${toBase64(root)}\n`).size, 2 ** 53 - 1);
});

test('malformed checkpoint bodies are typed errors', () => {
  const r = toBase64(root);
  const cases: [string, string][] = [
    [`o\n1\n${r}`, 'malformed'],
    [`o\n1\n`, 'malformed'],
    [`\n1\n${r}\n`, 'bad_origin'],
    [`o\n01\n${r}\n`, 'bad_size'],
    [`o\n-1\n${r}\n`, 'bad_size'],
    [`o\n+1\n${r}\n`, 'bad_size'],
    [`o\n1e3\n${r}\n`, 'bad_size'],
    [`o\n 1\n${r}\n`, 'bad_size'],
    [`o\n18446744073709551616\n${r}\n`, 'bad_size'],
    [`o\n9007199254740992\n${r}\n`, 'bad_size'],
    [`o\n1\n${r.slice(0, -4)}\n`, 'bad_root'],
    [`o\n1\n${r.replace('=', '')}\n`, 'bad_root'],
    [`o\n1\n${toBase64(new Uint8Array(33))}\n`, 'bad_root'],
    [`o\n1\n${r}\n\nx\n`, 'bad_extension'],
  ];
  for (const [text, code] of cases) assert.throws(() => parseCheckpoint(text), (e: unknown) => e instanceof CheckpointError && e.code === code, JSON.stringify(text));
});

test('signed checkpoints open only with the right key and origin', () => {
  const log = generateSigner('porchlight.example/log');
  const other = generateSigner('porchlight.example/log');
  const cp = { origin: log.name, size: 3, root, extensions: [] };
  const signed = signCheckpoint(cp, log);
  assert.deepEqual(openCheckpoint(signed, log).checkpoint, cp);
  assert.throws(() => openCheckpoint(signed, other), (e: unknown) => e instanceof NoteError && e.code === 'no_known_signature');
  const elsewhere = signCheckpoint({ ...cp, origin: 'elsewhere.example/log' }, log);
  assert.throws(() => openCheckpoint(elsewhere, log), (e: unknown) => e instanceof CheckpointError && e.code === 'origin_mismatch');
  assert.throws(() => openCheckpoint(signed.replace('\n3\n', '\n4\n'), log), (e: unknown) => e instanceof NoteError && e.code === 'invalid_signature');
});

const entry: LogEntry = {
  v: 1, basis: 'warrant', agency: 'ag_123', ref: 'dm_456', reviewers: ['u2', 'u1'], time: '2026-11-26T21:38:01.000Z',
  clips: [clipCommitment(new Uint8Array(32).fill(1), sha256(utf8.encode('clip')))],
};

test('entries are RFC 8785 canonical JSON, keys sorted, no whitespace', () => {
  const bytes = encodeEntry(entry);
  const text = Buffer.from(bytes).toString();
  assert.equal(text, `{"agency":"ag_123","basis":"warrant","clips":["${entry.clips[0]}"],"ref":"dm_456","reviewers":["u2","u1"],"time":"2026-11-26T21:38:01.000Z","v":1}`);
  assert.deepEqual(parseEntry(bytes), entry);
  assert.deepEqual(parseEntry(encodeEntry({ ...entry, agency: null, basis: 'public_post' })).agency, null);
});

test('entries refuse personal data shapes, unknown fields and non-canonical bytes', () => {
  const bad = (e: unknown, code: string) => assert.throws(() => encodeEntry(e as LogEntry), (x: unknown) => x instanceof EntryError && x.code === code, JSON.stringify(e));
  bad({ ...entry, owner: 'u9' }, 'unknown_field');
  bad({ ...entry, email: 'a@b.example' }, 'unknown_field');
  bad({ ...entry, ref: 'someone@example.com' }, 'bad_field');
  bad({ ...entry, reviewers: ['Jane Doe'] }, 'bad_field');
  bad({ ...entry, agency: '' }, 'bad_field');
  bad({ ...entry, v: 3 }, 'bad_field');
  bad({ ...entry, time: 'yesterday' }, 'bad_field');
  bad({ ...entry, time: '2026-13-45T99:99:99Z' }, 'bad_field');
  bad({ ...entry, clips: ['ABC'] }, 'bad_field');
  bad({ ...entry, basis: 'made_up_kind' }, 'unknown_basis');
  bad({ ...entry, reviewers: Array.from({ length: 1001 }, (_, i) => `r${i}`) }, 'bad_field');
  bad({ ...entry, clips: Array.from({ length: 1000 }, () => entry.clips[0]), reviewers: Array.from({ length: 1000 }, (_, i) => `reviewer_${i}`) }, 'too_large');
  // A reader accepts a well-formed basis it does not know (a newer log), but not a non-canonical text.
  assert.equal(parseEntry(utf8.encode(`{"agency":null,"basis":"future_kind","clips":[],"ref":"r","reviewers":[],"time":"2026-01-01T00:00:00Z","v":1}`)).basis, 'future_kind');
  const canon = Buffer.from(encodeEntry(entry)).toString();
  for (const text of [canon.replace('{', '{ '), canon.replace('"agency":"ag_123",', '') + '', `${canon}\n`, canon.replace('"v":1', '"v":1.0'), '[]', 'null', '{']) {
    assert.throws(() => parseEntry(utf8.encode(text)), EntryError, text);
  }
  assert.throws(() => parseEntry(new Uint8Array([0xff])), EntryError);
});

test('clip commitments open only with the owner salt and the clip hash', () => {
  const salt = newClipSalt();
  const clip = sha256(utf8.encode('a clip'));
  const e = { ...entry, clips: [clipCommitment(salt, clip)] };
  assert.equal(e.clips[0], toHex(sha256(salt, clip)));
  assert.ok(entryCommitsTo(e, toHex(salt), toHex(clip)));
  assert.ok(!entryCommitsTo(e, toHex(newClipSalt()), toHex(clip)));
  assert.ok(!entryCommitsTo(e, toHex(salt), toHex(sha256(utf8.encode('another clip')))));
  assert.ok(!entryCommitsTo(e, 'zz', toHex(clip)));
});

test('property: the fast canonical text equals the general RFC 8785 canonicalizer', () => {
  const id = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,20}$/);
  fc.assert(fc.property(id, fc.option(id), fc.array(id, { maxLength: 4 }), fc.array(fc.stringMatching(/^[0-9a-f]{64}$/), { maxLength: 3 }), fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }),
    (ref, agency, reviewers, clips, time) => {
      const e: LogEntry = { v: 1, basis: 'subpoena', agency, ref, reviewers, time: time.toISOString(), clips };
      assert.equal(canonicalText(e), canonicalize(e));
      assert.deepEqual(parseEntry(encodeEntry(e)), e);
    }));
});
