// The instance master key, and sealing small secrets under it.
// The key comes from the MASTER_KEY setting or, when unset, from
// DATA_DIR/master.key, created on first start with mode 0600. It wraps each
// clip's data key and the staff's TOTP secrets, so a copy of the database alone
// opens neither.
import fs from 'node:fs';
import path from 'node:path';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const KEY_FILE = 'master.key';
const SEAL_VERSION = 1;
const NONCE = 12;
const TAG = 16;

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

/**
 * AES-256-GCM under the master key: version (1) || nonce (12) || ciphertext || tag (16).
 * `context` is the associated data: it names what the secret is and whose, so a
 * sealed value copied onto another row does not open there.
 */
export function seal(master: Buffer, secret: Uint8Array, context: string): Buffer {
  const nonce = randomBytes(NONCE);
  const c = createCipheriv('aes-256-gcm', master, nonce);
  c.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([c.update(secret), c.final()]);
  return Buffer.concat([Buffer.from([SEAL_VERSION]), nonce, body, c.getAuthTag()]);
}

/** Opens a sealed value, or returns null when it is malformed, tampered with, or sealed for another context. */
export function open(master: Buffer, sealed: Uint8Array, context: string): Buffer | null {
  const w = Buffer.from(sealed);
  if (w.length < 1 + NONCE + TAG || w[0] !== SEAL_VERSION) return null;
  const d = createDecipheriv('aes-256-gcm', master, w.subarray(1, 1 + NONCE));
  d.setAAD(Buffer.from(context, 'utf8'));
  d.setAuthTag(w.subarray(w.length - TAG));
  const out = d.update(w.subarray(1 + NONCE, w.length - TAG));
  try {
    d.final();
  } catch {
    return null;
  }
  return out;
}
