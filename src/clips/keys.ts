// The instance master key and the wrapping of per-clip data keys.
// The master key comes from the MASTER_KEY setting or, when unset, from
// DATA_DIR/master.key, created on first start with mode 0600. Data keys are
// wrapped with AES-256-GCM under the master key, with the clip id as associated
// data, so a wrapped key copied onto another clip's row does not unwrap there.
// Destroying the wrapped key is what makes a deleted clip unrecoverable
// (crypto-shredding): backups of the blob alone are useless.
import fs from 'node:fs';
import path from 'node:path';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ClipCryptoError } from './crypto.ts';

const KEY_FILE = 'master.key';
const WRAP_VERSION = 1;

/** Loads (or on first start creates) the 32-byte master key. */
export function loadMasterKey(dataDir: string, masterKeyHex: string): Buffer {
  if (masterKeyHex) return Buffer.from(masterKeyHex, 'hex');
  const file = path.join(dataDir, KEY_FILE);
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    // O_EXCL: two processes starting at once cannot both create (and disagree on) the key.
    const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600);
    try {
      fs.writeSync(fd, randomBytes(32).toString('hex') + '\n');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const st = fs.statSync(file);
  if ((st.mode & 0o077) !== 0) throw new Error(`${KEY_FILE} must not be readable by group or others (chmod 600)`);
  const hex = fs.readFileSync(file, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/i.test(hex)) throw new Error(`${KEY_FILE} must hold 64 hexadecimal characters`);
  return Buffer.from(hex, 'hex');
}

/** version (1) || nonce (12) || encrypted key (32) || tag (16) = 61 bytes. */
export function wrapKey(master: Buffer, dataKey: Buffer, clipId: string): Buffer {
  const nonce = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', master, nonce);
  c.setAAD(Buffer.from(`porchlight clip key v1\0${clipId}`, 'utf8'));
  const body = Buffer.concat([c.update(dataKey), c.final()]);
  return Buffer.concat([Buffer.from([WRAP_VERSION]), nonce, body, c.getAuthTag()]);
}

export function unwrapKey(master: Buffer, wrapped: Uint8Array, clipId: string): Buffer {
  const w = Buffer.from(wrapped);
  if (w.length !== 61 || w[0] !== WRAP_VERSION) throw new ClipCryptoError('wrapped key has an unknown format');
  const d = createDecipheriv('aes-256-gcm', master, w.subarray(1, 13));
  d.setAAD(Buffer.from(`porchlight clip key v1\0${clipId}`, 'utf8'));
  d.setAuthTag(w.subarray(45));
  const key = d.update(w.subarray(13, 45));
  try {
    d.final();
  } catch {
    throw new ClipCryptoError('wrapped key does not open under this master key');
  }
  return key;
}
