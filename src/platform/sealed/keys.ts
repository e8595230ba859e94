// Per-object data keys, wrapped with AES-256-GCM under the instance master key
// (src/platform/master-key.ts) with the object id as associated data, so a
// wrapped key copied onto another object's row does not unwrap there.
// Destroying the wrapped key is what makes a deleted clip unrecoverable
// (crypto-shredding): backups of the blob alone are useless.
import { open, seal } from '../master-key.ts';
import { SealedDataError } from './format.ts';

const WRAPPED_LENGTH = 61;
// The label predates the move out of clips/; wrapped keys on disk depend on it.
const context = (objectId: string) => `porchlight clip key v1\0${objectId}`;

/** version (1) || nonce (12) || encrypted key (32) || tag (16) = 61 bytes. */
export function wrapKey(master: Buffer, dataKey: Buffer, objectId: string): Buffer {
  return seal(master, dataKey, context(objectId));
}

export function unwrapKey(master: Buffer, wrapped: Uint8Array, objectId: string): Buffer {
  if (wrapped.length !== WRAPPED_LENGTH || wrapped[0] !== 1) throw new SealedDataError('wrapped key has an unknown format');
  const key = open(master, wrapped, context(objectId));
  if (!key) throw new SealedDataError('wrapped key does not open under this master key');
  return key;
}
