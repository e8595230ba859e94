// The reviewer console's shared API (issue 6 §3): one queue view across the
// capabilities that need a reviewer (legal demands, emergency requests, and
// community requests when that capability registers its queue), each item with
// its age; and the audit trail of every reviewer action.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Actor } from '../platform/access.ts';
import type { AppContext } from '../platform/context.ts';
import { errorResponses } from '../platform/http/errors.ts';
import { Id } from '../platform/http/schemas.ts';
import { decodeCursor, encodeCursor } from '../clips/policy.ts';
import { listAudit } from '../platform/audit.ts';
import { Audit, strict } from './schemas.ts';
import { requireStaff } from './service.ts';

export interface QueueItem {
  kind: string;
  id: string;
  agencyId: string;
  summary: string;
  createdAt: string;
  ageMs: number;
}

export type QueueSource = (actor: Actor) => Promise<QueueItem[]>;

const Item = Type.Object({ kind: Type.String(), id: Type.String(), agencyId: Type.String(), summary: Type.String(), createdAt: Type.String({ format: 'date-time' }), ageMs: Type.Integer() });

export class ReviewConsole {
  readonly #ctx: AppContext;
  readonly #sources = new Map<string, QueueSource>();

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
  }

  /** Each capability with a review queue registers it under its kind. */
  register(kind: string, source: QueueSource): void {
    this.#sources.set(kind, source);
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

export function consoleRoutes(reviewConsole: ReviewConsole): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['review'];
    app.get('/api/v1/review/queues', {
      config: { access: 'review.console' },
      schema: {
        tags, summary: 'Every review queue, each item with its age',
        response: { 200: Type.Object({ queues: Type.Array(Type.Object({ kind: Type.String(), items: Type.Array(Item), oldestAgeMs: Type.Union([Type.Integer(), Type.Null()]) })) }), ...errorResponses(401, 403) },
      },
    }, async (req) => reviewConsole.queues(req.actor));

    app.get('/api/v1/review/audit', {
      config: { access: 'review.console' },
      schema: {
        tags, summary: 'The audit trail: every reviewer action, who, what, when and why (newest first)',
        querystring: Type.Object({ cursor: Type.Optional(Type.String({ maxLength: 200 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })), subjectId: Type.Optional(Id) }, strict),
        response: { 200: Type.Object({ items: Type.Array(Audit), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses(400, 401, 403) },
      },
    }, async (req) => reviewConsole.audit(req.actor, req.query));
  };
}
