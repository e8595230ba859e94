// The wire format of C2SP tlog-witness §add-checkpoint
// (https://c2sp.org/tlog-witness), shared by the log that submits checkpoints
// and the witness that cosigns them. Pure. The witness parses bodies from
// anyone on the network: attacker-controlled, parsed strictly, one text per request.
import { HASH_SIZE, type Hash } from './merkle.ts';
import { fromBase64, toBase64 } from './primitives.ts';

/** tlog-witness §add-checkpoint: "The client MUST NOT send more than 63 consistency proof lines." */
export const MAX_PROOF_LINES = 63;
/** The Content-Type of a 409 answer, whose body is the witness's size (tlog-witness §add-checkpoint). */
export const SIZE_CONTENT_TYPE = 'text/x.tlog.size';

export class WitnessProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WitnessProtocolError';
  }
}

const DECIMAL = /^(0|[1-9][0-9]{0,15})$/;

function decimal(text: string, what: string): number {
  if (!DECIMAL.test(text)) throw new WitnessProtocolError(`${what} is not a decimal with no leading zeroes`);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new WitnessProtocolError(`${what} is too large`);
  return n;
}

export interface AddCheckpointRequest {
  readonly oldSize: number;
  readonly proof: readonly Hash[];
  /** The signed checkpoint, signatures included. */
  readonly checkpoint: string;
}

/** "old <N>\n", one base64 hash per line, "\n", then the signed checkpoint. */
export function formatAddCheckpoint(req: AddCheckpointRequest): string {
  if (req.proof.length > MAX_PROOF_LINES) throw new WitnessProtocolError(`a proof has at most ${MAX_PROOF_LINES} hashes`);
  return `old ${req.oldSize}\n${req.proof.map((h) => `${toBase64(h)}\n`).join('')}\n${req.checkpoint}`;
}

export function parseAddCheckpoint(body: string): AddCheckpointRequest {
  const blank = body.indexOf('\n\n');
  if (blank < 0) throw new WitnessProtocolError('the body has no empty line before the checkpoint');
  const head = body.slice(0, blank).split('\n');
  const checkpoint = body.slice(blank + 2);
  const first = head[0];
  if (!first.startsWith('old ')) throw new WitnessProtocolError('the body starts with "old <size>"');
  const oldSize = decimal(first.slice(4), 'the old size');
  const lines = head.slice(1);
  if (lines.length > MAX_PROOF_LINES) throw new WitnessProtocolError(`more than ${MAX_PROOF_LINES} proof lines`);
  const proof = lines.map((l, i) => {
    const h = fromBase64(l);
    if (!h || h.length !== HASH_SIZE) throw new WitnessProtocolError(`proof line ${i + 1} is not a base64 SHA-256 hash`);
    return h;
  });
  if (checkpoint.length === 0) throw new WitnessProtocolError('the body has no checkpoint');
  return { oldSize, proof, checkpoint };
}

/** The body of a 409: the witness's latest cosigned size, then a newline. */
export function formatSizeBody(size: number): string {
  return `${size}\n`;
}

export function parseSizeBody(body: string): number {
  if (!body.endsWith('\n') || body.indexOf('\n') !== body.length - 1) throw new WitnessProtocolError('a size body is one line');
  return decimal(body.slice(0, -1), 'the size');
}
