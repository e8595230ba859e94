// C2SP signed-note (https://c2sp.org/signed-note) with Ed25519, interoperable
// with Go's golang.org/x/mod/sumdb/note. Pure; hashing and Ed25519 come through
// primitives.ts. Every parser here treats its input as attacker-controlled: a
// malformed note, key or signature is a NoteError with a code, never a crash.
import { ed25519PublicKey, ed25519Sign, ed25519Verify, fromBase64, randomBytes, sha256, toBase64, utf8 } from './primitives.ts';

export type NoteErrorCode =
  | 'too_large'
  | 'invalid_utf8'
  | 'control_character' // any ASCII control other than newline (signed-note §Note text)
  | 'missing_newline' // the text or the signature block does not end in a newline
  | 'no_signature_block' // no blank line separating text and signatures
  | 'malformed_signature' // a signature line not of the form "— name base64"
  | 'bad_base64'
  | 'too_many_signatures'
  | 'no_known_signature' // parsed, but signed by no key we know (wrong name or key ID)
  | 'invalid_signature' // signed by a key we know, and the signature is wrong
  | 'bad_key' // a malformed verifier or signer key string
  | 'bad_name';

export class NoteError extends Error {
  readonly code: NoteErrorCode;
  constructor(code: NoteErrorCode, message: string) {
    super(message);
    this.name = 'NoteError';
    this.code = code;
  }
}

/** Signature type byte for Ed25519 (signed-note §Signature types). */
const ALG_ED25519 = 0x01;
const EM_DASH_SPACE = '\u2014 ';
/** Go's note.Open stops at 100 signatures; so do we. */
const MAX_SIGNATURES = 100;
export const DEFAULT_MAX_NOTE_BYTES = 64 * 1024;

export interface Verifier {
  readonly name: string;
  /** Key ID: the first four bytes of SHA-256(name || 0x0A || 0x01 || pubkey), big-endian. */
  readonly keyId: number;
  readonly publicKey: Uint8Array;
}

export interface Signer extends Verifier {
  readonly seed: Uint8Array;
}

export interface NoteSignature {
  readonly name: string;
  readonly keyId: number;
  readonly base64: string;
}

export interface OpenedNote {
  /** The signed text, ending in its final newline (not the blank separator line). */
  readonly text: string;
  readonly verified: NoteSignature[];
  readonly unverified: NoteSignature[];
}

/** A key name is non-empty and has no whitespace and no plus sign (signed-note §Signatures). */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name) && !hasControl(name, false);
}

/** signed-note §Signatures: key ID = SHA-256(name || 0x0A || type || public key)[:4]. */
export function computeKeyId(name: string, typedPublicKey: Uint8Array): number {
  const h = sha256(utf8.encode(name), new Uint8Array([0x0a]), typedPublicKey);
  return new DataView(h.buffer, h.byteOffset, 4).getUint32(0, false);
}

const hex8 = (id: number) => id.toString(16).padStart(8, '0');

/** The key bytes prefixed with their signature type (signed-note §Signature types): 0x01 here, 0x04 for cosignatures. */
export function withAlg(key: Uint8Array, alg: number = ALG_ED25519): Uint8Array {
  const out = new Uint8Array(key.length + 1);
  out[0] = alg;
  out.set(key, 1);
  return out;
}

/** Splits "<name>+<hex8>+<base64>" (the tail after any PRIVATE+KEY+ prefix); the key must be of signature type `alg`. */
export function splitKey(text: string, alg: number = ALG_ED25519, wrongType = 'the key is not an Ed25519 key (type 0x01, 32 bytes)'): { name: string; keyId: number; key: Uint8Array } {
  // Split at the first two plus signs only: base64 key data may itself hold a "+".
  const a = text.indexOf('+');
  const b = a < 0 ? -1 : text.indexOf('+', a + 1);
  if (b < 0) throw new NoteError('bad_key', 'a key has the form name+hash+keydata');
  const [name, hash, data] = [text.slice(0, a), text.slice(a + 1, b), text.slice(b + 1)];
  if (!isValidKeyName(name)) throw new NoteError('bad_name', 'the key name is empty or has spaces');
  if (!/^[0-9a-f]{8}$/.test(hash)) throw new NoteError('bad_key', 'the key hash is not 8 lower-case hex digits');
  const key = fromBase64(data);
  if (!key) throw new NoteError('bad_base64', 'the key data is not base64');
  if (key.length !== 33 || key[0] !== alg) throw new NoteError('bad_key', wrongType);
  return { name, keyId: Number.parseInt(hash, 16), key: key.subarray(1) };
}

/** Parses a verifier key "name+hex8(keyID)+base64(0x01||pubkey)". */
export function parseVerifierKey(vkey: string): Verifier {
  const { name, keyId, key } = splitKey(vkey.trim());
  if (computeKeyId(name, withAlg(key)) !== keyId) throw new NoteError('bad_key', 'the key hash does not match the key');
  return { name, keyId, publicKey: key };
}

/** Parses a signer key "PRIVATE+KEY+name+hex8(keyID)+base64(0x01||seed)", as Go's note.NewSigner. */
export function parseSignerKey(skey: string): Signer {
  const text = skey.trim();
  if (!text.startsWith('PRIVATE+KEY+')) throw new NoteError('bad_key', 'a signer key starts with PRIVATE+KEY+');
  const { name, keyId, key } = splitKey(text.slice('PRIVATE+KEY+'.length));
  const signer = signerFromSeed(name, key);
  // The hash names the public key, which only the seed yields.
  if (signer.keyId !== keyId) throw new NoteError('bad_key', 'the key hash does not match the key');
  return signer;
}

/** A signer from its name and seed; its key ID hashes the key with its signature type `alg`. */
export function signerFromSeed(name: string, seed: Uint8Array, alg: number = ALG_ED25519): Signer {
  if (!isValidKeyName(name)) throw new NoteError('bad_name', 'the key name is empty or has spaces');
  if (seed.length !== 32) throw new NoteError('bad_key', 'an Ed25519 seed is 32 bytes');
  const publicKey = ed25519PublicKey(seed);
  return { name, keyId: computeKeyId(name, withAlg(publicKey, alg)), publicKey, seed: seed.slice() };
}

export function generateSigner(name: string, alg: number = ALG_ED25519): Signer {
  return signerFromSeed(name, randomBytes(32), alg);
}

/** signed-note §Verifier keys: "name+hex8(keyID)+base64(alg || pubkey)". */
export function formatVerifierKey(v: Verifier, alg: number = ALG_ED25519): string {
  return `${v.name}+${hex8(v.keyId)}+${toBase64(withAlg(v.publicKey, alg))}`;
}

/** Our private key file format, by analogy with Go's note signer keys: PRIVATE+KEY+name+hex8+base64(alg || seed). */
export function formatSignerKey(s: Signer, alg: number = ALG_ED25519): string {
  return `PRIVATE+KEY+${s.name}+${hex8(s.keyId)}+${toBase64(withAlg(s.seed, alg))}`;
}

function hasControl(text: string, allowNewline: boolean): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && !(allowNewline && c === 0x0a)) return true;
  }
  return false;
}

function checkCharacters(text: string): void {
  // signed-note: valid UTF-8 and no ASCII control character other than newline.
  if (!text.isWellFormed()) throw new NoteError('invalid_utf8', 'the note is not valid Unicode');
  if (hasControl(text, true)) throw new NoteError('control_character', 'the note has a control character');
}

/** One signature line: "— <name> <base64(keyID || signature)>\n" (signed-note §Signatures). */
export function signatureLine(text: string, signer: Signer): string {
  const sig = ed25519Sign(signer.seed, utf8.encode(text));
  const blob = new Uint8Array(4 + sig.length);
  new DataView(blob.buffer).setUint32(0, signer.keyId, false);
  blob.set(sig, 4);
  return `${EM_DASH_SPACE}${signer.name} ${toBase64(blob)}\n`;
}

/** Signs a text (which must end in a newline) with one or more signers. */
export function signNote(text: string, ...signers: Signer[]): string {
  if (!text.endsWith('\n')) throw new NoteError('missing_newline', 'the note text must end in a newline');
  checkCharacters(text);
  if (signers.length === 0) throw new NoteError('no_known_signature', 'a note needs a signature');
  return text + '\n' + signers.map((s) => signatureLine(text, s)).join('');
}

/**
 * Parses and verifies a signed note against known verifiers, like Go's note.Open:
 * signatures by unknown keys are reported as unverified; a signature by a known
 * key that does not verify is an error; a note with no verified signature is an error.
 */
export function openNote(msg: string | Uint8Array, known: readonly Verifier[], opts: { maxBytes?: number } = {}): OpenedNote {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_NOTE_BYTES;
  const bytes = typeof msg === 'string' ? utf8.encode(msg) : msg;
  if (bytes.length > maxBytes) throw new NoteError('too_large', `the note is over ${maxBytes} bytes`);
  const text0 = typeof msg === 'string' ? msg : utf8.decode(bytes);
  if (text0 === null) throw new NoteError('invalid_utf8', 'the note is not valid UTF-8');
  checkCharacters(text0);
  // The text ends at the last blank line; everything after is signature lines.
  const split = text0.lastIndexOf('\n\n');
  if (split < 0) throw new NoteError('no_signature_block', 'no blank line before the signatures');
  const text = text0.slice(0, split + 1);
  const block = text0.slice(split + 2);
  if (block.length === 0 || !block.endsWith('\n')) throw new NoteError('missing_newline', 'the signature block must end in a newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw new NoteError('too_many_signatures', `more than ${MAX_SIGNATURES} signatures`);

  const verified: NoteSignature[] = [];
  const unverified: NoteSignature[] = [];
  const seen = new Set<string>();
  const textBytes = utf8.encode(text);
  for (const line of lines) {
    if (!line.startsWith(EM_DASH_SPACE)) throw new NoteError('malformed_signature', 'a signature line starts with an em dash and a space');
    const rest = line.slice(EM_DASH_SPACE.length);
    const space = rest.indexOf(' ');
    if (space <= 0) throw new NoteError('malformed_signature', 'a signature line is "— name signature"');
    const name = rest.slice(0, space);
    const b64 = rest.slice(space + 1);
    if (!isValidKeyName(name)) throw new NoteError('malformed_signature', 'a signature names an invalid key');
    const blob = fromBase64(b64);
    if (!blob) throw new NoteError('bad_base64', 'a signature is not base64');
    if (blob.length < 5) throw new NoteError('malformed_signature', 'a signature is too short');
    const keyId = new DataView(blob.buffer, blob.byteOffset, 4).getUint32(0, false);
    const sig: NoteSignature = { name, keyId, base64: b64 };
    const matches = known.filter((v) => v.name === name && v.keyId === keyId);
    if (matches.length === 0) {
      unverified.push(sig);
      continue;
    }
    const id = `${name}+${keyId}`;
    if (seen.has(id)) continue;
    seen.add(id);
    if (!matches.some((v) => ed25519Verify(v.publicKey, textBytes, blob.subarray(4)))) {
      throw new NoteError('invalid_signature', `the signature by ${name}+${hex8(keyId)} does not verify`);
    }
    verified.push(sig);
  }
  if (verified.length === 0) throw new NoteError('no_known_signature', 'the note is signed by no known key');
  return { text, verified, unverified };
}
