// The reviewer console (issue 6 §3): one queue view across the capabilities
// that need a reviewer (legal demands, emergency requests and their notice
// delays), each item with its age; and the audit trail of every reviewer
// action. The queues are handed over when the console is wired, so none can be
// left out by a forgotten registration.
import type { Actor } from '../platform/access.ts';
import { requireStaff } from '../platform/access.ts';
import type { AppContext } from '../platform/context.ts';
import { decodeCursor, encodeCursor } from '../platform/http/cursor.ts';
import { listAudit } from '../platform/audit.ts';

export interface QueueItem {
  kind: string;
  id: string;
  agencyId: string;
  summary: string;
  createdAt: string;
  ageMs: number;
}

export type QueueSource = (actor: Actor) => Promise<QueueItem[]>;


export class ReviewConsole {
  readonly #ctx: AppContext;
  readonly #sources: ReadonlyMap<string, QueueSource>;

  /** `sources`: every capability's review queue, by kind, given at wiring time. */
  constructor(ctx: AppContext, sources: Record<string, QueueSource>) {
    this.#ctx = ctx;
    this.#sources = new Map(Object.entries(sources));
  }

  /** Every queue, oldest item first within each, emergencies first (they are the urgent ones). */
  async queues(actor: Actor): Promise<{ queues: { kind: string; items: QueueItem[]; oldestAgeMs: number | null }[] }> {
    requireStaff(actor);
    const kinds = [...this.#sources.keys()].sort((a, b) => (a === 'emergency' ? -1 : b === 'emergency' ? 1 : a.localeCompare(b)));
    const queues = [];
    for (const kind of kinds) {
      const items = (await this.#sources.get(kind)!(actor)).sort((a, b) => b.ageMs - a.ageMs);
      queues.push({ kind, items, oldestAgeMs: items.length ? items[0].ageMs : null });
    }
    return { queues };
  }

  async audit(actor: Actor, q: { cursor?: string; limit?: number; subjectId?: string }) {
    requireStaff(actor);
    const limit = Math.min(q.limit ?? 50, 200);
    const before = q.cursor ? decodeCursor(q.cursor) : undefined;
    const rows = await listAudit(this.#ctx.db.kysely, { limit: limit + 1, before: before && { at: before.t, id: before.id }, subjectId: q.subjectId });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { items: page, nextCursor: rows.length > limit && last ? encodeCursor(Date.parse(last.at), last.id) : null };
  }
}
