import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  CLIP_SIGNATURE_VERSION, canonicalTime, clipSigningPayload, decodeBase64Strict, exportDevicePublicKey,
  normaliseDevicePublicKey, parseDevicePublicKey, signClipPayload, verifyClipSignature,
} from '../../src/cameras/signature.ts';

const hexToB64 = (h: string) => Buffer.from(h, 'hex').toString('base64');

// RFC 8032 §7.1, TEST 1 and TEST 2: proves the raw-key import is Ed25519 as specified.
const RFC8032 = [
  {
    secret: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    public: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature: 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    secret: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    public: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature: '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
];

test('RFC 8032 test vectors verify, and fail when anything changes', () => {
  for (const v of RFC8032) {
    const msg = Buffer.from(v.message, 'hex');
    assert.equal(verifyClipSignature(hexToB64(v.public), msg, hexToB64(v.signature)), true);
    assert.equal(verifyClipSignature(hexToB64(v.public), Buffer.concat([msg, Buffer.from([0])]), hexToB64(v.signature)), false);
    const flipped = Buffer.from(v.signature, 'hex');
    flipped[10] ^= 1;
    assert.equal(verifyClipSignature(hexToB64(v.public), msg, flipped.toString('base64')), false);
  }
  assert.equal(verifyClipSignature(hexToB64(RFC8032[1].public), Buffer.alloc(0), hexToB64(RFC8032[0].signature)), false);
});

const fields = {
  cameraId: '0123456789abcdef0123456789abcdef',
  sha256: 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855',
  startedAt: '2026-06-01T12:00:00Z',
  endedAt: Date.UTC(2026, 5, 1, 12, 0, 30),
  kind: 'motion',
};

test('the payload is canonical: one spelling per field, versioned, newline-terminated', () => {
  const p = clipSigningPayload(fields);
  assert.equal(
    p.toString('utf8'),
    `${CLIP_SIGNATURE_VERSION}\n0123456789abcdef0123456789abcdef\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n2026-06-01T12:00:00.000Z\n2026-06-01T12:00:30.000Z\nmotion\n`,
  );
  // Same instant, other spellings: same bytes.
  assert.deepEqual(clipSigningPayload({ ...fields, startedAt: new Date('2026-06-01T14:00:00+02:00'), endedAt: '2026-06-01T12:00:30.000Z', sha256: fields.sha256.toLowerCase() }), p);
  assert.notDeepEqual(clipSigningPayload({ ...fields, kind: 'doorbell' }), p);
  assert.equal(canonicalTime(0), '1970-01-01T00:00:00.000Z');
});

test('a golden signature over the payload stays valid (the format must not drift)', () => {
  const v = RFC8032[0];
  const priv = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: Buffer.from(v.secret, 'hex').toString('base64url'), x: Buffer.from(v.public, 'hex').toString('base64url') }, format: 'jwk' });
  const golden = 'bKmbyLCNIg9OU3rVmB5eed2CEU3W0ZWbUQJkBiVrRwjcDt/oPJh4l358aIdrRfNs7IV2xfUS26HREBPiOe5kAw==';
  assert.equal(signClipPayload(priv, clipSigningPayload(fields)), golden);
  assert.equal(verifyClipSignature(hexToB64(v.public), clipSigningPayload(fields), golden), true);
});

test('fields that could smuggle a line or are not canonical are refused when building the payload', () => {
  assert.throws(() => clipSigningPayload({ ...fields, cameraId: 'a\nb' }), RangeError);
  assert.throws(() => clipSigningPayload({ ...fields, cameraId: '' }), RangeError);
  assert.throws(() => clipSigningPayload({ ...fields, kind: 'motion\nextra' }), RangeError);
  assert.throws(() => clipSigningPayload({ ...fields, sha256: 'abc' }), RangeError);
  assert.throws(() => clipSigningPayload({ ...fields, startedAt: 'yesterday' }), RangeError);
  assert.throws(() => clipSigningPayload({ ...fields, endedAt: NaN }), RangeError);
});

test('a device key signs and the exported raw key verifies; another key does not', () => {
  const a = generateKeyPairSync('ed25519');
  const b = generateKeyPairSync('ed25519');
  const payload = clipSigningPayload(fields);
  const sig = signClipPayload(a.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, payload);
  const pubA = exportDevicePublicKey(a.publicKey);
  assert.equal(Buffer.from(pubA, 'base64').length, 32);
  assert.equal(verifyClipSignature(pubA, payload, sig), true);
  assert.equal(verifyClipSignature(Buffer.from(pubA, 'base64').toString('base64url'), payload, sig), true);
  assert.equal(verifyClipSignature(exportDevicePublicKey(b.publicKey), payload, sig), false);
  assert.equal(normaliseDevicePublicKey(Buffer.from(pubA, 'base64').toString('base64url')), pubA);
});

test('hostile keys and signatures give false, never an exception', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const pub = exportDevicePublicKey(publicKey);
  const payload = clipSigningPayload(fields);
  const sig = signClipPayload(privateKey, payload);
  const bad: unknown[] = [
    undefined, null, 42, {}, [], '', ' ', '====', 'not base64!', `${pub} `, `${pub}\n`, pub.slice(1), `${pub}AA`,
    Buffer.alloc(31).toString('base64'), Buffer.alloc(33).toString('base64'), Buffer.alloc(64).toString('base64'),
    'A'.repeat(100_000),
  ];
  for (const k of bad) assert.equal(verifyClipSignature(k, payload, sig), false, `key ${String(k).slice(0, 20)}`);
  for (const s of bad) assert.equal(verifyClipSignature(pub, payload, s), false, `sig ${String(s).slice(0, 20)}`);
  assert.equal(verifyClipSignature(pub, 'not bytes' as unknown as Uint8Array, sig), false);
  fc.assert(fc.property(fc.string(), fc.string(), (k, s) => verifyClipSignature(k, payload, s) === false), { numRuns: 300 });
  fc.assert(fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), (s) => {
    verifyClipSignature(pub, payload, Buffer.from(s).toString('base64'));
  }), { numRuns: 200 });
  assert.equal(parseDevicePublicKey('AAAA'), null);
});

test('strict base64: one accepted spelling per byte string', () => {
  assert.deepEqual(decodeBase64Strict('AAE='), Buffer.from([0, 1]));
  assert.deepEqual(decodeBase64Strict('AAE'), Buffer.from([0, 1]));
  assert.equal(decodeBase64Strict('AAF='), null); // stray bits in the last symbol
  assert.equal(decodeBase64Strict('AAE=='), null);
  assert.equal(decodeBase64Strict('A'), null);
  assert.equal(decodeBase64Strict('AA E='), null);
  assert.deepEqual(decodeBase64Strict('-_8'), Buffer.from([0xfb, 0xff]));
  assert.equal(decodeBase64Strict('+_8'), null); // mixed alphabets
});
