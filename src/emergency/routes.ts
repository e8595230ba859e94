// Emergency requests over HTTP: the agency's form, resolution, court-ordered
// notice delay and follow-up link (its own agency only); the reviewers'
// callback and determinations.
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errorResponses } from '../platform/http/errors.ts';
import { Id, IdParams, IsoTime } from '../platform/http/schemas.ts';
import type { DisclosureService } from '../disclosure/service.ts';
import { MULTIPART_LIMITS } from '../legal/documents.ts';
import { LIMITS } from '../legal/policy.ts';
import { AgencyEvidenceParams, AgencyItemParams, AgencyParams, Binary, Manifest, Refused, ScopeInput, ScopeView, header, strict } from '../legal/schemas.ts';
import type { EmergencyNoticeDelays } from './notice-delay.ts';
import type { DocumentStore } from '../legal/documents.ts';
import type { EmergencyService } from './service.ts';
import { EMERGENCY_STATES, type EmergencyState } from './states.ts';

const Text = Type.String({ maxLength: LIMITS.textMax });
const Time = Type.String({ format: 'date-time' });
const NullableTime = Type.Union([Time, Type.Null()]);

const Emergency = Type.Object({
  id: Type.String(),
  agencyId: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('approved'), Type.Literal('denied')]),
  state: Type.Unsafe<EmergencyState>({ type: 'string', enum: [...EMERGENCY_STATES], description: 'Where the request is in its life; the transitions are in emergency/states.ts' }),
  officerName: Type.String(),
  callbackPhone: Type.String(),
  nature: Type.String(),
  imminentDanger: Type.String(),
  whyNoProcess: Type.String(),
  scope: ScopeView,
  createdAt: Time,
  ageMs: Type.Integer(),
  callback: Type.Union([Type.Object({ reviewerId: Type.String(), numberDialled: Type.Union([Type.String(), Type.Null()]), at: Time, confirmed: Type.Boolean() }), Type.Null()]),
  determinations: Type.Array(Type.Object({ reviewerId: Type.String(), decision: Type.String(), reasons: Type.Union([Type.String(), Type.Null()]), at: Time })),
  decidedAt: NullableTime,
  released: Type.Array(Type.Object({ disclosureId: Type.String(), clipId: Type.String(), sha256: Type.String(), at: Time })),
  disclosedAt: NullableTime,
  resolvedAt: NullableTime,
  noticeDelayUntil: NullableTime,
  noticeDelayRequested: Type.Union([Type.Object({ until: Time, at: Time }), Type.Null()]),
  refused: Refused,
  followUp: Type.Object({ dueAt: NullableTime, demandId: Type.Union([Type.String(), Type.Null()]), noFollowUp: Type.Boolean() }),
});

const Form = Type.Object({
  officerName: Type.String({ maxLength: 200 }),
  callbackPhone: Type.Optional(Type.String({ maxLength: 40 })),
  nature: Text,
  imminentDanger: Text,
  whyNoProcess: Text,
  scope: ScopeInput,
}, strict);

export function emergencyRoutes(emergency: EmergencyService, delays: EmergencyNoticeDelays, documents: DocumentStore, disclosure: DisclosureService): FastifyPluginAsyncTypebox {
  return async (app) => {
    await app.register(multipart, { throwFileSizeLimit: false, limits: MULTIPART_LIMITS });
    const tags = ['emergency'];
    const base = '/api/v1/agencies/:id/emergency-requests';

    app.post(base, {
      config: { access: 'emergency.agency' },
      schema: {
        tags, summary: 'Submit an emergency request (imminent danger of death or serious physical injury)',
        description: 'Scope: named cameras and/or an address with a radius ≤ 100 m, and a window of at most 6 hours. Two different reviewers must approve before anything is released.',
        params: AgencyParams, body: Form, response: { 201: Emergency, ...errorResponses(400, 401, 403) },
      },
    }, async (req, reply) => reply.code(201).send(await emergency.submit(req.actor, req.params.id, req.body)));

    app.get(base, {
      config: { access: 'emergency.agency' },
      schema: { tags, summary: "This agency's emergency requests", params: AgencyParams, response: { 200: Type.Array(Emergency), ...errorResponses(400, 401, 403) } },
    }, async (req) => emergency.listForAgency(req.actor, req.params.id));

    app.get(`${base}/:itemId`, {
      config: { access: 'emergency.agency' },
      schema: { tags, summary: 'One emergency request', params: AgencyItemParams, response: { 200: Emergency, ...errorResponses(400, 401, 403, 404) } },
    }, async (req) => emergency.get(req.actor, req.params.itemId, req.params.id));

    app.post(`${base}/:itemId/resolve`, {
      config: { access: 'emergency.agency' },
      schema: { tags, summary: 'Mark the emergency resolved (owners are told now, unless a court ordered a later date)', params: AgencyItemParams, response: { 200: Emergency, ...errorResponses(400, 401, 403, 404, 409) } },
    }, async (req) => emergency.resolve(req.actor, req.params.id, req.params.itemId));

    app.post(`${base}/:itemId/notice-delay`, {
      config: { access: 'emergency.agency' },
      schema: {
        tags, summary: 'Upload a court order delaying owner notice (multipart: "until" date and the order as "document", a PDF); it applies once a reviewer approves it',
        description: 'The date may be at most 90 days after the disclosure. Until a reviewer outside the agency approves the delay, owners are told on the usual schedule (at resolution or 72 h after disclosure).',
        consumes: ['multipart/form-data'], params: AgencyItemParams, response: { 200: Emergency, ...errorResponses(400, 401, 403, 404, 409, 413, 415) },
      },
    }, async (req) => delays.request(req.actor, req.params.id, req.params.itemId, () => documents.readForm(req, 'document')));

    app.post(`${base}/:itemId/follow-up`, {
      config: { access: 'emergency.agency' },
      schema: {
        tags, summary: 'Link follow-up legal process: an approved search warrant covering the emergency\'s scope (due within 7 days)',
        params: AgencyItemParams, body: Type.Object({ demandId: Id }, strict), response: { 200: Emergency, ...errorResponses(400, 401, 403, 404, 409) },
      },
    }, async (req) => emergency.linkFollowUp(req.actor, req.params.id, req.params.itemId, req.body.demandId));

    app.get(`${base}/:itemId/evidence`, {
      config: { access: 'emergency.agency' },
      schema: { tags, summary: 'Clips the emergency released, with evidence manifests', params: AgencyItemParams, response: { 200: Type.Array(Manifest), ...errorResponses(400, 401, 403, 404) } },
    }, async (req) => emergency.evidence(req.actor, req.params.itemId, req.params.id));

    app.get(`${base}/:itemId/evidence.zip`, {
      config: { access: 'emergency.agency' },
      schema: { tags, summary: 'The evidence package (ZIP) of the clips the emergency released: manifest, clips, checkpoint, proofs; verifies offline (porchlight log verify-evidence)', params: AgencyItemParams, response: { 200: Binary('application/zip'), ...errorResponses(400, 401, 403, 404) } },
    }, async (req, reply) => {
      const z = await emergency.evidenceZip(req.actor, req.params.id, req.params.itemId);
      return reply.type('application/zip').header('content-disposition', `attachment; filename="${z.filename}"`).header('cache-control', 'private, no-store').send(z.body);
    });

    app.get(`${base}/:itemId/evidence/:disclosureId/video`, {
      config: { access: 'emergency.agency' },
      schema: { tags, summary: 'The original bytes of a released clip, with HTTP ranges', params: AgencyEvidenceParams, response: { 200: Binary('the whole clip'), 206: Binary('the requested range'), ...errorResponses(400, 401, 403, 404, 410, 416) } },
    }, async (req, reply) => {
      const v = await disclosure.openEvidence(req.actor, { agencyId: req.params.id, basis: { kind: 'emergency', ref: req.params.itemId }, disclosureId: req.params.disclosureId }, header(req.headers.range));
      return reply.code(v.status).headers(v.headers).send(v.body);
    });

    // Reviewers.
    const review = '/api/v1/review/emergency-requests';
    const rtags = ['review'];
    app.get(review, {
      config: { access: 'review.emergency' },
      schema: { tags: rtags, summary: 'Queue: emergency requests awaiting determinations, oldest first, with their age', response: { 200: Type.Array(Emergency), ...errorResponses(401, 403) } },
    }, async (req) => emergency.queue(req.actor));

    app.get(`${review}/:id`, {
      config: { access: 'review.emergency' },
      schema: { tags: rtags, summary: 'One emergency request', params: IdParams, response: { 200: Emergency, ...errorResponses(400, 401, 403, 404) } },
    }, async (req) => emergency.get(req.actor, req.params.id));

    app.get(`${review}/:id/notice-delay-order`, {
      config: { access: 'review.emergency' },
      schema: { tags: rtags, summary: 'The court order delaying owner notice (PDF)', params: IdParams, response: { 200: Binary('PDF'), ...errorResponses(400, 401, 403, 404) } },
    }, async (req, reply) => reply.type('application/pdf').header('cache-control', 'private, no-store').send(await delays.order(req.actor, req.params.id)));

    app.post(`${review}/:id/notice-delay/decision`, {
      config: { access: 'review.notice_delay' },
      schema: {
        tags: rtags, summary: 'Approve or reject a court-ordered delay of owner notice, with reasons (not by a member of the requesting agency)',
        params: IdParams,
        body: Type.Object({ decision: Type.Union([Type.Literal('approve'), Type.Literal('reject')]), reason: Type.String({ minLength: 1, maxLength: LIMITS.textMax }) }, strict),
        response: { 200: Emergency, ...errorResponses(400, 401, 403, 404, 409) },
      },
    }, async (req) => delays.decide(req.actor, req.params.id, req.body));

    app.post(`${review}/:id/callback`, {
      config: { access: 'review.emergency' },
      schema: {
        tags: rtags, summary: 'Reviewer 1 records the callback: number dialled, time, whether the requester was confirmed',
        params: IdParams,
        body: Type.Object({ numberDialled: Type.String({ maxLength: 40 }), calledAt: IsoTime, confirmed: Type.Boolean(), notes: Type.Optional(Text) }, strict),
        response: { 200: Emergency, ...errorResponses(400, 401, 403, 404, 409) },
      },
    }, async (req) => emergency.recordCallback(req.actor, req.params.id, req.body));

    app.post(`${review}/:id/determinations`, {
      config: { access: 'review.emergency' },
      schema: {
        tags: rtags, summary: 'A good-faith determination with reasons; the second approval by a different reviewer releases the in-scope clips',
        params: IdParams,
        body: Type.Object({ decision: Type.Union([Type.Literal('approve'), Type.Literal('deny')]), reasons: Type.String({ minLength: 1, maxLength: LIMITS.textMax }) }, strict),
        response: { 200: Emergency, ...errorResponses(400, 401, 403, 404, 409) },
      },
    }, async (req) => emergency.determine(req.actor, req.params.id, req.body));
  };
}
