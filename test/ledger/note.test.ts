// C2SP signed-note: known answers from Go's golang.org/x/mod/sumdb/note package
// documentation and tests and from the C2SP spec's example, and hostile input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  NoteError, computeKeyId, formatSignerKey, formatVerifierKey, generateSigner, openNote, parseSignerKey, parseVerifierKey,
  signNote, signerFromSeed,
} from '../../src/ledger/note.ts';

// From the package documentation of golang.org/x/mod/sumdb/note (note.go, "Example").
const PETER_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_SIG = '\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
// The same documentation's second signer; note_test.go derives it from an all-zero seed.
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const ENOCH_SIG = '\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';
// The example of https://c2sp.org/signed-note.
const FOO_VKEY = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
const FOO_NOTE = 'This is an example message.\n\n\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';

const code = (c: string) => (e: unknown) => e instanceof NoteError && e.code === c;

test('Go sumdb/note interop: the documented key signs the documented text to the documented line', () => {
  const signer = parseSignerKey(PETER_SKEY);
  assert.equal(signer.name, 'PeterNeumann');
  assert.equal(signer.keyId, 0xc74f20a3);
  assert.equal(formatVerifierKey(signer), PETER_VKEY);
  assert.equal(formatSignerKey(signer), PETER_SKEY);
  const msg = signNote(TEXT, signer);
  assert.equal(msg, `${TEXT}\n${PETER_SIG}`);
  const opened = openNote(msg, [parseVerifierKey(PETER_VKEY)]);
  assert.equal(opened.text, TEXT);
  assert.deepEqual(opened.verified.map((s) => [s.name, s.keyId]), [['PeterNeumann', 0xc74f20a3]]);
});

test('Go sumdb/note interop: the all-zero seed gives EnochRoot, and the doubly signed note opens', () => {
  const enoch = signerFromSeed('EnochRoot', new Uint8Array(32));
  assert.equal(formatVerifierKey(enoch), ENOCH_VKEY);
  const both = signNote(TEXT, parseSignerKey(PETER_SKEY), enoch);
  assert.equal(both, `${TEXT}\n${PETER_SIG}${ENOCH_SIG}`);
  const peterOnly = openNote(both, [parseVerifierKey(PETER_VKEY)]);
  assert.deepEqual(peterOnly.unverified.map((s) => s.name), ['EnochRoot']);
  const enochOnly = openNote(both, [parseVerifierKey(ENOCH_VKEY)]);
  assert.deepEqual(enochOnly.verified.map((s) => s.name), ['EnochRoot']);
});

test('C2SP signed-note spec example verifies', () => {
  const v = parseVerifierKey(FOO_VKEY);
  assert.equal(formatVerifierKey(v), FOO_VKEY);
  assert.equal(openNote(FOO_NOTE, [v]).text, 'This is an example message.\n');
});

test('key ID is SHA-256(name || 0x0A || 0x01 || pubkey)[:4]', () => {
  const s = generateSigner('log.example/one');
  const typed = new Uint8Array([1, ...s.publicKey]);
  assert.equal(computeKeyId(s.name, typed), s.keyId);
  assert.equal(parseVerifierKey(formatVerifierKey(s)).keyId, s.keyId);
  assert.deepEqual(parseSignerKey(formatSignerKey(s)).publicKey, s.publicKey);
});

test('malformed keys are typed errors', () => {
  for (const bad of [
    '', 'PeterNeumann', 'PeterNeumann+c74f20a3', 'PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
    'PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', 'Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
    'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T', 'PeterNeumann+c74f20a3+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
    'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW+extra',
  ]) {
    assert.throws(() => parseVerifierKey(bad), NoteError, JSON.stringify(bad));
  }
  assert.throws(() => parseSignerKey(PETER_VKEY), code('bad_key'));
  assert.throws(() => parseSignerKey(PETER_SKEY.replace('c74f20a3', 'c74f20a4')), code('bad_key'));
  // Every truncation of the signer key is refused, never accepted or crashed on.
  for (let i = 0; i < PETER_SKEY.length; i++) assert.throws(() => parseSignerKey(PETER_SKEY.slice(0, i)), NoteError);
});

test('hostile notes are rejected with typed errors, never a crash', () => {
  const v = parseVerifierKey(PETER_VKEY);
  const good = `${TEXT}\n${PETER_SIG}`;
  const cases: [string, string | Uint8Array, string][] = [
    ['wrong key name', `${TEXT}\n${PETER_SIG.replace('PeterNeumann', 'PeterNeuman')}`, 'no_known_signature'],
    ['unknown key', `${TEXT}\n${ENOCH_SIG}`, 'no_known_signature'],
    ['bad base64', `${TEXT}\n${PETER_SIG.replace('x08go/', 'x08go!')}`, 'bad_base64'],
    ['non-canonical base64', `${TEXT}\n${PETER_SIG.replace('AM=\n', 'AN=\n')}`, 'bad_base64'],
    ['control character', `${TEXT.replace('answer', 'ans\u0007wer')}\n${PETER_SIG}`, 'control_character'],
    ['carriage return', good.replace('\n', '\r\n'), 'control_character'],
    ['missing trailing newline', good.slice(0, -1), 'missing_newline'],
    ['no blank line', TEXT + PETER_SIG, 'no_signature_block'],
    ['no signatures', `${TEXT}\n`, 'missing_newline'],
    ['hyphen not em dash', `${TEXT}\n${PETER_SIG.replace('\u2014', '-')}`, 'malformed_signature'],
    ['no space', `${TEXT}\n${PETER_SIG.replace('PeterNeumann ', 'PeterNeumann')}`, 'malformed_signature'],
    ['short signature', `${TEXT}\n\u2014 PeterNeumann AAAA\n`, 'malformed_signature'],
    ['altered text', good.replace('answer', 'Answer'), 'invalid_signature'],
    ['truncated signature', `${TEXT}\n${PETER_SIG.slice(0, 40)}==\n`, 'bad_base64'],
    ['invalid UTF-8', new Uint8Array([...Buffer.from(TEXT), 0xff, 0x0a, 0x0a, ...Buffer.from(PETER_SIG)]), 'invalid_utf8'],
    ['lone surrogate', `${TEXT}\ud800\n\n${PETER_SIG}`, 'invalid_utf8'],
    ['oversize', 'a\n'.repeat(40_000) + `\n${PETER_SIG}`, 'too_large'],
    ['too many signatures', `${TEXT}\n${ENOCH_SIG.repeat(101)}`, 'too_many_signatures'],
    ['empty', '', 'no_signature_block'],
  ];
  for (const [what, msg, want] of cases) assert.throws(() => openNote(msg, [v]), code(want), what);
  assert.equal(openNote(good, [v]).text, TEXT);
  assert.throws(() => signNote('no newline', parseSignerKey(PETER_SKEY)), code('missing_newline'));
});

test('every single-byte corruption of a signed note is refused', () => {
  const v = parseVerifierKey(PETER_VKEY);
  const good = Buffer.from(`${TEXT}\n${PETER_SIG}`);
  for (let i = 0; i < good.length; i++) {
    const bad = new Uint8Array(good);
    bad[i] ^= 0x01;
    assert.throws(() => openNote(bad, [v]), NoteError, `byte ${i}`);
  }
});
