// Sealing an end-to-end clip's secret to a recipient's public key with HPKE
// (RFC 9180, base mode §5.1.1): DHKEM(X25519, HKDF-SHA256), HKDF-SHA256 and
// AES-128-GCM, from @hpke/core. Runs in Node and in the browser (WebCrypto).
//
// The sealed plaintext is the clip secret: version u8 = 1 | content key (32) |
// SHA-256 of the plaintext (32) | the device's Ed25519 signature (64). The hash
// and the signature travel sealed, never in the clear: a server that stored
// either could confirm whether a video it is shown is among its clips, by
// hashing the video (or checking the signature against its hash).
//
// info names this use; aad is the envelope header, so a sealed key opens only
// beside the envelope it was made for (its random id is in the header).
import { Aes128Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/core';

export const PUBLIC_KEY_SIZE = 32;
const SECRET_SIZE = 1 + 32 + 32 + 64;
/** enc (32) | ciphertext of the secret | AES-GCM tag (16). */
export const SEALED_KEY_SIZE = 32 + SECRET_SIZE + 16;
const INFO = new TextEncoder().encode('porchlight e2ee clip key v1');

/** A fresh ArrayBuffer of exactly these bytes (a Node Buffer's .buffer is often a shared pool). */
function ab(u: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(u.length);
  copy.set(u);
  return copy.buffer;
}

const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes128Gcm() });

/** A sealed key or public key that cannot be what it claims. */
export class SealError extends Error {}

export interface ClipSecret {
  contentKey: Uint8Array;
  plainSha256: Uint8Array;
  signature: Uint8Array;
}

export function packSecret(s: ClipSecret): Uint8Array {
  if (s.contentKey.length !== 32 || s.plainSha256.length !== 32 || s.signature.length !== 64) throw new SealError('a clip secret holds a 32-byte key, a 32-byte hash and a 64-byte signature');
  const out = new Uint8Array(SECRET_SIZE);
  out[0] = 1;
  out.set(s.contentKey, 1);
  out.set(s.plainSha256, 33);
  out.set(s.signature, 65);
  return out;
}

export function unpackSecret(b: Uint8Array): ClipSecret {
  if (b.length !== SECRET_SIZE || b[0] !== 1) throw new SealError('the sealed key does not hold a version 1 clip secret');
  return { contentKey: b.slice(1, 33), plainSha256: b.slice(33, 65), signature: b.slice(65, 129) };
}

/** The structural check a server can make: length only (HPKE output is indistinguishable from random). */
export function checkSealedKey(b: Uint8Array): string | null {
  return b.length === SEALED_KEY_SIZE ? null : `a sealed key is ${SEALED_KEY_SIZE} bytes, not ${b.length}`;
}

/** An X25519 public key is 32 bytes; the all-zero key (and other low-order points) fail in importKey or at seal time. */
export async function checkPublicKey(raw: Uint8Array): Promise<string | null> {
  if (raw.length !== PUBLIC_KEY_SIZE) return `an X25519 public key is ${PUBLIC_KEY_SIZE} bytes, not ${raw.length}`;
  if (raw.every((x) => x === 0)) return 'the all-zero key is not a public key';
  try {
    await suite.kem.deserializePublicKey(ab(raw));
    return null;
  } catch {
    return 'not an X25519 public key';
  }
}

export async function sealSecret(recipientPublicKey: Uint8Array, header: Uint8Array, secret: ClipSecret | Uint8Array): Promise<Uint8Array> {
  const pk = await suite.kem.deserializePublicKey(ab(recipientPublicKey));
  const plain = secret instanceof Uint8Array ? secret : packSecret(secret);
  const { enc, ct } = await suite.seal({ recipientPublicKey: pk, info: ab(INFO) }, ab(plain), ab(header));
  const out = new Uint8Array(enc.byteLength + ct.byteLength);
  out.set(new Uint8Array(enc), 0);
  out.set(new Uint8Array(ct), enc.byteLength);
  return out;
}

/** Opens a sealed key with the recipient's key pair (its private half may be non-extractable). */
export async function openSecret(recipient: CryptoKeyPair, header: Uint8Array, sealed: Uint8Array): Promise<ClipSecret> {
  const bad = checkSealedKey(sealed);
  if (bad) throw new SealError(bad);
  try {
    const plain = await suite.open(
      { recipientKey: recipient, enc: ab(sealed.subarray(0, 32)), info: ab(INFO) },
      ab(sealed.subarray(32)), ab(header),
    );
    return unpackSecret(new Uint8Array(plain));
  } catch (err) {
    if (err instanceof SealError) throw err;
    throw new SealError('the sealed key does not open with this key pair (sealed to another key, or for another clip)');
  }
}

/**
 * Re-wrapping (PRODUCT.md H): the owner opens the secret and seals the same
 * secret to the recipient. The content key never leaves the two browsers.
 */
export async function rewrap(owner: CryptoKeyPair, header: Uint8Array, sealed: Uint8Array, recipientPublicKey: Uint8Array): Promise<Uint8Array> {
  return sealSecret(recipientPublicKey, header, await openSecret(owner, header, sealed));
}

// PKCS#8 prefix for a raw X25519 private key (RFC 8410 §7).
const PKCS8_X25519 = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20]);

export interface RawKeyPair {
  publicKey: Uint8Array;
  privateKey: Uint8Array;
}

/** A new key pair as raw bytes, for the one moment they are backed up (keybackup.ts). */
export async function generateRawKeyPair(): Promise<RawKeyPair> {
  const kp = await suite.kem.generateKeyPair();
  return {
    publicKey: new Uint8Array(await suite.kem.serializePublicKey(kp.publicKey)),
    privateKey: new Uint8Array(await suite.kem.serializePrivateKey(kp.privateKey)),
  };
}

/** A raw public key as @hpke/core's key object, to pair with a private key kept elsewhere (the browser's IndexedDB). */
export function importPublicKey(raw: Uint8Array): Promise<CryptoKey> {
  return suite.kem.deserializePublicKey(ab(raw));
}

/** Imports a raw pair for use; the private key is non-extractable (WebCrypto keeps it from script). */
export async function importKeyPair(raw: RawKeyPair): Promise<CryptoKeyPair> {
  const pkcs8 = new Uint8Array(PKCS8_X25519.length + 32);
  pkcs8.set(PKCS8_X25519, 0);
  pkcs8.set(raw.privateKey, PKCS8_X25519.length);
  const privateKey = await crypto.subtle.importKey('pkcs8', pkcs8, { name: 'X25519' }, false, ['deriveBits']);
  const publicKey = await suite.kem.deserializePublicKey(ab(raw.publicKey));
  // A private key that does not match the public one would seal for one and open for none.
  const probe = await sealSecret(raw.publicKey, new Uint8Array(0), new Uint8Array(SECRET_SIZE).fill(1, 0, 1));
  await openSecret({ privateKey, publicKey }, new Uint8Array(0), probe).catch(() => {
    throw new SealError('the private key does not belong to this public key');
  });
  return { privateKey, publicKey };
}
