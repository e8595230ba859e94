// This browser's end-to-end keys (issue 15 §1), in IndexedDB through
// idb-keyval. A private key is stored as a non-extractable CryptoKey, so the
// page's own script can use it but can never read its bytes; IndexedDB keeps
// CryptoKeys by structured clone with that flag intact. Keys are looked up by
// the server's key id and the subject they belong to, so a clip sealed to an
// earlier key still finds it and another account in this browser never does.
//
// Beside them, the agency public keys this browser has re-wrapped to (trust on
// first use): a server that swapped an agency's key would have every later
// share sealed to its own key, so a change is shown to the owner before any.
import { createStore, del, entries, get, set } from 'idb-keyval';
import { importKeyPair, importPublicKey, SealError, type RawKeyPair } from '../../../../src/platform/sealed/hpke.ts';

export interface StoredKey {
  keyId: string;
  /** "user:<id>" or "agency:<id>". */
  subject: string;
  publicKey: Uint8Array;
  privateKey: CryptoKey;
  savedAt: string;
}

const store = createStore('porchlight-e2ee', 'keys');
const seen = createStore('porchlight-e2ee-seen', 'recipients');
const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Imports a raw pair (just made, or opened from a backup) and keeps only the non-extractable form. */
export async function keepKey(subject: string, keyId: string, raw: RawKeyPair): Promise<StoredKey> {
  const earlier = await get<StoredKey>(keyId, store);
  if (earlier && (earlier.subject !== subject || !same(earlier.publicKey, raw.publicKey))) {
    throw new SealError(`this browser already holds a different key under the id ${keyId.slice(0, 8)}; it was not replaced`);
  }
  const pair = await importKeyPair(raw);
  const k: StoredKey = { keyId, subject, publicKey: raw.publicKey.slice(), privateKey: pair.privateKey, savedAt: new Date().toISOString() };
  await set(keyId, k, store);
  return k;
}

export async function storedKey(keyId: string, subject: string): Promise<StoredKey | null> {
  const k = await get<StoredKey>(keyId, store);
  return k && k.subject === subject ? k : null;
}

export async function keysOf(subject: string): Promise<StoredKey[]> {
  return (await entries<string, StoredKey>(store)).map(([, k]) => k).filter((k) => k.subject === subject);
}

/** Removes a key from this browser (its backup file still restores it). */
export async function forgetKey(keyId: string): Promise<void> {
  await del(keyId, store);
}

/** The pair @hpke/core opens with: the stored private key and its public half. */
export async function pairOf(k: StoredKey): Promise<CryptoKeyPair> {
  return { privateKey: k.privateKey, publicKey: await importPublicKey(k.publicKey) };
}

export interface SeenKey { keyId: string; publicKey: string }

/** The key this browser last re-wrapped to for a recipient ("agency:<id>"), if any. */
export async function seenKey(recipient: string): Promise<SeenKey | null> {
  return (await get<SeenKey>(recipient, seen)) ?? null;
}

export async function rememberKey(recipient: string, k: SeenKey): Promise<void> {
  await set(recipient, { keyId: k.keyId, publicKey: k.publicKey }, seen);
}
