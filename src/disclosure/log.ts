// Writing disclosure-log entries (PRODUCT.md F, "What an entry holds"). Every
// entry about clips commits to each clip's SHA-256 under a fresh 32-byte salt
// (src/ledger/entry.ts); the salt goes to the ledger's private subjects table,
// from which only the owner's receipts read it. No owner id, name, e-mail or
// address ever enters the entry itself.
//
// Legal and emergency write their non-content, preservation, refusal and
// follow-up entries through here too, so that every entry of this product is
// built one way.
import type { AppContext } from '../platform/context.ts';
import type { DbHandle } from '../platform/db/db.ts';
import { ENTRY_VERSION, clipCommitment, newClipSalt, type DemandKind, type KnownBasis, type Outcome } from '../ledger/entry.ts';
import { fromHex, toHex } from '../ledger/primitives.ts';
import { append } from '../ledger/service.ts';

export interface LogClip {
  clipId: string;
  ownerId: string;
  /** Hex SHA-256 of the original clip. */
  sha256: string;
}

export interface LogRecord {
  basis: KnownBasis;
  agency: string | null;
  ref: string;
  reviewers: readonly string[];
  clips: readonly LogClip[];
  /** What the transparency report counts (docs/ledger.md, version 2); only the fields the basis uses. */
  count?: number;
  demand?: DemandKind;
  outcome?: Outcome;
  incident?: string;
}

/** An entry that concerns no clip: a request sent, a decision, owners notified, a follow-up. */
export type EventRecord = Omit<LogRecord, 'clips'>;

export interface Logged {
  seq: number;
  /** Hex salts, in the order of `clips`. */
  salts: string[];
}

/** The most clips one entry commits to (entry.ts MAX_LIST); longer lists are split. */
export const CLIPS_PER_ENTRY = 500;

export class LogWriter {
  readonly #ctx: AppContext;
  constructor(ctx: AppContext) {
    this.#ctx = ctx;
  }

  /** Appends one entry in the caller's transaction; it commits or rolls back with the caller's writes. */
  async append(tx: DbHandle, r: LogRecord): Promise<Logged> {
    const salts = r.clips.map(() => newClipSalt());
    const commitments = r.clips.map((c, i) => {
      const digest = fromHex(c.sha256);
      if (!digest || digest.length !== 32) throw new Error(`clip ${c.clipId} has no valid SHA-256`);
      return clipCommitment(salts[i], digest);
    });
    const entry = {
      v: ENTRY_VERSION,
      basis: r.basis,
      agency: r.agency,
      ref: r.ref,
      reviewers: [...new Set(r.reviewers)],
      time: new Date(this.#ctx.clock.now()).toISOString(),
      clips: commitments,
      ...(r.count === undefined ? {} : { count: r.count }),
      ...(r.demand === undefined ? {} : { demand: r.demand }),
      ...(r.outcome === undefined ? {} : { outcome: r.outcome }),
      ...(r.incident === undefined ? {} : { incident: r.incident }),
    };
    const subjects = r.clips.map((c, i) => ({ ownerId: c.ownerId, clipId: c.clipId, clipSha256: c.sha256, salt: toHex(salts[i]) }));
    const { seq } = await append(tx, entry, subjects, this.#ctx.clock.now());
    return { seq, salts: subjects.map((s) => s.salt) };
  }

  /** Appends an entry about no clip, in the caller's transaction. */
  async event(tx: DbHandle, r: EventRecord): Promise<{ seq: number }> {
    return this.append(tx, { ...r, clips: [] });
  }

  /** Appends entries of at most CLIPS_PER_ENTRY clips each (an entry with no clips when the list is empty). */
  async appendMany(tx: DbHandle, r: LogRecord): Promise<Logged[]> {
    if (r.clips.length <= CLIPS_PER_ENTRY) return [await this.append(tx, r)];
    const out: Logged[] = [];
    for (let i = 0; i < r.clips.length; i += CLIPS_PER_ENTRY) out.push(await this.append(tx, { ...r, clips: r.clips.slice(i, i + CLIPS_PER_ENTRY) }));
    return out;
  }
}
