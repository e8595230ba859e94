// The owner's and the agency member's key flows (issue 15 §1 and §5): make a
// key pair here, register its public half, hand over the backup file; restore
// from a backup on another device; open a clip's sealed secret, or re-wrap it
// for an agency. The raw private key exists only between generation (or
// opening a backup) and import as a non-extractable key; nothing keeps it.
import { toBase64, fromBase64 } from '../../../../src/platform/base64.ts';
import { generateRawKeyPair, openSecret, sealSecret, type ClipSecret } from '../../../../src/platform/sealed/hpke.ts';
import { backupSealer, openBackup, parseBackup, type KeyBackup } from '../../../../src/platform/sealed/keybackup.ts';
import { keepKey, pairOf, storedKey, type StoredKey } from './keystore.ts';
import { sha256Hex } from '../../../../src/cameras/e2ee-signature.ts';

export interface KeyView { keyId: string; publicKey: string; createdAt: string }
export interface SealedKeyView { keyId: string; sealedKey: string; envelopeHeader: string }

/** The clip was sealed to a key this browser does not hold: restore that key's backup. */
export class KeyNotHere extends Error {
  readonly keyId: string;
  constructor(keyId: string) {
    super(`this browser does not hold key ${keyId.slice(0, 8)}, the one this clip is sealed to: restore its backup file on the "End-to-end key" page`);
    this.keyId = keyId;
  }
}

/** The key was registered and backed up, but this browser could not keep it: the backup restores it. */
export class KeyNotKept extends Error {
  readonly backup: KeyBackup;
  constructor(backup: KeyBackup, cause: unknown) {
    super(`the key was made and registered, but this browser could not store it (${cause instanceof Error ? cause.message : String(cause)}). Save the backup file, then restore it here or in another browser.`);
    this.backup = backup;
  }
}

/**
 * Makes a key pair and registers its public half. Everything that can fail
 * slowly (the passphrase's Argon2id) runs before the server hears of the key,
 * so a failure leaves no registered key whose private half is lost; after
 * registering only an AES-GCM seal and the IndexedDB write remain, and if the
 * write fails the caller still gets the backup (KeyNotKept).
 */
export async function createKey(subject: string, passphrase: string, register: (publicKey: string) => Promise<KeyView>): Promise<{ key: StoredKey; backup: KeyBackup }> {
  const raw = await generateRawKeyPair();
  try {
    const seal = await backupSealer(passphrase);
    const view = await register(toBase64(raw.publicKey));
    const backup = await seal(raw, { subject, keyId: view.keyId });
    try {
      return { key: await keepKey(subject, view.keyId, raw), backup };
    } catch (err) {
      throw new KeyNotKept(backup, err);
    }
  } finally {
    raw.privateKey.fill(0);
  }
}

/** A short, comparable form of a public key: the first 16 bytes of its SHA-256, in groups of four hex digits. */
export async function fingerprint(publicKeyB64: string): Promise<string> {
  const raw = fromBase64(publicKeyB64);
  if (!raw) return 'not a key';
  return (await sha256Hex(raw)).slice(0, 32).match(/.{4}/g)!.join(' ');
}

export async function restoreKey(subject: string, fileText: string, passphrase: string): Promise<StoredKey> {
  const b = parseBackup(fileText);
  if (b.subject !== subject) throw new Error(`this backup holds the key of ${b.subject.startsWith('agency:') ? 'an agency' : 'an account'} other than this one`);
  const raw = await openBackup(b, passphrase);
  try {
    return await keepKey(subject, b.keyId, raw);
  } finally {
    raw.privateKey.fill(0);
  }
}

export function backupFile(b: KeyBackup): { name: string; href: string } {
  const blob = new Blob([JSON.stringify(b, null, 2)], { type: 'application/json' });
  return { name: `porchlight-key-${b.subject.replace(':', '-')}-${b.keyId.slice(0, 8)}.json`, href: URL.createObjectURL(blob) };
}

function decode(v: SealedKeyView): { header: Uint8Array; sealed: Uint8Array } {
  const header = fromBase64(v.envelopeHeader);
  const sealed = fromBase64(v.sealedKey);
  if (!header || !sealed) throw new Error('the server sent a sealed key that is not base64');
  return { header, sealed };
}

/** Opens a clip's secret with the key it names, if this browser holds it for this subject. */
export async function openClipSecret(v: SealedKeyView, subject: string): Promise<ClipSecret & { header: Uint8Array }> {
  const k = await storedKey(v.keyId, subject);
  if (!k) throw new KeyNotHere(v.keyId);
  const { header, sealed } = decode(v);
  return { ...(await openSecret(await pairOf(k), header, sealed)), header };
}

/** Re-wrapping (PRODUCT.md H): the same secret, sealed to the recipient's current key. */
export async function rewrapFor(v: SealedKeyView, subject: string, recipient: KeyView): Promise<{ keyId: string; sealedKey: string }> {
  const secret = await openClipSecret(v, subject);
  const pub = fromBase64(recipient.publicKey);
  if (!pub) throw new Error("the recipient's public key is not base64");
  try {
    return { keyId: recipient.keyId, sealedKey: toBase64(await sealSecret(pub, secret.header, secret)) };
  } finally {
    secret.contentKey.fill(0);
  }
}
