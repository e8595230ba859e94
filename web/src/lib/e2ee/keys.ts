// The owner's and the agency member's key flows (issue 15 §1 and §5): make a
// key pair here, register its public half, hand over the backup file; restore
// from a backup on another device; open a clip's sealed secret, or re-wrap it
// for an agency. The raw private key exists only between generation (or
// opening a backup) and import as a non-extractable key; nothing keeps it.
import { toBase64, fromBase64 } from '../../../../src/platform/base64.ts';
import { generateRawKeyPair, openSecret, sealSecret, type ClipSecret } from '../../../../src/platform/sealed/hpke.ts';
import { BackupError, makeBackup, MIN_PASSPHRASE, openBackup, parseBackup, type KeyBackup } from '../../../../src/platform/sealed/keybackup.ts';
import { keepKey, pairOf, storedKey, type StoredKey } from './keystore.ts';

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

export async function createKey(subject: string, passphrase: string, register: (publicKey: string) => Promise<KeyView>): Promise<{ key: StoredKey; backup: KeyBackup }> {
  const raw = await generateRawKeyPair();
  try {
    // Checked before the server hears of the key, so a short passphrase leaves nothing behind.
    if (passphrase.length < MIN_PASSPHRASE) throw new BackupError(`the passphrase needs at least ${MIN_PASSPHRASE} characters`);
    const view = await register(toBase64(raw.publicKey));
    const backup = await makeBackup(raw, { subject, keyId: view.keyId }, passphrase);
    return { key: await keepKey(subject, view.keyId, raw), backup };
  } finally {
    raw.privateKey.fill(0);
  }
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

/** Opens a clip's secret with the key it names, if this browser holds it. */
export async function openClipSecret(v: SealedKeyView): Promise<ClipSecret & { header: Uint8Array }> {
  const k = await storedKey(v.keyId);
  if (!k) throw new KeyNotHere(v.keyId);
  const { header, sealed } = decode(v);
  return { ...(await openSecret(await pairOf(k), header, sealed)), header };
}

/** Re-wrapping (PRODUCT.md H): the same secret, sealed to the recipient's current key. */
export async function rewrapFor(v: SealedKeyView, recipient: KeyView): Promise<{ keyId: string; sealedKey: string }> {
  const secret = await openClipSecret(v);
  const pub = fromBase64(recipient.publicKey);
  if (!pub) throw new Error("the recipient's public key is not base64");
  try {
    return { keyId: recipient.keyId, sealedKey: toBase64(await sealSecret(pub, secret.header, secret)) };
  } finally {
    secret.contentKey.fill(0);
  }
}
