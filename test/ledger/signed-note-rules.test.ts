// Checked by a client we did not write (issue 18, part 3): a second, minimal
// reader of signed notes written from the text of C2SP signed-note and
// tlog-cosignature alone (node:crypto's Ed25519 via JWK, none of src/ledger's
// parsing), first proved on the specs' own examples, then run on our
// checkpoints with real witnesses' cosignatures.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPublicKey, verify } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { cosignedMessage, formatCosignerVerifierKey, openCosignedCheckpoint, withCosignatures } from '../../src/ledger/cosignature.ts';
import { NoteError, formatVerifierKey, openNote, parseVerifierKey } from '../../src/ledger/note.ts';
import { formatAddCheckpoint, parseAddCheckpoint } from '../../src/ledger/witness-protocol.ts';
import { MemoryLog, type TestWitness, startWitness } from '../witness/helpers.ts';

const VECTORS = path.join(import.meta.dirname, 'vectors', 'c2sp');
const vector = (f: string) => fs.readFileSync(path.join(VECTORS, f), 'utf8');

// ---- the independent reader, from the specs' text ----------------------------

interface SpecKey { name: string; id: number; type: number; key: Buffer }

/** signed-note §Verifier keys: <name>+hex(key ID)+base64(type || public key); the ID must be the recommended hash. */
function specKey(vkey: string): SpecKey {
  // Names have no "+" (signed-note §Format); base64 may, so only the first two split.
  const [name, hex, ...b64parts] = vkey.trim().split('+');
  const b64 = b64parts.join('+');
  const raw = Buffer.from(b64, 'base64');
  const id = createHash('sha256').update(Buffer.concat([Buffer.from(`${name}\n`), raw])).digest().readUInt32BE(0);
  assert.equal(hex, id.toString(16).padStart(8, '0'), 'key ID = SHA-256(name || 0x0A || type || key)[:4]');
  return { name, id, type: raw[0], key: raw.subarray(1) };
}

const ed25519 = (key: Buffer, msg: string, sig: Buffer) =>
  verify(null, Buffer.from(msg), createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: key.toString('base64url') }, format: 'jwk' }), sig);

/** signed-note §Format and §Signatures, with types 0x01 (signed-note) and 0x04 (tlog-cosignature). Returns the verified names. */
function specVerify(note: string, keys: SpecKey[]): { text: string; verified: string[] } {
  // "MUST be valid UTF-8 and MUST NOT contain any ASCII control characters … other than newline."
  assert.ok([...note].every((c) => c === '\n' || c.charCodeAt(0) >= 0x20), 'no control character but newline');
  // "the text is separated from the signatures by the last empty line in the note."
  const cut = note.lastIndexOf('\n\n');
  const text = note.slice(0, cut + 1);
  const lines = note.slice(cut + 2).split('\n');
  assert.equal(lines.pop(), '', 'every signature line ends in a newline');
  const verified: string[] = [];
  for (const line of lines) {
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/u.exec(line);
    if (!m) throw new Error(`not a signature line: ${line}`);
    const blob = Buffer.from(m[2], 'base64');
    const id = blob.readUInt32BE(0);
    // "Verifiers MUST ignore signatures from unknown keys, even if they share a name or ID (but not both)."
    const key = keys.find((k) => k.name === m[1] && k.id === id);
    if (!key) continue;
    let ok: boolean;
    if (key.type === 0x01) ok = ed25519(key.key, text, blob.subarray(4));
    else if (key.type === 0x04) {
      // tlog-cosignature: key ID || u64 big-endian timestamp || signature over "cosignature/v1\ntime T\n" || text.
      ok = blob.length === 76 && ed25519(key.key, `cosignature/v1\ntime ${blob.readBigUInt64BE(4)}\n${text}`, blob.subarray(12));
    } else throw new Error(`signature type ${key.type} is not used here`);
    // "If a signature from a known key fails to verify, clients SHOULD reject the whole note."
    if (!ok) throw new Error(`signature by ${key.name} does not verify`);
    verified.push(key.name);
  }
  // "If no signature from a known key verifies successfully, clients MUST reject the note."
  if (verified.length === 0) throw new Error('no known signature');
  return { text, verified };
}

// ---- the reader on the specs' examples --------------------------------------

test('the independent reader verifies the signed-note example, and rejects it changed by one character', () => {
  const key = specKey(vector('signed-note-example.vkey'));
  const note = vector('signed-note-example.note');
  assert.deepEqual(specVerify(note, [key]), { text: 'This is an example message.\n', verified: ['example.com/foo'] });
  assert.throws(() => specVerify(note.replace('example message', 'exemple message'), [key]), /does not verify/);
  // Our reader agrees on the same vector.
  assert.equal(openNote(note, [parseVerifierKey(vector('signed-note-example.vkey'))]).text, 'This is an example message.\n');
});

test('the intro note: the text keeps its inner empty line; with no known key, both readers reject it', () => {
  const note = vector('signed-note-intro.note');
  assert.throws(() => specVerify(note, []), /no known signature/);
  assert.throws(() => openNote(note, []), (e: unknown) => e instanceof NoteError && e.code === 'no_known_signature');
  assert.equal(note.slice(0, note.lastIndexOf('\n\n') + 1).split('\n').length, 5, 'four text lines, one of them empty');
});

test('the tlog-cosignature example: 76-byte blob, its timestamp, and our signed message byte for byte', () => {
  const note = vector('tlog-cosignature-example.note');
  const line = note.split('\n').find((l) => l.startsWith('\u2014 witness.example.com/w1 '))!;
  const blob = Buffer.from(line.split(' ')[2], 'base64');
  assert.equal(blob.length, 4 + 8 + 64);
  const ts = Number(blob.readBigUInt64BE(4));
  assert.equal(ts, 1679315147);
  const text = note.slice(0, note.lastIndexOf('\n\n') + 1);
  assert.equal(cosignedMessage(text, ts), vector('tlog-cosignature-message.txt'));
});

test('the tlog-witness examples: the request body parses and formats back byte for byte; the response is cosignature lines', () => {
  const body = vector('tlog-witness-request.txt');
  const req = parseAddCheckpoint(body);
  assert.equal(req.oldSize, 20852014);
  assert.equal(req.proof.length, 4);
  assert.ok(req.checkpoint.startsWith('example.com/behind-the-sofa\n20852163\n'));
  assert.equal(formatAddCheckpoint(req), body);
  const lines = vector('tlog-witness-response.txt').split('\n').slice(0, -1);
  assert.equal(lines.length, 3);
  for (const l of lines) {
    const blob = Buffer.from(l.split(' ')[2], 'base64');
    assert.equal(blob.length, 76);
    assert.ok(blob.readBigUInt64BE(4) > 0n, 'tlog-witness: the timestamp MUST NOT be zero');
  }
  assert.equal(withCosignatures(req.checkpoint, lines.map((l) => `${l}\n`)), `${req.checkpoint}${vector('tlog-witness-response.txt')}`);
});

// ---- the reader on our checkpoints -------------------------------------------

const log = new MemoryLog('porchlight.test/log', new Uint8Array(32).fill(3), 'main').grow(40);
const witnesses: TestWitness[] = [];
after(async () => Promise.all(witnesses.map((w) => w.close())));

test('our checkpoint, cosigned by two real witnesses, verifies by the rules of signed-note and tlog-cosignature', async () => {
  for (const name of ['witness.test/one', 'witness.test/two']) witnesses.push(await startWitness(name, [log]));
  const lines: string[] = [];
  for (const w of witnesses) {
    const res = await w.post(log.body(0));
    assert.equal(res.status, 200, res.text);
    lines.push(res.text);
  }
  const note = withCosignatures(log.checkpoint(), lines);
  const logKey = specKey(formatVerifierKey(log.signer));
  const [k1, k2] = witnesses.map((w) => specKey(formatCosignerVerifierKey(w.cosigner)));
  assert.equal(k1.type, 0x04, 'witness vkeys carry the cosignature type');
  assert.deepEqual(specVerify(note, [logKey, k1, k2]).verified, ['porchlight.test/log', 'witness.test/one', 'witness.test/two']);
  // Knowing only the log's key, the cosignatures are lines by unknown keys: ignored.
  assert.deepEqual(specVerify(note, [logKey]).verified, ['porchlight.test/log']);
  // A line with a witness's name but another key ID is "unknown", not an error, for both readers.
  const stranger = lines[0].replace(/ (\S)/u, (_, c: string) => ` ${c === 'A' ? 'B' : 'A'}`);
  const withStranger = withCosignatures(note, [stranger]);
  assert.deepEqual(specVerify(withStranger, [logKey, k1]).verified, ['porchlight.test/log', 'witness.test/one']);
  assert.equal(openCosignedCheckpoint(withStranger, log.signer, [witnesses[0].cosigner]).cosignatures.length, 1);
  // A forged cosignature (right name and ID, wrong bytes) fails the whole note, for both readers.
  const forged = withCosignatures(log.checkpoint(), [lines[0].replace(/^(\u2014 \S+ \S{20})\S{8}/u, '$1AAAAAAAA'), lines[1]]);
  assert.throws(() => specVerify(forged, [logKey, k1, k2]), /does not verify/);
  assert.throws(() => openCosignedCheckpoint(forged, log.signer, witnesses.map((w) => w.cosigner)), (e: unknown) => e instanceof NoteError && e.code === 'invalid_signature');
});
