// Deleting an account (issue 14 §2; GDPR art. 17). The request is recorded
// first, with every way in and every personal field gone in the same
// transaction; the clips are then crypto-shredded one by one (each key
// destroyed, then its blobs), and the account is marked deleted when none is
// left. A job resumes any deletion a crash interrupted, and finishes clips
// that a hold kept once the hold ends. Log entries stay: they hold no
// personal data, and receipts others kept stay valid proofs.
import type { UserActor } from '../platform/access.ts';
import type { AppContext } from '../platform/context.ts';
import { conflict, orBadRequest } from '../platform/http/errors.ts';
import { requirePorts } from '../platform/ports.ts';
import type { AccountsService } from '../accounts/service.ts';
import type { ClipsService } from '../clips/service.ts';
import type { ExportService } from './export.ts';
import { checkDeletionConfirmation } from './policy.ts';
import * as repo from './repository.ts';

export interface DeletionResult {
  /** `deleted`: nothing is left; `pending`: clips under a legal hold stay until it ends, then go. */
  status: 'deleted' | 'pending';
  shredded: number;
  /** The clips a hold keeps, with when the hold ends (null: until released). No case details. */
  kept: { clipId: string; cameraId: string; startedAt: string; until: string | null; reason: string }[];
}

export interface DeletionDeps {
  accounts: AccountsService;
  clips: ClipsService;
  exports: ExportService;
}

const HELD = 'a legal hold keeps this clip until it ends; it is deleted then';

export class DeletionService {
  readonly #ctx: AppContext;
  readonly #d: DeletionDeps;

  constructor(ctx: AppContext, deps: DeletionDeps) {
    requirePorts('DeletionService', deps, ['accounts', 'clips', 'exports']);
    this.#ctx = ctx;
    this.#d = deps;
    ctx.workers.add({ name: 'control.deletions', intervalMs: 60 * 60_000, run: async () => void (await this.resume()) });
  }

  get #db() {
    return this.#ctx.db.kysely;
  }

  async delete(actor: UserActor, input: { password: string; confirm: string }): Promise<DeletionResult> {
    orBadRequest(checkDeletionConfirmation(input.confirm));
    await this.#d.accounts.confirmPassword(actor, input.password);
    const others = (await this.#d.accounts.listSessions(actor)).filter((s) => !s.current);
    if (others.length) throw conflict(`you are signed in on ${others.length} other session${others.length === 1 ? '' : 's'}; end ${others.length === 1 ? 'it' : 'them'} first, so no one else is using this account`);
    const now = this.#ctx.clock.now();
    await this.#db.transaction().execute(async (tx) => {
      await repo.markDeletionRequested(tx, actor.userId, now);
      await repo.removePersonalRows(tx, actor.userId);
      await repo.scrubUser(tx, actor.userId);
    });
    this.#d.accounts.forgetSessions({ userId: actor.userId });
    return this.#finish(actor.userId);
  }

  /** Shreds what can go now; marks the account deleted when no clip is left. Idempotent. */
  async #finish(userId: string): Promise<DeletionResult> {
    await this.#d.exports.destroyAllOf(userId);
    const { shredded, held } = await this.#d.clips.shredAllOf(userId);
    if (held.length === 0) await repo.markDeleted(this.#db, userId, this.#ctx.clock.now());
    return {
      status: held.length === 0 ? 'deleted' : 'pending', shredded,
      kept: held.map((h) => ({ clipId: h.id, cameraId: h.cameraId, startedAt: h.startedAt, until: h.until, reason: HELD })),
    };
  }

  /** Deletions a crash interrupted, or that waited for a hold to end. Returns how many finished. */
  async resume(): Promise<number> {
    let done = 0;
    for (const userId of await repo.pendingDeletions(this.#db, 100)) {
      // A crash between the request and its transaction's commit leaves nothing to resume; after it, the personal rows are gone already.
      await repo.removePersonalRows(this.#db, userId);
      if ((await this.#finish(userId)).status === 'deleted') done++;
    }
    return done;
  }
}
