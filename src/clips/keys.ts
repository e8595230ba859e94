// Per-clip data keys, wrapped with AES-256-GCM under the instance master key
// (src/platform/master-key.ts) with the clip id as associated data, so a
// wrapped key copied onto another clip's row does not unwrap there.
// Destroying the wrapped key is what makes a deleted clip unrecoverable
// (crypto-shredding): backups of the blob alone are useless.
import { open, seal } from '../platform/master-key.ts';
import { ClipCryptoError } from './crypto.ts';

const WRAPPED_LENGTH = 61;
const context = (clipId: string) => `porchlight clip key v1\0${clipId}`;

/** version (1) || nonce (12) || encrypted key (32) || tag (16) = 61 bytes. */
export function wrapKey(master: Buffer, dataKey: Buffer, clipId: string): Buffer {
  return seal(master, dataKey, context(clipId));
}

export function unwrapKey(master: Buffer, wrapped: Uint8Array, clipId: string): Buffer {
  if (wrapped.length !== WRAPPED_LENGTH || wrapped[0] !== 1) throw new ClipCryptoError('wrapped key has an unknown format');
  const key = open(master, wrapped, context(clipId));
  if (!key) throw new ClipCryptoError('wrapped key does not open under this master key');
  return key;
}
