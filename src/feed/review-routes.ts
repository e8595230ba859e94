// The reviewers' feed queue over HTTP: reported posts and comments, and the
// decision on each (remove, leaving a tombstone, or keep), audited.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireUser } from '../platform/access.ts';
import { errorResponses } from '../platform/http/errors.ts';
import { Id } from '../platform/http/schemas.ts';
import { REPORT_REASONS } from './policy.ts';
import { ReportedItem, strict } from './schemas.ts';
import type { FeedModeration } from './moderation.ts';

const Kind = Type.Union([Type.Literal('post'), Type.Literal('comment')]);

export function feedReviewRoutes(moderation: FeedModeration): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['feed', 'review'];
    app.get('/api/v1/review/feed-reports', {
      config: { access: 'feed.review' },
      schema: { tags, summary: 'Reported posts and comments, oldest report first', response: { 200: Type.Array(ReportedItem), ...errorResponses(401, 403) } },
    }, async () => moderation.queue());

    app.post('/api/v1/review/feed-reports/:kind/:id/decision', {
      config: { access: 'feed.review' },
      schema: {
        tags, summary: 'Remove a reported item (a tombstone "removed by a reviewer: reason" stays) or keep it; audited',
        params: Type.Object({ kind: Kind, id: Id }, strict),
        body: Type.Object({
          decision: Type.Union([Type.Literal('remove'), Type.Literal('keep')]),
          reason: Type.Union(REPORT_REASONS.map((r) => Type.Literal(r))),
          note: Type.Optional(Type.String({ maxLength: 500 })),
        }, strict),
        response: { 200: Type.Object({ kind: Kind, id: Type.String(), removed: Type.Boolean(), tombstone: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses(400, 401, 403, 404, 409) },
      },
    }, async (req) => moderation.decide(requireUser(req.actor), req.params.kind, req.params.id, req.body));
  };
}
