// The end-to-end envelope and its HPKE-sealed key: what the agent seals (node:crypto)
// the browser's code (WebCrypto, envelope.ts) opens, ranges included; and every
// malformed or altered envelope, sealed key or backup fails with a clear error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import fc from 'fast-check';
import {
  checkEnvelope, ENVELOPE_CHUNK, ENVELOPE_HEADER_SIZE, EnvelopeError, envelopeRangeFor, envelopeSize, importContentKey, openEnvelopeRange, parseEnvelopeHeader,
} from '../../src/platform/sealed/envelope.ts';
import { newEnvelope } from '../../src/platform/sealed/envelope-seal.ts';
import { checkPublicKey, generateRawKeyPair, importKeyPair, openSecret, rewrap, sealSecret, SEALED_KEY_SIZE, SealError } from '../../src/platform/sealed/hpke.ts';
import { BackupError, makeBackup, openBackup, parseBackup } from '../../src/platform/sealed/keybackup.ts';

async function seal(plain: Buffer) {
  const env = newEnvelope(plain.length);
  const bytes = await buffer(Readable.from([plain]).pipe(env.stream));
  return { ...env, bytes };
}

async function openRange(bytes: Buffer, key: Buffer, start: number, end: number) {
  const h = checkEnvelope(bytes.subarray(0, ENVELOPE_HEADER_SIZE), bytes.length);
  const r = envelopeRangeFor(h.plainSize, start, end);
  return Buffer.from(await openEnvelopeRange(await importContentKey(key), h, start, end, bytes.subarray(r.start, r.end + 1)));
}

test('what the agent seals, the browser code opens, whole and by range', async () => {
  const plain = randomBytes(3 * ENVELOPE_CHUNK + 1234);
  const { bytes, contentKey } = await seal(plain);
  assert.equal(bytes.length, envelopeSize(plain.length));
  assert.deepEqual(await openRange(bytes, contentKey, 0, plain.length - 1), plain);
  assert.deepEqual(await openRange(bytes, contentKey, ENVELOPE_CHUNK - 5, 2 * ENVELOPE_CHUNK + 7), plain.subarray(ENVELOPE_CHUNK - 5, 2 * ENVELOPE_CHUNK + 8));
  assert.deepEqual(await openRange(bytes, contentKey, plain.length - 1, plain.length - 1), plain.subarray(plain.length - 1));
});

test('any range of any size opens to exactly the plaintext bytes (property)', async () => {
  await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 4 * ENVELOPE_CHUNK }), fc.nat(), fc.nat(), async (size, a, b) => {
    const plain = randomBytes(size);
    const { bytes, contentKey } = await seal(plain);
    const [s, e] = [a % size, b % size].sort((x, y) => x - y);
    assert.deepEqual(await openRange(bytes, contentKey, s, e), plain.subarray(s, e + 1));
  }), { numRuns: 40 });
});

test('a flipped bit in any chunk, a swapped chunk, or another key fails with a clear error and no bytes', async () => {
  const plain = randomBytes(2 * ENVELOPE_CHUNK + 10);
  const { bytes, contentKey } = await seal(plain);
  const flipped = Buffer.from(bytes);
  flipped[ENVELOPE_HEADER_SIZE + ENVELOPE_CHUNK + 100] ^= 1;
  await assert.rejects(openRange(flipped, contentKey, 0, plain.length - 1), (e: unknown) => e instanceof EnvelopeError && /chunk 1 failed authentication/.test(e.message));
  const swapped = Buffer.from(bytes);
  const c0 = bytes.subarray(ENVELOPE_HEADER_SIZE, ENVELOPE_HEADER_SIZE + ENVELOPE_CHUNK + 16);
  const c1 = bytes.subarray(ENVELOPE_HEADER_SIZE + ENVELOPE_CHUNK + 16, ENVELOPE_HEADER_SIZE + 2 * (ENVELOPE_CHUNK + 16));
  c1.copy(swapped, ENVELOPE_HEADER_SIZE);
  c0.copy(swapped, ENVELOPE_HEADER_SIZE + ENVELOPE_CHUNK + 16);
  await assert.rejects(openRange(swapped, contentKey, 0, 10), EnvelopeError);
  await assert.rejects(openRange(bytes, randomBytes(32), 0, 10), EnvelopeError);
  // A header edited to claim another size no longer matches the chunks' AAD.
  const other = await seal(Buffer.from(plain));
  const spliced = Buffer.concat([other.bytes.subarray(0, ENVELOPE_HEADER_SIZE), bytes.subarray(ENVELOPE_HEADER_SIZE)]);
  await assert.rejects(openRange(spliced, contentKey, 0, 10), EnvelopeError);
});

test('the structure check refuses a plain MP4, a bad header and a wrong size or chunk count', async () => {
  const { bytes } = await seal(randomBytes(ENVELOPE_CHUNK + 1));
  assert.throws(() => checkEnvelope(Buffer.from('\0\0\0\x18ftypisom' + 'x'.repeat(40)), 100), /plain MP4/);
  assert.throws(() => checkEnvelope(bytes.subarray(0, 10), 10), /shorter than its 40-byte header/);
  assert.throws(() => checkEnvelope(bytes, bytes.length - 1), /makes/);
  assert.throws(() => checkEnvelope(bytes, bytes.length + 16), /in 2 chunks makes/);
  const v2 = Buffer.from(bytes.subarray(0, 40));
  v2[4] = 2;
  assert.throws(() => parseEnvelopeHeader(v2), /unknown envelope version 2/);
  const chunk = Buffer.from(bytes.subarray(0, 40));
  chunk.writeUInt32BE(4096, 8);
  assert.throws(() => parseEnvelopeHeader(chunk), /chunk size/);
  const agent = newEnvelope(5);
  agent.stream.end(Buffer.alloc(6));
  await assert.rejects(buffer(agent.stream), /grew past 5 bytes/);
});

test('HPKE: the secret opens only with the recipient key and beside its own header; re-wrapping carries it to another key', async () => {
  const owner = await generateRawKeyPair();
  const agency = await generateRawKeyPair();
  const header = randomBytes(40);
  const secret = { contentKey: randomBytes(32), plainSha256: createHash('sha256').update('x').digest(), signature: randomBytes(64) };
  const sealed = await sealSecret(owner.publicKey, header, secret);
  assert.equal(sealed.length, SEALED_KEY_SIZE);
  const ownerPair = await importKeyPair(owner);
  assert.equal(ownerPair.privateKey.extractable, false);
  assert.deepEqual(Buffer.from((await openSecret(ownerPair, header, sealed)).contentKey), secret.contentKey);
  await assert.rejects(openSecret(ownerPair, randomBytes(40), sealed), SealError);
  const agencyPair = await importKeyPair(agency);
  await assert.rejects(openSecret(agencyPair, header, sealed), /does not open with this key pair/);
  const forAgency = await rewrap(ownerPair, header, sealed, agency.publicKey);
  assert.deepEqual(Buffer.from((await openSecret(agencyPair, header, forAgency)).signature), secret.signature);
  await assert.rejects(openSecret(ownerPair, header, sealed.subarray(1)), /177 bytes/);
  assert.match(String(await checkPublicKey(new Uint8Array(32))), /all-zero/);
  assert.match(String(await checkPublicKey(new Uint8Array(31).fill(9))), /32 bytes/);
  assert.equal(await checkPublicKey(owner.publicKey), null);
  await assert.rejects(importKeyPair({ publicKey: owner.publicKey, privateKey: agency.privateKey }), /does not belong/);
});

test('a key backup opens only with its passphrase and refuses an edited or hostile file', async () => {
  const pair = await generateRawKeyPair();
  const cheap = { m: 256, t: 1, p: 1 };
  const backup = await makeBackup(pair, { subject: 'user:u1', keyId: 'k1' }, 'a long passphrase here', cheap);
  const text = JSON.stringify(backup);
  assert.ok(!text.includes(Buffer.from(pair.privateKey).toString('base64')));
  const back = await openBackup(parseBackup(text), 'a long passphrase here');
  assert.deepEqual(back.privateKey, pair.privateKey);
  await assert.rejects(openBackup(parseBackup(text), 'the wrong passphrase'), /passphrase is wrong/);
  await assert.rejects(openBackup({ ...backup, subject: 'user:u2' }, 'a long passphrase here'), /altered/);
  await assert.rejects(makeBackup(pair, { subject: 'user:u1', keyId: 'k1' }, 'short'), BackupError);
  assert.throws(() => parseBackup('not json'), /not JSON/);
  assert.throws(() => parseBackup(JSON.stringify({ ...backup, kdf: { ...backup.kdf, m: 2 ** 40 } })), /out-of-range/);
  assert.throws(() => parseBackup(JSON.stringify({ ...backup, format: 'x' })), /not a porchlight-key-backup-v1/);
});
