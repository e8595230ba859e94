// Password hashing with argon2id (RFC 9106), parameters per OWASP's 2023 guidance.
import { hash, verify } from '@node-rs/argon2';

const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string) => hash(password, OPTIONS);

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

// A fixed hash to verify against when the account does not exist, so a login
// for an unknown e-mail costs the same time as one for a known e-mail.
let dummy: Promise<string> | undefined;
export const dummyHash = () => (dummy ??= hashPassword('porchlight-timing-equaliser'));
