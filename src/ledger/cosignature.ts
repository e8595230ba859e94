// C2SP tlog-cosignature (https://c2sp.org/tlog-cosignature), the Ed25519
// `cosignature/v1` type: a witness's timestamped statement that a checkpoint is
// the largest consistent tree it has seen for the log. Pure; Ed25519 comes
// through primitives.ts. Cosignatures are ordinary signed-note signature lines,
// so a checkpoint carries its log signature and its cosignatures in one note,
// and a verifier that knows only the log's key ignores the rest (signed-note
// §Signatures: "verifiers MUST ignore signatures from unknown keys").
import { type OpenedCheckpoint, openCheckpoint } from './checkpoint.ts';
import { NoteError, type Signer, type Verifier, computeKeyId, formatSignerKey, formatVerifierKey, isValidKeyName, signerFromSeed, splitKey, withAlg } from './note.ts';
import { ed25519Sign, ed25519Verify, fromBase64, randomBytes, toBase64, utf8 } from './primitives.ts';

/** signed-note §Signature types: 0x04, timestamped Ed25519 checkpoint cosignatures. */
export const ALG_COSIGNATURE_V1 = 0x04;
const EM_DASH_SPACE = '\u2014 ';
/** tlog-cosignature §Format: key ID (4) || timestamp (u64, 8) || Ed25519 signature (64). */
const BLOB_BYTES = 4 + 8 + 64;

const hex8 = (id: number) => id.toString(16).padStart(8, '0');

const typed = (key: Uint8Array) => withAlg(key, ALG_COSIGNATURE_V1);

/** A cosigner from its name and 32-byte seed; the key ID uses type 0x04 (tlog-cosignature §Format). */
export function cosignerFromSeed(name: string, seed: Uint8Array): Signer {
  if (!isValidKeyName(name)) throw new NoteError('bad_name', 'a cosigner name is non-empty, with no spaces or plus signs');
  return signerFromSeed(name, seed, ALG_COSIGNATURE_V1);
}

export const generateCosigner = (name: string): Signer => cosignerFromSeed(name, randomBytes(32));

/** The cosigner's vkey: "name+hex8(keyID)+base64(0x04 || pubkey)" (signed-note §Verifier keys). */
export const formatCosignerVerifierKey = (v: Verifier): string => formatVerifierKey(v, ALG_COSIGNATURE_V1);

/** The cosigner's private key file: PRIVATE+KEY+name+hex8+base64(0x04 || seed). */
export const formatCosignerKey = (s: Signer): string => formatSignerKey(s, ALG_COSIGNATURE_V1);

const WRONG_TYPE = 'not a cosignature/v1 key (type 0x04, 32-byte Ed25519 key)';
const splitTyped = (text: string) => splitKey(text, ALG_COSIGNATURE_V1, WRONG_TYPE);

/** Parses a witness's vkey (type 0x04). A log's own Ed25519 key (type 0x01) is refused: the types are not interchangeable. */
export function parseCosignerVerifierKey(vkey: string): Verifier {
  const { name, keyId, key } = splitTyped(vkey.trim());
  if (computeKeyId(name, typed(key)) !== keyId) throw new NoteError('bad_key', 'the key hash does not match the key');
  return { name, keyId, publicKey: key.slice() };
}

export function parseCosignerKey(skey: string): Signer {
  const text = skey.trim();
  if (!text.startsWith('PRIVATE+KEY+')) throw new NoteError('bad_key', 'a signer key starts with PRIVATE+KEY+');
  const { name, keyId, key } = splitTyped(text.slice('PRIVATE+KEY+'.length));
  const s = cosignerFromSeed(name, key);
  if (s.keyId !== keyId) throw new NoteError('bad_key', 'the key hash does not match the key');
  return s;
}

/** tlog-cosignature §Ed25519 signed message: "cosignature/v1\n", "time <T>\n", then the checkpoint's note text. */
export function cosignedMessage(noteText: string, timestamp: number): string {
  return `cosignature/v1\ntime ${timestamp}\n${noteText}`;
}

/**
 * One cosignature line over a checkpoint's note text (ending in its newline, no
 * signatures). `timestamp` is POSIX seconds; tlog-witness forbids zero.
 */
export function cosignatureLine(noteText: string, cosigner: Signer, timestamp: number): string {
  if (!Number.isSafeInteger(timestamp) || timestamp <= 0) throw new RangeError('a cosignature timestamp is a positive whole number of seconds');
  const sig = ed25519Sign(cosigner.seed, utf8.encode(cosignedMessage(noteText, timestamp)));
  const blob = new Uint8Array(BLOB_BYTES);
  const view = new DataView(blob.buffer);
  view.setUint32(0, cosigner.keyId, false);
  view.setBigUint64(4, BigInt(timestamp), false); // RFC 8446 §3.3: big-endian
  blob.set(sig, 12);
  return `${EM_DASH_SPACE}${cosigner.name} ${toBase64(blob)}\n`;
}

export interface Cosignature {
  readonly name: string;
  readonly keyId: number;
  /** POSIX seconds, as the witness stated. */
  readonly timestamp: number;
  /** The signature line, with its newline, as it appeared in the note. */
  readonly line: string;
}

export interface CosignedCheckpoint extends OpenedCheckpoint {
  /** Valid cosignatures by the given witnesses, one per witness at most. */
  readonly cosignatures: Cosignature[];
}

/**
 * Opens a checkpoint with the log's key, then checks every signature line
 * whose name and key ID match a given witness. Lines by unknown keys are
 * ignored; a line by a known witness that does not verify rejects the whole
 * note, as signed-note §Signatures says clients SHOULD, so a forged
 * cosignature is an error rather than silently not counted.
 */
export function openCosignedCheckpoint(msg: string | Uint8Array, log: Verifier, witnesses: readonly Verifier[]): CosignedCheckpoint {
  const opened = openCheckpoint(msg, log);
  const text = opened.note.text;
  const cosignatures: Cosignature[] = [];
  const seen = new Set<string>();
  for (const sig of opened.note.unverified) {
    const w = witnesses.find((v) => v.name === sig.name && v.keyId === sig.keyId);
    if (!w) continue;
    const id = `${w.name}+${hex8(w.keyId)}`;
    const blob = fromBase64(sig.base64);
    if (!blob || blob.length !== BLOB_BYTES) throw new NoteError('invalid_signature', `the cosignature by ${id} is not ${BLOB_BYTES} bytes`);
    const ts = new DataView(blob.buffer, blob.byteOffset, blob.byteLength).getBigUint64(4, false);
    // tlog-cosignature §Format: the timestamp MUST NOT exceed 2^63 - 1; we also need it exact as a Number.
    if (ts > BigInt(Number.MAX_SAFE_INTEGER)) throw new NoteError('invalid_signature', `the cosignature by ${id} has an impossible timestamp`);
    const timestamp = Number(ts);
    if (!ed25519Verify(w.publicKey, utf8.encode(cosignedMessage(text, timestamp)), blob.subarray(12))) {
      throw new NoteError('invalid_signature', `the cosignature by ${id} does not verify`);
    }
    if (seen.has(id)) continue;
    seen.add(id);
    cosignatures.push({ name: w.name, keyId: w.keyId, timestamp, line: `${EM_DASH_SPACE}${sig.name} ${sig.base64}\n` });
  }
  return { ...opened, cosignatures };
}

/**
 * Adds cosignature lines to a signed checkpoint (tlog-witness §add-checkpoint:
 * "the client MAY concatenate it to the checkpoint"). The note ends with its
 * signature block's final newline, so appending lines keeps it a signed note.
 */
export function withCosignatures(signedNote: string, lines: readonly string[]): string {
  for (const l of lines) if (!l.startsWith(EM_DASH_SPACE) || !l.endsWith('\n') || l.indexOf('\n') !== l.length - 1) throw new NoteError('malformed_signature', 'a cosignature is one signature line');
  return signedNote + lines.join('');
}
