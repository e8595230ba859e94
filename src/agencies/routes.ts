// Agencies over HTTP: reviewers create and verify agencies and invite members;
// everyone reads verified agencies' public profiles.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireUser } from '../platform/access.ts';
import { errorResponses } from '../platform/http/errors.ts';
import { Email, IdParams } from '../platform/http/schemas.ts';
import { AGENCY_LIMITS } from './policy.ts';
import { AgencyType, GeoArea } from './schemas.ts';
import type { AgenciesService } from './service.ts';

const strict = { additionalProperties: false } as const;

export const PublicAgency = Type.Object({
  id: Type.String(),
  name: Type.String(),
  type: AgencyType,
  jurisdiction: Type.Object({ type: Type.String(), coordinates: Type.Array(Type.Unknown()) }),
  description: Type.String(),
  website: Type.Union([Type.String(), Type.Null()]),
  publicContact: Type.Union([Type.String(), Type.Null()]),
  verifiedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

const Agency = Type.Object({
  ...PublicAgency.properties,
  immigrationEnforcement: Type.Boolean(),
  jurisdictionAreaKm2: Type.Number(),
  createdAt: Type.String({ format: 'date-time' }),
  createdBy: Type.String(),
  verifiedBy: Type.Union([Type.String(), Type.Null()]),
});

const Member = Type.Object({ id: Type.String(), email: Type.String(), displayName: Type.String(), totpEnabled: Type.Boolean(), createdAt: Type.String({ format: 'date-time' }) });

export function agenciesRoutes(agencies: AgenciesService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['agencies'];

    app.post('/api/v1/agencies', {
      config: { access: 'agencies.admin' },
      schema: {
        tags, summary: 'Create and verify an agency (reviewers)',
        body: Type.Object({
          name: Type.String({ minLength: 1, maxLength: AGENCY_LIMITS.nameMaxLength }),
          type: AgencyType,
          immigrationEnforcement: Type.Optional(Type.Boolean({ description: 'refused while policy.allowImmigrationEnforcement is false' })),
          jurisdiction: GeoArea,
          description: Type.Optional(Type.String({ maxLength: AGENCY_LIMITS.descriptionMaxLength })),
          website: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])),
          publicContact: Type.Optional(Type.Union([Type.String({ maxLength: 300 }), Type.Null()])),
        }, strict),
        response: { 201: Agency, ...errorResponses(400, 401, 403) },
      },
    }, async (req, reply) => reply.code(201).send(await agencies.create(requireUser(req.actor), req.body)));

    app.get('/api/v1/agencies', {
      config: { access: 'agencies.admin' },
      schema: { tags, summary: 'Every agency (reviewers)', response: { 200: Type.Array(Agency), ...errorResponses(401, 403) } },
    }, async () => agencies.list());

    app.get('/api/v1/agencies/:id', {
      config: { access: 'agencies.admin' },
      schema: { tags, summary: 'One agency (reviewers)', params: IdParams, response: { 200: Agency, ...errorResponses(400, 401, 403, 404) } },
    }, async (req) => agencies.get(req.params.id));

    app.post('/api/v1/agencies/:id/members', {
      config: { access: 'agencies.admin' },
      schema: {
        tags, summary: 'Invite a member: creates the account; the initial password is shown once; TOTP enrolment comes first',
        params: IdParams,
        body: Type.Object({ email: Email, displayName: Type.String({ minLength: 1, maxLength: 100 }) }, strict),
        response: {
          201: Type.Object({ user: Type.Object({ id: Type.String(), email: Type.String(), displayName: Type.String(), agencyId: Type.String() }), initialPassword: Type.String() }),
          ...errorResponses(400, 401, 403, 404, 409),
        },
      },
    }, async (req, reply) => reply.code(201).send(await agencies.invite(requireUser(req.actor), req.params.id, req.body)));

    app.get('/api/v1/agencies/:id/members', {
      config: { access: 'agencies.admin' },
      schema: { tags, summary: "An agency's members (reviewers)", params: IdParams, response: { 200: Type.Array(Member), ...errorResponses(400, 401, 403, 404) } },
    }, async (req) => agencies.members(req.params.id));

    app.get('/api/v1/public/agencies', {
      config: { access: 'public' },
      schema: { tags, summary: 'Verified agencies: public profiles', security: [], response: { 200: Type.Array(PublicAgency) } },
    }, async () => agencies.publicList());

    app.get('/api/v1/public/agencies/:id', {
      config: { access: 'public' },
      schema: { tags, summary: "A verified agency's public profile", security: [], params: IdParams, response: { 200: PublicAgency, ...errorResponses(400, 404) } },
    }, async (req) => agencies.publicGet(req.params.id));
  };
}
