// Retention per camera over HTTP: set a camera's days (or return it to the
// owner's default with null), and preview when each of its clips is deleted.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireUser } from '../platform/access.ts';
import { errorResponses } from '../platform/http/errors.ts';
import { IdParams } from '../platform/http/schemas.ts';
import { LIMITS } from './policy.ts';
import type { RetentionService } from './retention.ts';

const strict = { additionalProperties: false } as const;
const Days = Type.Integer({ minimum: LIMITS.retentionMinDays, maximum: LIMITS.retentionMaxDays });
const Settings = {
  cameraId: Type.String(),
  days: Type.Integer({ description: "the days that apply to this camera's clips" }),
  cameraDays: Type.Union([Type.Integer(), Type.Null()], { description: "the camera's own setting; null when it follows the owner's default" }),
  ownerDays: Type.Integer({ description: "the owner's default (PUT /api/v1/me/retention)" }),
};
const Item = Type.Object({
  clipId: Type.String(),
  startedAt: Type.String({ format: 'date-time' }),
  deletesAt: Type.String({ format: 'date-time', description: 'when the retention period ends; the hourly sweep after it deletes the clip unless held' }),
  held: Type.Boolean({ description: 'a preservation hold keeps the clip past that date (the case itself is not shown)' }),
});

export function retentionRoutes(retention: RetentionService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['clips'];

    app.put('/api/v1/cameras/:id/retention', {
      config: { access: 'clips.retention' },
      schema: {
        tags,
        summary: "Set how long this camera's clips are kept (1–180 days; null: my default)",
        params: IdParams,
        body: Type.Object({ days: Type.Union([Days, Type.Null()]) }, strict),
        response: { 200: Type.Object(Settings), ...errorResponses(400, 401, 403, 404) },
      },
    }, async (req) => retention.set(requireUser(req.actor), req.params.id, req.body.days));

    app.get('/api/v1/cameras/:id/retention-preview', {
      config: { access: 'clips.retention' },
      schema: {
        tags,
        summary: "When each of this camera's clips will be deleted, first to go first",
        params: IdParams,
        querystring: Type.Object({ cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.pageMax })) }, strict),
        response: { 200: Type.Object({ ...Settings, items: Type.Array(Item), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses(400, 401, 403, 404) },
      },
    }, async (req) => retention.preview(requireUser(req.actor), req.params.id, req.query));
  };
}
