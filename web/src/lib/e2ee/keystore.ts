// This browser's end-to-end private keys (issue 15 §1), in IndexedDB through
// idb-keyval. A private key is stored as a non-extractable CryptoKey, so the
// page's own script can use it but can never read its bytes; IndexedDB keeps
// CryptoKeys by structured clone with that flag intact. Keys are looked up by
// the server's key id, so a clip sealed to an earlier key still finds it.
import { createStore, del, entries, get, set } from 'idb-keyval';
import { importKeyPair, importPublicKey, type RawKeyPair } from '../../../../src/platform/sealed/hpke.ts';

export interface StoredKey {
  keyId: string;
  /** "user:<id>" or "agency:<id>". */
  subject: string;
  publicKey: Uint8Array;
  privateKey: CryptoKey;
  savedAt: string;
}

const store = createStore('porchlight-e2ee', 'keys');

/** Imports a raw pair (just made, or opened from a backup) and keeps only the non-extractable form. */
export async function keepKey(subject: string, keyId: string, raw: RawKeyPair): Promise<StoredKey> {
  const pair = await importKeyPair(raw);
  const k: StoredKey = { keyId, subject, publicKey: raw.publicKey.slice(), privateKey: pair.privateKey, savedAt: new Date().toISOString() };
  await set(keyId, k, store);
  return k;
}

export async function storedKey(keyId: string): Promise<StoredKey | null> {
  return (await get<StoredKey>(keyId, store)) ?? null;
}

export async function keysOf(subject: string): Promise<StoredKey[]> {
  return (await entries<string, StoredKey>(store)).map(([, k]) => k).filter((k) => k.subject === subject);
}

export async function forgetKey(keyId: string): Promise<void> {
  await del(keyId, store);
}

/** The pair @hpke/core opens with: the stored private key and its public half. */
export async function pairOf(k: StoredKey): Promise<CryptoKeyPair> {
  return { privateKey: k.privateKey, publicKey: await importPublicKey(k.publicKey) };
}
