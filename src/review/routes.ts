// The reviewer console over HTTP: the queues and the audit trail.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errorResponses } from '../platform/http/errors.ts';
import { Id } from '../platform/http/schemas.ts';
import { Audit, Item, strict } from './schemas.ts';
import type { ReviewConsole } from './service.ts';

export function reviewRoutes(reviewConsole: ReviewConsole): FastifyPluginAsyncTypebox {
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
