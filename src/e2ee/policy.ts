// Pure checks for end-to-end encryption input (issue 15): public keys and
// sealed keys arrive as base64 and are refused, with the field named, unless
// they have the one shape they can have. The server cannot check more: a
// sealed key is HPKE output and looks random to anyone without the private key.
import { fromBase64 } from '../platform/base64.ts';
import { accept, refuse, type Checked } from '../platform/problems.ts';
import { PUBLIC_KEY_SIZE, SEALED_KEY_SIZE } from '../platform/sealed/hpke.ts';

export const userSubject = (userId: string) => `user:${userId}`;
export const agencySubject = (agencyId: string) => `agency:${agencyId}`;

export function checkPublicKeyText(text: unknown, field = 'body.publicKey'): Checked<Uint8Array> {
  const raw = typeof text === 'string' ? fromBase64(text) : null;
  if (!raw) return refuse('the public key must be standard base64', field, 'not base64');
  if (raw.length !== PUBLIC_KEY_SIZE) return refuse(`an X25519 public key is ${PUBLIC_KEY_SIZE} bytes; this one is ${raw.length}`, field, 'wrong length');
  if (raw.every((b) => b === 0)) return refuse('the all-zero key is not a public key', field, 'all zero');
  return accept(raw);
}

export function checkSealedKeyText(text: unknown, field: string): Checked<Uint8Array> {
  const raw = typeof text === 'string' ? fromBase64(text) : null;
  if (!raw) return refuse('a sealed key must be standard base64', field, 'not base64');
  if (raw.length !== SEALED_KEY_SIZE) return refuse(`a sealed key is ${SEALED_KEY_SIZE} bytes (HPKE enc and the sealed clip secret); this one is ${raw.length}`, field, 'wrong length');
  return accept(raw);
}

/**
 * A re-wrapped key is accepted only for the key the recipient has on record
 * now: one sealed to any other key is for a recipient who did not ask for it.
 */
export function checkRecipientKey(offeredKeyId: string, current: { id: string } | undefined, who: string): Checked<string> {
  if (!current) return refuse(`${who} has no end-to-end key, so it cannot receive end-to-end encrypted clips`, 'body.sealedKeys', 'no recipient key');
  if (offeredKeyId !== current.id) return refuse(`the key was sealed to key ${offeredKeyId}, which is not ${who}'s current key (${current.id})`, 'body.sealedKeys', 'wrong recipient key');
  return accept(current.id);
}
