// Community requests over HTTP for agencies, reviewers and the public. The
// owner's routes are in me-routes.ts. Response schemas list every field an
// audience may see, so nothing else can leak (fastify/demo style).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Readable } from 'node:stream';
import { Type } from 'typebox';
import { requireUser } from '../platform/access.ts';
import { errorResponses } from '../platform/http/errors.ts';
import { Id, IdParams } from '../platform/http/schemas.ts';
import { GeoArea } from '../agencies/schemas.ts';
import { INCIDENT_TYPES, REQUEST_LIMITS, REVIEW_REASONS } from './policy.ts';
import type { EvidenceService } from './evidence.ts';
import { SealedKeyView } from '../e2ee/schemas.ts';
import { Redaction } from '../disclosure/schemas.ts';
import type { RequestsService } from './service.ts';

const strict = { additionalProperties: false } as const;
const T = Type.String({ format: 'date-time' });
const NT = Type.Union([T, Type.Null()]);
const NS = Type.Union([Type.String(), Type.Null()]);
const PolygonOut = Type.Object({ type: Type.String(), coordinates: Type.Array(Type.Unknown()) });
const Status = Type.Union([Type.Literal('pending'), Type.Literal('rejected'), Type.Literal('open'), Type.Literal('closed'), Type.Literal('expired')]);
const Binary = (description: string) => Type.Unsafe<Buffer | Readable>({ type: 'string', format: 'binary', description });
const Window = Type.Object({ start: T, end: T });

export const AgencyRequest = Type.Object({
  id: Type.String(), agencyId: Type.String(), caseNumber: Type.String(), incidentType: Type.String(), description: Type.String(),
  investigatorContact: Type.String(), area: PolygonOut, window: Window, status: Status,
  review: Type.Union([Type.Object({ decision: Type.String(), reason: NS, note: NS, at: T }), Type.Null()]),
  sentAt: NT, expiresAt: NT, closedAt: NT, resolvedAt: NT, createdAt: T,
});
const ReviewerRequest = Type.Object({
  ...AgencyRequest.properties,
  agency: Type.Object({ id: Type.String(), name: Type.String(), type: Type.String() }),
  createdBy: Type.String(), reviewedBy: NS, areaSqMi: Type.Number(),
  reach: Type.Union([Type.Integer(), Type.Null()], { description: 'homes an approval would reach now (one pending request); null in lists and once decided' }),
});
const PublicPost = Type.Object({
  id: Type.String(), agency: Type.Object({ id: Type.String(), name: Type.String(), type: Type.String() }), incidentType: Type.String(), caseNumber: Type.String(),
  area: PolygonOut, window: Window, status: Type.Union([Type.Literal('open'), Type.Literal('closed'), Type.Literal('expired'), Type.Literal('resolved')]), postedAt: T,
});
const Manifest = Type.Object({
  disclosureId: Type.String(), basis: Type.Object({ kind: Type.String(), ref: Type.String() }), content: Type.String(),
  sha256: Type.Object({ original: Type.String(), delivered: Type.String() }), size: Type.Integer(),
  device: Type.Object({ signed: Type.Boolean(), signature: NS, publicKey: NS }),
  cameraReported: Type.Object({ startedAt: T, endedAt: T, kind: Type.String() }),
  log: Type.Object({ entry: Type.String(), index: Type.Union([Type.Integer(), Type.Null()]), checkpoint: NS, proof: Type.Union([Type.Array(Type.String()), Type.Null()]) }),
  disclosedAt: T, commitmentSalt: Type.String(),
  e2ee: Type.Union([SealedKeyView, Type.Null()], { description: "content 'sealed': the clip secret the owner re-wrapped for your agency's key; the envelope opens in your browser" }),
  redaction: Redaction,
});
const Locker = Type.Object({
  requestId: Type.String(),
  neighbors: Type.Array(Type.Object({
    pseudonym: Type.String(),
    contact: Type.Union([
      Type.Object({ name: Type.String(), phone: Type.Union([Type.String(), Type.Null()]), email: Type.Union([Type.String(), Type.Null()]) }),
      Type.Null(),
    ], { description: 'what the neighbour chose to share with agencies, as of now; null when they share none' }),
    items: Type.Array(Type.Object({ id: Type.String(), available: Type.Boolean(), videoUrl: Type.String(), manifest: Manifest })) })),
});
const AgencyParams = Type.Object({ id: Id, rid: Id }, strict);

export function requestsRoutes(requests: RequestsService, evidence: EvidenceService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['community requests'];
    const base = '/api/v1/agencies/:id/requests';

    app.get('/api/v1/agencies/:id/request-quota', {
      config: { access: 'agency.requests' },
      schema: {
        tags, summary: 'How many community requests the agency may still create in the rolling 24 hours', params: IdParams,
        response: { 200: Type.Object({ limit: Type.Integer(), used: Type.Integer(), left: Type.Integer() }), ...errorResponses(400, 401, 403, 404) },
      },
    }, async (req) => requests.quota(requireUser(req.actor), req.params.id));

    app.post(base, {
      config: { access: 'agency.requests' },
      schema: {
        tags, summary: 'Create a community request (members of the agency); a reviewer approves it before it is sent',
        params: IdParams,
        body: Type.Object({
          caseNumber: Type.String({ minLength: 1, maxLength: REQUEST_LIMITS.caseNumberMaxLength }),
          incidentType: Type.String({ maxLength: 40, description: `one of ${INCIDENT_TYPES.join(', ')}` }),
          description: Type.String({ maxLength: 10_000, description: `at most ${REQUEST_LIMITS.descriptionMaxLength} characters` }),
          investigatorContact: Type.String({ minLength: 1, maxLength: REQUEST_LIMITS.contactMaxLength }),
          area: GeoArea,
          window: Type.Object({ start: Type.String({ maxLength: 40 }), end: Type.String({ maxLength: 40 }) }, strict),
        }, strict),
        response: { 201: AgencyRequest, ...errorResponses(400, 401, 403, 404, 429) },
      },
    }, async (req, reply) => reply.code(201).send(await requests.create(requireUser(req.actor), req.params.id, req.body)));

    app.get(base, {
      config: { access: 'agency.requests' },
      schema: { tags, summary: "The agency's requests, with review outcomes", params: IdParams, response: { 200: Type.Array(AgencyRequest), ...errorResponses(400, 401, 403, 404) } },
    }, async (req) => requests.listForAgency(requireUser(req.actor), req.params.id));

    app.get(`${base}/:rid`, {
      config: { access: 'agency.requests' },
      schema: { tags, summary: 'One request of the agency', params: AgencyParams, response: { 200: AgencyRequest, ...errorResponses(400, 401, 403, 404) } },
    }, async (req) => requests.getForAgency(requireUser(req.actor), req.params.id, req.params.rid));

    app.post(`${base}/:rid/close`, {
      config: { access: 'agency.requests' },
      schema: {
        tags, summary: 'Close a request early; "resolved" also marks its public post resolved (posts are never deleted)',
        params: AgencyParams, body: Type.Object({ resolved: Type.Optional(Type.Boolean()) }, strict),
        response: { 200: AgencyRequest, ...errorResponses(400, 401, 403, 404, 409) },
      },
    }, async (req) => requests.close(requireUser(req.actor), req.params.id, req.params.rid, { resolved: req.body.resolved === true }));

    app.get(`${base}/:rid/evidence`, {
      config: { access: 'agency.requests' },
      schema: { tags, summary: 'The evidence locker: shared clips by pseudonym, each with its evidence manifest', params: AgencyParams, response: { 200: Locker, ...errorResponses(400, 401, 403, 404) } },
    }, async (req) => evidence.locker(requireUser(req.actor), req.params.id, req.params.rid));

    app.get(`${base}/:rid/evidence.zip`, {
      config: { access: 'agency.requests' },
      schema: { tags, summary: 'The evidence package (ZIP): manifest, clips, checkpoint, proofs', params: AgencyParams, response: { 200: Binary('application/zip'), ...errorResponses(400, 401, 403, 404) } },
    }, async (req, reply) => {
      const z = await evidence.zip(requireUser(req.actor), req.params.id, req.params.rid);
      return reply.type('application/zip').header('content-disposition', `attachment; filename="${z.filename}"`).header('cache-control', 'private, no-store').send(z.body);
    });

    app.get(`${base}/:rid/evidence/:item/sealed-key`, {
      config: { access: 'agency.requests' },
      schema: {
        tags, summary: "An end-to-end clip's secret, re-wrapped by its owner for your agency's key: the envelope (…/video) opens with it in your browser",
        params: Type.Object({ id: Id, rid: Id, item: Id }, strict),
        response: { 200: SealedKeyView, ...errorResponses(400, 401, 403, 404, 409, 410) },
      },
    }, async (req) => evidence.sealedKey(requireUser(req.actor), req.params.id, req.params.rid, req.params.item));

    app.get(`${base}/:rid/evidence/:item/video`, {
      config: { access: 'agency.requests' },
      schema: {
        tags, summary: 'One shared clip (the redacted copy), with byte ranges; every read goes into the owner\'s access log',
        params: Type.Object({ id: Id, rid: Id, item: Id }, strict),
        response: { 200: Binary('video/mp4'), 206: Binary('video/mp4, the requested range'), ...errorResponses(400, 401, 403, 404, 410, 416) },
      },
    }, async (req, reply) => {
      const v = await evidence.video(requireUser(req.actor), req.params.id, req.params.rid, req.params.item, req.headers.range);
      return reply.code(v.status).headers(v.headers).send(v.body);
    });

    // Review
    app.get('/api/v1/review/requests', {
      config: { access: 'requests.review' },
      schema: {
        tags, summary: 'Requests to review (metadata only, never clip bytes)',
        querystring: Type.Object({ status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('reviewed')])) }, strict),
        response: { 200: Type.Array(ReviewerRequest), ...errorResponses(400, 401, 403) },
      },
    }, async (req) => requests.reviewList(req.query.status ?? 'pending'));

    app.get('/api/v1/review/requests/:id', {
      config: { access: 'requests.review' },
      schema: { tags, summary: 'One request, for review', params: IdParams, response: { 200: ReviewerRequest, ...errorResponses(400, 401, 403, 404) } },
    }, async (req) => requests.reviewGet(req.params.id));

    app.post('/api/v1/review/requests/:id/decision', {
      config: { access: 'requests.review' },
      schema: {
        tags, summary: 'Approve (sends it to owners in the area and publishes the post) or reject with a reason',
        params: IdParams,
        body: Type.Object({
          decision: Type.Union([Type.Literal('approve'), Type.Literal('reject')]),
          reason: Type.Optional(Type.Union(REVIEW_REASONS.map((r) => Type.Literal(r)))),
          note: Type.Optional(Type.String({ maxLength: REQUEST_LIMITS.noteMaxLength })),
        }, strict),
        response: { 200: ReviewerRequest, ...errorResponses(400, 401, 403, 404, 409) },
      },
    }, async (req) => requests.decide(requireUser(req.actor), req.params.id, req.body));

    // Public posts
    app.get('/api/v1/public/requests', {
      config: { access: 'public' },
      schema: { tags, summary: 'Agency request posts (approved requests; never deleted)', security: [], response: { 200: Type.Array(PublicPost) } },
    }, async () => requests.publicList());

    app.get('/api/v1/public/requests/:id', {
      config: { access: 'public' },
      schema: { tags, summary: 'One agency request post', security: [], params: IdParams, response: { 200: PublicPost, ...errorResponses(400, 404) } },
    }, async (req) => requests.publicGet(req.params.id));
  };
}
