// The owner's (or an agency's) key backup (issue 15 §1): the raw X25519 key
// pair encrypted under a passphrase, as a file the owner downloads. The
// passphrase goes through Argon2id (RFC 9106; @noble/hashes), a memory-hard
// KDF, with 64 MiB and 3 passes (RFC 9106 §4's second recommended option, with
// one lane as a browser runs it); the key pair is sealed with AES-256-GCM, and
// the file's identity (format, subject, key id, public key) is its associated
// data, so no field can be swapped without the file failing to open.
// Runs in Node and in the browser.
import { argon2idAsync } from '@noble/hashes/argon2.js';
import { fromBase64, toBase64 } from '../base64.ts';
import type { RawKeyPair } from './hpke.ts';

export const BACKUP_FORMAT = 'porchlight-key-backup-v1';
export const MIN_PASSPHRASE = 12;
const KDF = { m: 65536, t: 3, p: 1 };
// A file from elsewhere must not make the reader allocate without bound, nor
// freeze a browser tab: pure-JS Argon2id at 256 MiB takes seconds already.
const MAX_M = 256 * 1024;
const MAX_T = 10;

export interface KeyBackup {
  format: typeof BACKUP_FORMAT;
  /** "user:<id>" or "agency:<id>": whose key this is. */
  subject: string;
  keyId: string;
  publicKey: string;
  kdf: { name: 'argon2id'; m: number; t: number; p: number; salt: string };
  cipher: 'AES-256-GCM';
  nonce: string;
  ciphertext: string;
}

export class BackupError extends Error {}

const aadOf = (b: Pick<KeyBackup, 'format' | 'subject' | 'keyId' | 'publicKey'>) => new TextEncoder().encode([b.format, b.subject, b.keyId, b.publicKey].join('\n'));

async function kek(passphrase: string, salt: Uint8Array, k: { m: number; t: number; p: number }, usage: KeyUsage): Promise<CryptoKey> {
  // Only the three cost fields: a parsed file's other members never reach the KDF's options.
  const raw = await argon2idAsync(passphrase, salt, { m: k.m, t: k.t, p: k.p, dkLen: 32, maxmem: (MAX_M + 1) * 1024 });
  return crypto.subtle.importKey('raw', raw as BufferSource, { name: 'AES-GCM' }, false, [usage]);
}

/** Seals key pairs into backups under a passphrase whose key is already derived. */
export type BackupSealer = (pair: RawKeyPair, who: { subject: string; keyId: string }) => Promise<KeyBackup>;

/**
 * Derives the passphrase's key first (the slow, memory-hungry step, and the
 * one that can fail), so a caller can do it before anything irreversible,
 * such as registering the public key, and seal afterwards.
 */
export async function backupSealer(passphrase: string, kdf = KDF): Promise<BackupSealer> {
  if (passphrase.length < MIN_PASSPHRASE) throw new BackupError(`the passphrase needs at least ${MIN_PASSPHRASE} characters`);
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const key = await kek(passphrase, salt, kdf, 'encrypt');
  return async (pair, who) => {
    const nonce = crypto.getRandomValues(new Uint8Array(12));
    const head = { format: BACKUP_FORMAT, subject: who.subject, keyId: who.keyId, publicKey: toBase64(pair.publicKey) } as const;
    const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce, additionalData: aadOf(head) as BufferSource }, key, pair.privateKey as BufferSource);
    return { ...head, kdf: { name: 'argon2id', m: kdf.m, t: kdf.t, p: kdf.p, salt: toBase64(salt) }, cipher: 'AES-256-GCM', nonce: toBase64(nonce), ciphertext: toBase64(new Uint8Array(ct)) };
  };
}

export async function makeBackup(pair: RawKeyPair, who: { subject: string; keyId: string }, passphrase: string, kdf = KDF): Promise<KeyBackup> {
  return (await backupSealer(passphrase, kdf))(pair, who);
}

/** Reads a backup file's JSON; every field is checked before any work is done. */
export function parseBackup(text: string): KeyBackup {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new BackupError('this is not a key backup file (not JSON)');
  }
  if (!v || typeof v !== 'object' || v.format !== BACKUP_FORMAT) throw new BackupError(`this is not a ${BACKUP_FORMAT} file`);
  const kdf = v.kdf as Record<string, unknown> | undefined;
  const int = (x: unknown, max: number) => Number.isSafeInteger(x) && (x as number) >= 1 && (x as number) <= max;
  if (!kdf || kdf.name !== 'argon2id' || !int(kdf.m, MAX_M) || !int(kdf.t, MAX_T) || !int(kdf.p, 16) || (kdf.m as number) < 8 * (kdf.p as number)) {
    throw new BackupError('the backup names an unknown or out-of-range key derivation');
  }
  for (const f of ['subject', 'keyId', 'publicKey', 'nonce', 'ciphertext'] as const) if (typeof v[f] !== 'string') throw new BackupError(`the backup has no ${f}`);
  if (typeof kdf.salt !== 'string' || !fromBase64(kdf.salt) || v.cipher !== 'AES-256-GCM') throw new BackupError('the backup names an unknown cipher or salt');
  return v as unknown as KeyBackup;
}

/** The raw key pair in a backup; a wrong passphrase or an edited file fails with one message. */
export async function openBackup(b: KeyBackup, passphrase: string): Promise<RawKeyPair> {
  const publicKey = fromBase64(b.publicKey);
  const nonce = fromBase64(b.nonce);
  const ct = fromBase64(b.ciphertext);
  const salt = fromBase64(b.kdf.salt);
  if (!publicKey || !nonce || !ct || !salt || nonce.length !== 12) throw new BackupError('the backup file is damaged');
  try {
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: nonce as BufferSource, additionalData: aadOf(b) as BufferSource }, await kek(passphrase, salt, b.kdf, 'decrypt'), ct as BufferSource);
    return { publicKey, privateKey: new Uint8Array(plain) };
  } catch {
    throw new BackupError('the passphrase is wrong, or the backup file was altered');
  }
}
