// The log's side of C2SP tlog-witness: after the integrator has signed a
// checkpoint, submit it to each configured witness with a consistency proof
// from the size that witness last cosigned, and publish the checkpoint with
// the cosignatures that came back. A witness that is down, slow or refuses
// costs its cosignature, never the log's progress: it runs as its own worker,
// after integration has committed, and whatever it got is published.
//
// HTTP is a port (`post`), so this file does no I/O of its own; wire.ts gives it fetch.
import { ConfigError } from '../config.ts';
import { openCosignedCheckpoint, parseCosignerVerifierKey, withCosignatures } from './cosignature.ts';
import type { Hash } from './merkle.ts';
import type { Verifier } from './note.ts';
import { formatAddCheckpoint, parseSizeBody } from './witness-protocol.ts';

export interface WitnessEndpoint {
  /** The witness's submission prefix; add-checkpoint is under it. */
  readonly url: string;
  /** Its cosigner key (signed-note vkey of type 0x04). */
  readonly key: Verifier;
}

export type Post = (url: string, body: string, signal: AbortSignal) => Promise<{ status: number; contentType: string; body: string }>;
/** RFC 9162 consistency proof between two sizes of this log, from its stored tiles. */
export type ProofSource = (from: number, to: number) => Promise<Hash[]>;

export interface SignedTree {
  readonly size: number;
  readonly root: Hash;
  /** The checkpoint as the log signed it. */
  readonly note: string;
}

interface Log {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * LOG_WITNESSES: comma-separated entries, each "URL VKEY" (a space between).
 * Parsed here rather than in config.ts because the key's checks are the ledger's.
 */
export function parseWitnessList(raw: string): WitnessEndpoint[] {
  if (raw.trim() === '') return [];
  return raw.split(',').map((item, i) => {
    const parts = item.trim().split(/\s+/);
    if (parts.length !== 2) throw new ConfigError('LOG_WITNESSES', `entry ${i + 1} must be "URL VKEY", got "${item.trim()}"`);
    const [url, vkey] = parts;
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new ConfigError('LOG_WITNESSES', `entry ${i + 1}: "${url}" is not a URL`);
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new ConfigError('LOG_WITNESSES', `entry ${i + 1}: a witness URL is http or https`);
    try {
      return { url: url.replace(/\/+$/, ''), key: parseCosignerVerifierKey(vkey) };
    } catch (err) {
      throw new ConfigError('LOG_WITNESSES', `entry ${i + 1}: ${(err as Error).message}`);
    }
  });
}

export interface WitnessCosigningDeps {
  readonly witnesses: readonly WitnessEndpoint[];
  readonly post: Post;
  /** Milliseconds. */
  readonly now: () => number;
  readonly log: Log;
  /** How long one witness may take to answer. */
  readonly timeoutMs: number;
  /** How soon witnesses that gave no cosignature for the current checkpoint are asked again. */
  readonly retryMs: number;
}

export class WitnessCosigning {
  readonly #deps: WitnessCosigningDeps;
  /** Per witness URL, the size it last cosigned as far as we know (tlog-witness: the old size it checks). */
  readonly #known = new Map<string, number>();
  /** The checkpoint being published, and each witness's cosignature line on it. */
  #current: { tree: SignedTree; lines: Map<string, string>; triedAt: number } | null = null;
  #busy = false;

  constructor(deps: WitnessCosigningDeps) {
    this.#deps = deps;
  }

  get witnessCount(): number {
    return this.#deps.witnesses.length;
  }

  /**
   * What GET /log/checkpoint serves, given the latest signed checkpoint: with
   * the cosignatures gathered for it. While a newer one is being submitted the
   * previous, cosigned one is served (a few seconds at most); once the attempt
   * is over the newest is served, with what it got, even nothing.
   */
  published(latest: SignedTree): string {
    const cur = this.#current;
    if (!cur || (cur.tree.size < latest.size && !this.#busy)) return latest.note;
    return withCosignatures(cur.tree.note, [...cur.lines.values()]);
  }

  /** `tree` with the cosignatures gathered for exactly it (none yet: as signed). For receipts, whose proofs are for that size. */
  cosignedNote(tree: SignedTree): string {
    const cur = this.#current;
    return cur && cur.tree.size === tree.size && cur.tree.note === tree.note ? withCosignatures(tree.note, [...cur.lines.values()]) : tree.note;
  }

  /** Submits `tree` to the witnesses that have not cosigned it yet (all, for a new tree). */
  async cosign(tree: SignedTree, logKey: Verifier, proof: ProofSource): Promise<void> {
    const { witnesses, now, retryMs } = this.#deps;
    const cur = this.#current;
    const same = cur !== null && cur.tree.size === tree.size && cur.tree.note === tree.note;
    if (same && (cur.lines.size === witnesses.length || now() - cur.triedAt < retryMs)) return;
    if (witnesses.length === 0) {
      this.#current = { tree, lines: new Map(), triedAt: now() };
      return;
    }
    const lines = same ? cur.lines : new Map<string, string>();
    const todo = witnesses.filter((w) => !lines.has(w.url));
    this.#busy = true;
    try {
      const got = await Promise.all(todo.map((w) => this.#submit(w, tree, logKey, proof)));
      todo.forEach((w, i) => {
        const line = got[i];
        if (line) lines.set(w.url, line);
      });
      this.#current = { tree, lines, triedAt: now() };
    } finally {
      this.#busy = false;
    }
  }

  /** One witness: its cosignature line on `tree`, or null (logged) when it gave none. */
  async #submit(w: WitnessEndpoint, tree: SignedTree, logKey: Verifier, proof: ProofSource): Promise<string | null> {
    const { post, log, timeoutMs } = this.#deps;
    try {
      // Two tries: the first from the size we believe the witness has (0 if we
      // do not know); a 409 names its real size, and the second starts there.
      for (let attempt = 0; attempt < 2; attempt++) {
        const old = Math.min(this.#known.get(w.url) ?? 0, tree.size);
        const hashes = old > 0 && old < tree.size ? await proof(old, tree.size) : [];
        const body = formatAddCheckpoint({ oldSize: old, proof: hashes, checkpoint: tree.note });
        const res = await post(`${w.url}/add-checkpoint`, body, AbortSignal.timeout(timeoutMs));
        if (res.status === 200) {
          // tlog-witness: the client MAY concatenate the answer to the checkpoint and
          // verify it as a note with the witness keys it trusts. Only w's lines count.
          const opened = openCosignedCheckpoint(tree.note + res.body, logKey, [w.key]);
          const mine = opened.cosignatures[0];
          if (!mine) {
            log.warn({ witness: w.url }, 'the witness answered without a cosignature by its configured key');
            return null;
          }
          this.#known.set(w.url, tree.size);
          return mine.line;
        }
        if (res.status === 409 && attempt === 0) {
          const theirs = parseSizeBody(res.body);
          if (theirs > tree.size) {
            // The witness has cosigned a bigger tree of this log than we have: a
            // rollback on our side or a second log signing with our key. Loud.
            log.error({ witness: w.url, theirs, ours: tree.size }, 'the witness has cosigned a larger tree of this log than the log has');
            return null;
          }
          this.#known.set(w.url, theirs);
          continue;
        }
        log.warn({ witness: w.url, status: res.status, answer: res.body.slice(0, 500), size: tree.size }, 'the witness refused the checkpoint');
        return null;
      }
      return null;
    } catch (err) {
      log.warn({ witness: w.url, err: err instanceof Error ? err.message : String(err), size: tree.size }, 'no cosignature from the witness (unreachable, or its answer did not verify); publishing without it');
      return null;
    }
  }
}
