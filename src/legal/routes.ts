// Legal demands over HTTP: agency intake and reading (their own agency only),
// and the reviewers' side (queue, document, decision, hold extension).
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errorResponses } from '../platform/http/errors.ts';
import { IdParams } from '../platform/http/schemas.ts';
import type { DisclosureService } from '../disclosure/service.ts';
import { MULTIPART_LIMITS } from './documents.ts';
import { AgencyEvidenceParams, AgencyItemParams, AgencyParams, Binary, Demand, Manifest, ReasonBody, Records, ReviewBody, header } from './schemas.ts';
import type { LegalService } from './service.ts';

export function legalRoutes(legal: LegalService, disclosure: DisclosureService): FastifyPluginAsyncTypebox {
  return async (app) => {
    // Scoped to these routes: multipart is accepted nowhere else.
    await app.register(multipart, { throwFileSizeLimit: false, limits: MULTIPART_LIMITS });
    const tags = ['legal'];
    const base = '/api/v1/agencies/:id/legal-demands';

    app.post(base, {
      config: { access: 'legal.agency' },
      schema: {
        tags,
        summary: 'Submit a legal demand (multipart/form-data)',
        description: 'Fields: type (search_warrant | court_order | subpoena | preservation), issuingAuthority, caseNumber, optional nondisclosureUntil (ISO 8601), ' +
          'scope (JSON: { cameraIds?: [..≤50], address?: { lat, lon, radiusM ≤ 100 }, ranges: [{ from, to }] totalling ≤ 31 days }), and the file "document" (a PDF, ≤ 20 MB).',
        consumes: ['multipart/form-data'],
        params: AgencyParams,
        response: { 201: Demand, ...errorResponses(400, 401, 403, 413, 415) },
      },
    }, async (req, reply) => reply.code(201).send(await legal.submit(req.actor, req.params.id, () => legal.documents.readForm(req, 'document'))));

    app.get(base, {
      config: { access: 'legal.agency' },
      schema: { tags, summary: "This agency's legal demands", params: AgencyParams, response: { 200: Type.Array(Demand), ...errorResponses(400, 401, 403) } },
    }, async (req) => legal.listForAgency(req.actor, req.params.id));

    app.get(`${base}/:itemId`, {
      config: { access: 'legal.agency' },
      schema: { tags, summary: 'One of this agency\'s legal demands', params: AgencyItemParams, response: { 200: Demand, ...errorResponses(400, 401, 403, 404) } },
    }, async (req) => legal.get(req.actor, req.params.itemId, req.params.id));

    app.get(`${base}/:itemId/records`, {
      config: { access: 'legal.agency' },
      schema: { tags, summary: 'Non-content records an approved subpoena or court order released (no video)', params: AgencyItemParams, response: { 200: Records, ...errorResponses(400, 401, 403, 404, 409) } },
    }, async (req) => legal.records(req.actor, req.params.itemId, req.params.id));

    app.get(`${base}/:itemId/evidence`, {
      config: { access: 'legal.agency' },
      schema: { tags, summary: 'Clips an approved search warrant released, each with its evidence manifest', params: AgencyItemParams, response: { 200: Type.Array(Manifest), ...errorResponses(400, 401, 403, 404) } },
    }, async (req) => legal.evidence(req.actor, req.params.itemId, req.params.id));

    app.get(`${base}/:itemId/evidence.zip`, {
      config: { access: 'legal.agency' },
      schema: { tags, summary: 'The evidence package (ZIP) of the clips a search warrant released: manifest, clips, checkpoint, proofs; verifies offline (porchlight log verify-evidence)', params: AgencyItemParams, response: { 200: Binary('application/zip'), ...errorResponses(400, 401, 403, 404) } },
    }, async (req, reply) => {
      const z = await legal.evidenceZip(req.actor, req.params.id, req.params.itemId);
      return reply.type('application/zip').header('content-disposition', `attachment; filename="${z.filename}"`).header('cache-control', 'private, no-store').send(z.body);
    });

    app.get(`${base}/:itemId/evidence/:disclosureId/video`, {
      config: { access: 'legal.agency' },
      schema: { tags, summary: 'The original bytes of a released clip, with HTTP ranges; every read is in the owner\'s access log', params: AgencyEvidenceParams, response: { 200: Binary('the whole clip'), 206: Binary('the requested range'), ...errorResponses(400, 401, 403, 404, 410, 416) } },
    }, async (req, reply) => {
      const v = await disclosure.openEvidence(req.actor, { agencyId: req.params.id, basis: { kind: 'warrant', ref: req.params.itemId }, disclosureId: req.params.disclosureId }, header(req.headers.range));
      return reply.code(v.status).headers(v.headers).send(v.body);
    });

    app.get(`${base}/:itemId/document`, {
      config: { access: 'legal.agency' },
      schema: { tags, summary: 'The PDF this agency submitted', params: AgencyItemParams, response: { 200: Binary('PDF'), ...errorResponses(400, 401, 403, 404) } },
    }, async (req, reply) => reply.type('application/pdf').header('cache-control', 'private, no-store').send(await legal.document(req.actor, req.params.itemId, req.params.id)));

    // Reviewers.
    const review = '/api/v1/review/legal-demands';
    const rtags = ['review'];

    app.get(review, {
      config: { access: 'review.legal' },
      schema: { tags: rtags, summary: 'Queue: legal demands awaiting review, oldest first, with their age', response: { 200: Type.Array(Demand), ...errorResponses(401, 403) } },
    }, async (req) => legal.queue(req.actor));

    app.get(`${review}/:id`, {
      config: { access: 'review.legal' },
      schema: { tags: rtags, summary: 'One legal demand', params: IdParams, response: { 200: Demand, ...errorResponses(400, 401, 403, 404) } },
    }, async (req) => legal.get(req.actor, req.params.id));

    app.get(`${review}/:id/document`, {
      config: { access: 'review.legal' },
      schema: { tags: rtags, summary: 'The demand\'s PDF', params: IdParams, response: { 200: Binary('PDF'), ...errorResponses(400, 401, 403, 404) } },
    }, async (req, reply) => reply.type('application/pdf').header('cache-control', 'private, no-store').send(await legal.document(req.actor, req.params.id)));

    app.get(`${review}/:id/records`, {
      config: { access: 'review.legal' },
      schema: { tags: rtags, summary: 'Records a subpoena or court order released', params: IdParams, response: { 200: Records, ...errorResponses(400, 401, 403, 404, 409) } },
    }, async (req) => legal.records(req.actor, req.params.id));

    app.post(`${review}/:id/decision`, {
      config: { access: 'review.legal' },
      schema: {
        tags: rtags,
        summary: 'Approve, narrow or reject, with written reasons; an approval releases what the type releases',
        description: 'A narrowing sends the narrower scope: it may only remove cameras, shrink the address circle or shorten ranges.',
        params: IdParams,
        body: ReviewBody,
        response: { 200: Demand, ...errorResponses(400, 401, 403, 404, 409) },
      },
    }, async (req) => legal.review(req.actor, req.params.id, req.body));

    app.post(`${review}/:id/extend-hold`, {
      config: { access: 'review.legal' },
      schema: { tags: rtags, summary: 'Extend a preservation hold once, by 90 days', params: IdParams, body: ReasonBody, response: { 200: Demand, ...errorResponses(400, 401, 403, 404, 409) } },
    }, async (req) => legal.extendHold(req.actor, req.params.id, req.body.reason));
  };
}
