// The owner's side of community requests over HTTP: the inbox, one request
// with the owner's clips in scope, the answer, and which agency types the
// owner does not want requests from.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireUser } from '../platform/access.ts';
import { errorResponses } from '../platform/http/errors.ts';
import { Id, IdParams } from '../platform/http/schemas.ts';
import { AgencyType } from '../agencies/schemas.ts';
import { MAX_SHARE, type AnswersService } from './answers.ts';
import { KeyView, OfferedKey } from '../e2ee/schemas.ts';

const strict = { additionalProperties: false } as const;
const T = Type.String({ format: 'date-time' });
const NT = Type.Union([T, Type.Null()]);

const InboxItem = Type.Object({
  id: Type.String(), agency: Type.Object({ id: Type.String(), name: Type.String(), type: Type.String() }),
  caseNumber: Type.String(), incidentType: Type.String(), description: Type.String(), investigatorContact: Type.String(),
  area: Type.Object({ type: Type.String(), coordinates: Type.Array(Type.Unknown()) }), window: Type.Object({ start: T, end: T }),
  status: Type.String(), receivedAt: T, expiresAt: NT,
  answer: Type.Union([Type.Literal('shared'), Type.Literal('declined'), Type.Null()]), answeredAt: NT,
});
const ScopeClip = Type.Object({
  id: Type.String(), cameraId: Type.String(), cameraName: Type.String(), startedAt: T, endedAt: T, kind: Type.String(),
  e2ee: Type.Boolean(), thumbnailUrl: Type.Union([Type.String(), Type.Null()]), shared: Type.Boolean(),
});
const RequestDetail = Type.Object({
  ...InboxItem.properties,
  clips: Type.Array(ScopeClip),
  agencyKey: Type.Union([KeyView, Type.Null()], { description: "the agency's end-to-end public key, to re-wrap end-to-end clips for; null: it cannot receive them" }),
});
const Policy = Type.Object({ blockedAgencyTypes: Type.Array(Type.String()) });

export function meRequestsRoutes(answers: AnswersService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['community requests'];

    app.get('/api/v1/me/requests', {
      config: { access: 'me.requests' },
      schema: { tags, summary: 'My inbox of community requests', response: { 200: Type.Array(InboxItem), ...errorResponses(401, 403) } },
    }, async (req) => answers.inbox(requireUser(req.actor)));

    app.get('/api/v1/me/requests/:id', {
      config: { access: 'me.requests' },
      schema: { tags, summary: 'A request I received, with my clips inside its area and window', params: IdParams, response: { 200: RequestDetail, ...errorResponses(400, 401, 403, 404) } },
    }, async (req) => answers.get(requireUser(req.actor), req.params.id));

    app.post('/api/v1/me/requests/:id/response', {
      config: { access: 'me.requests' },
      schema: {
        tags, summary: 'Answer: {"share": [clip ids]} or {"decline": true}. Each shared clip is a consent disclosure on the public log',
        params: IdParams,
        body: Type.Object({
          share: Type.Optional(Type.Array(Id, { maxItems: MAX_SHARE })),
          decline: Type.Optional(Type.Literal(true)),
          sealedKeys: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }), OfferedKey, {
            maxProperties: MAX_SHARE,
            description: "for each end-to-end encrypted clip shared: its secret, re-wrapped in your browser for the agency's current key (agencyKey)",
          })),
        }, { ...strict, minProperties: 1, maxProperties: 2 }),
        response: {
          200: Type.Object({
            answer: Type.Union([Type.Literal('shared'), Type.Literal('declined')]), answeredAt: T,
            shared: Type.Array(Type.Object({ clipId: Type.String(), disclosureId: Type.String(), logSeq: Type.Integer(), receiptsUrl: Type.String() })),
          }),
          ...errorResponses(400, 401, 403, 404, 409, 410, 422, 503),
        },
      },
    }, async (req) => answers.respond(requireUser(req.actor), req.params.id, req.body));

    app.get('/api/v1/me/request-policy', {
      config: { access: 'me.requests' },
      schema: { tags, summary: 'Agency types I do not take requests from', response: { 200: Policy, ...errorResponses(401, 403) } },
    }, async (req) => answers.policy(requireUser(req.actor)));

    app.put('/api/v1/me/request-policy', {
      config: { access: 'me.requests' },
      schema: {
        tags, summary: 'Block agency types: their requests never reach me, and I cannot share with them by consent',
        body: Type.Object({ blockedAgencyTypes: Type.Array(AgencyType, { maxItems: 4 }) }, strict),
        response: { 200: Policy, ...errorResponses(400, 401, 403) },
      },
    }, async (req) => answers.setPolicy(requireUser(req.actor), req.body.blockedAgencyTypes));
  };
}
