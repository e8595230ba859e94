// The witness's decision, pure: given a submitted body, the logs it witnesses
// and what it last cosigned for that log, either a cosignature and the new
// state, or the refusal C2SP tlog-witness §add-checkpoint prescribes. No I/O:
// the server (server.ts) reads the state, calls these two functions under the
// log's lock, and persists before it answers.
//
// Threat model: anyone can POST. Nothing in the body is trusted until the log's
// key has verified the checkpoint; the proof is then checked against the root
// this witness itself recorded, never against anything the submitter sends.
import { CheckpointError, type Checkpoint, parseCheckpoint } from '../ledger/checkpoint.ts';
import { cosignatureLine } from '../ledger/cosignature.ts';
import { EMPTY_ROOT, type Hash, MerkleError, verifyConsistency } from '../ledger/merkle.ts';
import { NoteError, type Signer, type Verifier, openNote } from '../ledger/note.ts';
import { bytesEqual } from '../ledger/primitives.ts';
import { SIZE_CONTENT_TYPE, WitnessProtocolError, type AddCheckpointRequest, formatSizeBody, parseAddCheckpoint } from '../ledger/witness-protocol.ts';

/** A log this witness cosigns: its origin line and the key(s) it trusts for it. */
export interface WitnessedLog {
  readonly origin: string;
  readonly keys: readonly Verifier[];
}

/** What the witness keeps per log (tlog-witness: "only required to keep track of the latest checkpoint"). */
export interface LogState {
  readonly size: number;
  readonly root: Hash;
  /** The checkpoint as cosigned: the log's verified signatures and ours, for monitors. */
  readonly note: string;
}

export interface Refusal {
  readonly status: 400 | 403 | 404 | 409 | 422;
  readonly contentType: string;
  readonly body: string;
}

export interface Submission {
  readonly log: WitnessedLog;
  readonly request: AddCheckpointRequest;
  readonly checkpoint: Checkpoint;
  /** Note text (no signatures) and the log's own signature lines that verified. */
  readonly text: string;
  readonly logSignatures: string;
}

const refuse = (status: Refusal['status'], message: string): Refusal => ({ status, contentType: 'text/plain; charset=utf-8', body: `${message}\n` });
export function isRefusal(x: object): x is Refusal {
  return 'status' in x;
}

/**
 * Step one, before any lock: the body's shape (400), the origin (404), and the
 * log's signature (403), in the order tlog-witness §add-checkpoint gives them.
 */
export function parseSubmission(body: string, logs: ReadonlyMap<string, WitnessedLog>): Submission | Refusal {
  let request: AddCheckpointRequest;
  try {
    request = parseAddCheckpoint(body);
  } catch (err) {
    if (err instanceof WitnessProtocolError) return refuse(400, `malformed request: ${err.message}`);
    throw err;
  }
  const origin = request.checkpoint.slice(0, Math.max(0, request.checkpoint.indexOf('\n')));
  const log = logs.get(origin);
  if (!log) return refuse(404, `unknown log origin "${origin.slice(0, 200)}"`);
  try {
    // Unknown keys are ignored (signed-note); a known key's bad signature rejects the note.
    const note = openNote(request.checkpoint, log.keys);
    const checkpoint = parseCheckpoint(note.text);
    if (checkpoint.origin !== origin) return refuse(400, 'malformed checkpoint: the origin line is not the first line');
    const logSignatures = note.verified.map((s) => `\u2014 ${s.name} ${s.base64}\n`).join('');
    return { log, request, checkpoint, text: note.text, logSignatures };
  } catch (err) {
    if (err instanceof NoteError && (err.code === 'no_known_signature' || err.code === 'invalid_signature')) {
      return refuse(403, `the checkpoint is not signed by a key this witness trusts for "${origin}": ${err.message}`);
    }
    if (err instanceof NoteError || err instanceof CheckpointError) return refuse(400, `malformed checkpoint: ${err.message}`);
    throw err;
  }
}

/**
 * Step two, under the log's lock with its current state: sizes (400, 409), the
 * empty tree (422), the proof (422); then the cosignature. `now` is POSIX seconds.
 */
export function decide(sub: Submission, state: LogState | null, cosigner: Signer, now: number): Refusal | { cosignature: string; state: LogState } {
  const { oldSize, proof } = sub.request;
  const { size, root } = sub.checkpoint;
  if (oldSize > size) return refuse(400, `the old size ${oldSize} is larger than the checkpoint's size ${size}`);
  const known = state?.size ?? 0;
  // A rollback, a replay of an old checkpoint, or a log that does not know our size.
  if (oldSize !== known) return { status: 409, contentType: SIZE_CONTENT_TYPE, body: formatSizeBody(known) };
  if (size === 0 && !bytesEqual(root, EMPTY_ROOT)) return refuse(422, 'a checkpoint of size 0 must have the empty tree\'s root');
  if (oldSize === 0) {
    if (proof.length !== 0) return refuse(422, 'a proof from size 0 must be empty');
  } else if (oldSize === size) {
    if (proof.length !== 0) return refuse(422, 'a proof between equal sizes must be empty');
    // Same size, other root: two histories signed by one key. This is a fork.
    if (!bytesEqual(root, state!.root)) return refuse(422, `the root differs from the one this witness cosigned at size ${size}: a fork`);
  } else {
    try {
      verifyConsistency(oldSize, size, state!.root, root, proof);
    } catch (err) {
      if (err instanceof MerkleError) return refuse(422, `the consistency proof from ${oldSize} to ${size} does not verify against the root this witness cosigned: ${err.message}`);
      throw err;
    }
  }
  const cosignature = cosignatureLine(sub.text, cosigner, now);
  return { cosignature, state: { size, root, note: `${sub.text}\n${sub.logSignatures}${cosignature}` } };
}
