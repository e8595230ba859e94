// Wire shapes of end-to-end encryption, shared with the routes of other
// capabilities that hand out sealed keys (evidence) or take them (answers).
import { Type } from 'typebox';

const B64 = (description: string, maxLength: number) => Type.String({ description, maxLength, pattern: '^[A-Za-z0-9+/=]*$' });

export const KeyView = Type.Object({
  keyId: Type.String(),
  publicKey: B64('base64 of the raw 32-byte X25519 public key', 64),
  createdAt: Type.String({ format: 'date-time' }),
});

export const EnrolKey = Type.Object({ publicKey: B64('base64 of the raw 32-byte X25519 public key made in the browser', 64) }, { additionalProperties: false });

export const SealedKeyView = Type.Object({
  keyId: Type.String(),
  sealedKey: B64('HPKE (RFC 9180) enc | ciphertext of the clip secret, base64', 400),
  envelopeHeader: B64("the envelope's 40-byte header, base64 (the sealed key's associated data)", 80),
});

/** A re-wrapped clip secret an owner uploads with a share: sealed to the recipient's current key. */
export const OfferedKey = Type.Object({
  keyId: Type.String({ minLength: 1, maxLength: 64 }),
  sealedKey: B64('the clip secret sealed to the recipient key, base64', 400),
}, { additionalProperties: false });
