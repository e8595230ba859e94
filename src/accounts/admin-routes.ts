// User administration over HTTP (issue 14, item 7), for administrators only.
// The response schema is the guard on what an administrator sees: AdminUser
// has no home, settings or clip fields, and Fastify's serialiser drops any
// column not named here even if a query returned it.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireUser } from '../platform/access.ts';
import { errorResponses } from '../platform/http/errors.ts';
import { Email, Id, IdParams } from '../platform/http/schemas.ts';
import { REASON_MAX } from './admin-policy.ts';
import type { UserAdminService } from './admin-service.ts';

const strict = { additionalProperties: false } as const;
const tags = ['admin'];
const Role = Type.Union([Type.Literal('resident'), Type.Literal('agency'), Type.Literal('reviewer'), Type.Literal('admin')]);
// No control characters (newlines and tabs aside): PostgreSQL refuses NUL in text, and the audit trail is read by people.
const Reason = Type.String({ minLength: 1, maxLength: REASON_MAX, pattern: '^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$', description: 'why, for the audit trail' });

export const AdminUser = Type.Object({
  id: Type.String(),
  email: Type.String(),
  displayName: Type.String(),
  role: Role,
  agencyId: Type.Union([Type.String(), Type.Null()]),
  status: Type.Union([Type.Literal('active'), Type.Literal('suspended')]),
  totpEnrolled: Type.Boolean(),
  createdAt: Type.String(),
  lastSeenAt: Type.Union([Type.String(), Type.Null()]),
}, strict);

export function userAdminRoutes(admin: UserAdminService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/api/v1/admin/users', {
      config: { access: 'users.admin' },
      schema: {
        tags, summary: 'List and find accounts by e-mail or name prefix; newest first',
        querystring: Type.Object({
          q: Type.Optional(Type.String({ maxLength: 254, pattern: '^[^\\u0000-\\u001f\\u007f]*$', description: 'a prefix of the e-mail or display name' })), role: Type.Optional(Role),
          cursor: Type.Optional(Type.String({ maxLength: 200 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
        }, strict),
        response: { 200: Type.Object({ users: Type.Array(AdminUser), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses(400, 401, 403) },
      },
    }, async (req) => admin.list(requireUser(req.actor), req.query));

    const action = { params: IdParams, body: Type.Object({ reason: Reason }, strict), response: { 200: AdminUser, ...errorResponses(400, 401, 403, 404, 409) } };

    app.post('/api/v1/admin/users/:id/suspend', {
      config: { access: 'users.admin' },
      schema: { tags, summary: 'Suspend an account: its sessions end and it cannot sign in', ...action },
    }, async (req) => admin.suspend(requireUser(req.actor), req.params.id, req.body.reason));

    app.post('/api/v1/admin/users/:id/unsuspend', {
      config: { access: 'users.admin' },
      schema: { tags, summary: 'Lift a suspension', ...action },
    }, async (req) => admin.unsuspend(requireUser(req.actor), req.params.id, req.body.reason));

    app.post('/api/v1/admin/users/:id/reset-totp', {
      config: { access: 'users.admin' },
      schema: { tags, summary: 'Remove the TOTP secret and recovery codes and end every session; a role that needs TOTP enrols again', ...action },
    }, async (req) => admin.resetTotp(requireUser(req.actor), req.params.id, req.body.reason));

    app.post('/api/v1/admin/invitations', {
      config: { access: 'users.admin' },
      schema: {
        tags, summary: 'Invite a resident or agency member: creates the account and e-mails them; the initial password is shown once',
        body: Type.Object({
          email: Email, displayName: Type.String({ minLength: 1, maxLength: 100 }),
          role: Type.Union([Type.Literal('resident'), Type.Literal('agency')]), agencyId: Type.Optional(Id), reason: Reason,
        }, strict),
        response: { 201: Type.Object({ user: AdminUser, initialPassword: Type.String() }), ...errorResponses(400, 401, 403, 404, 409) },
      },
    }, async (req, reply) => reply.code(201).send(await admin.invite(requireUser(req.actor), req.body)));
  };
}
