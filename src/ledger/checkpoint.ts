// C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint): the note body a log
// signs to commit to a tree size and root hash. Pure and strict: there is
// exactly one text for a checkpoint, so two different texts can never be
// argued to be "the same" checkpoint.
import { HASH_SIZE, type Hash } from './merkle.ts';
import { type OpenedNote, type Signer, type Verifier, openNote, signNote } from './note.ts';
import { fromBase64, toBase64 } from './primitives.ts';

export type CheckpointErrorCode = 'malformed' | 'bad_origin' | 'bad_size' | 'bad_root' | 'bad_extension' | 'origin_mismatch';

export class CheckpointError extends Error {
  readonly code: CheckpointErrorCode;
  constructor(code: CheckpointErrorCode, message: string) {
    super(message);
    this.name = 'CheckpointError';
    this.code = code;
  }
}

export interface Checkpoint {
  /** Names the log; by convention also the name of its signing key. */
  readonly origin: string;
  readonly size: number;
  readonly root: Hash;
  /** Optional extension lines after the root (tlog-checkpoint §Note text); opaque here. */
  readonly extensions: readonly string[];
}

/** Checkpoints are small; anything bigger is refused before parsing. */
export const MAX_CHECKPOINT_NOTE_BYTES = 16 * 1024;

const badLine = (line: string) => line.length === 0 || line.includes('\n');

/** tlog-checkpoint §Note text: origin, decimal size, base64 root, extension lines; each ends in a newline. */
export function formatCheckpoint(cp: Checkpoint): string {
  if (badLine(cp.origin)) throw new CheckpointError('bad_origin', 'the origin must be one non-empty line');
  if (!Number.isSafeInteger(cp.size) || cp.size < 0) throw new CheckpointError('bad_size', 'the size must be a non-negative integer');
  if (cp.root.length !== HASH_SIZE) throw new CheckpointError('bad_root', 'the root must be a SHA-256 hash');
  for (const ext of cp.extensions) if (badLine(ext)) throw new CheckpointError('bad_extension', 'an extension must be one non-empty line');
  return [cp.origin, String(cp.size), toBase64(cp.root), ...cp.extensions].join('\n') + '\n';
}

/** Parses a checkpoint body (the note text, not the signatures). */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n')) throw new CheckpointError('malformed', 'a checkpoint ends in a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw new CheckpointError('malformed', 'a checkpoint has an origin, a size and a root');
  const [origin, sizeText, rootText, ...extensions] = lines;
  if (origin.length === 0) throw new CheckpointError('bad_origin', 'the origin is empty');
  // Decimal with no sign, no leading zero and no exponent: one text per number.
  if (!/^(0|[1-9][0-9]{0,15})$/.test(sizeText)) throw new CheckpointError('bad_size', 'the size is not a decimal number');
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) throw new CheckpointError('bad_size', 'the size is too large');
  const root = fromBase64(rootText);
  if (!root || root.length !== HASH_SIZE) throw new CheckpointError('bad_root', 'the root is not a base64 SHA-256 hash');
  for (const ext of extensions) if (ext.length === 0) throw new CheckpointError('bad_extension', 'an extension line is empty');
  return { origin, size, root, extensions };
}

export function signCheckpoint(cp: Checkpoint, signer: Signer): string {
  return signNote(formatCheckpoint(cp), signer);
}

export interface OpenedCheckpoint {
  readonly checkpoint: Checkpoint;
  readonly note: OpenedNote;
}

/**
 * Verifies a signed checkpoint against the log's key and parses it. The origin
 * must equal the key's name (our log names its key after its origin), or
 * `expectedOrigin` when given.
 */
export function openCheckpoint(msg: string | Uint8Array, verifier: Verifier, opts: { expectedOrigin?: string } = {}): OpenedCheckpoint {
  const note = openNote(msg, [verifier], { maxBytes: MAX_CHECKPOINT_NOTE_BYTES });
  const checkpoint = parseCheckpoint(note.text);
  const expected = opts.expectedOrigin ?? verifier.name;
  if (checkpoint.origin !== expected) throw new CheckpointError('origin_mismatch', `the checkpoint is for "${checkpoint.origin}", not "${expected}"`);
  return { checkpoint, note };
}
