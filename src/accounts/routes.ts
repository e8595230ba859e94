// Accounts over HTTP: register, login, logout, me, sessions, password, TOTP.
// Paths under /api/v1/auth and /api/v1/me are fixed (outside clients rely on them).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireUser } from '../platform/access.ts';
import { errorResponses } from '../platform/http/errors.ts';
import { SESSION_COOKIE } from '../platform/http/auth.ts';
import { Email, Id, LatLon } from '../platform/http/schemas.ts';
import { SESSION_TTL_MS } from './policy.ts';
import type { AccountsService } from './service.ts';

const Role = Type.Union([Type.Literal('resident'), Type.Literal('agency'), Type.Literal('reviewer'), Type.Literal('admin')]);
export const User = Type.Object({
  id: Type.String(),
  email: Type.String(),
  displayName: Type.String(),
  role: Role,
  agencyId: Type.Union([Type.String(), Type.Null()]),
  home: Type.Union([Type.Object({ lat: Type.Number(), lon: Type.Number() }), Type.Null()]),
  totpEnabled: Type.Boolean(),
  totpRequired: Type.Boolean(),
  retentionDays: Type.Integer(),
});
const Password = Type.String({ minLength: 1, maxLength: 1024 });
const strict = { additionalProperties: false } as const;
const RecoveryCodes = Type.Array(Type.String(), { minItems: 10, maxItems: 10 });

export const CSRF_COOKIE = 'porchlight_csrf';

export function accountsRoutes(accounts: AccountsService, secureCookies: boolean): FastifyPluginAsyncTypebox {
  return async (app) => {
    const cookie = { path: '/', sameSite: 'lax' as const, secure: secureCookies, maxAge: SESSION_TTL_MS / 1000 };

    app.post('/api/v1/auth/register', {
      config: { access: 'public' },
      schema: {
        tags: ['accounts'],
        summary: 'Register as a resident',
        body: Type.Object({ email: Email, password: Password, displayName: Type.String({ minLength: 1, maxLength: 100 }), home: LatLon }, strict),
        response: { 201: User, ...errorResponses(400, 409) },
      },
    }, async (req, reply) => reply.code(201).send(await accounts.register(req.body)));

    app.post('/api/v1/auth/login', {
      config: { access: 'public' },
      schema: {
        tags: ['accounts'],
        summary: 'Sign in; answers a bearer token and sets the session cookie',
        body: Type.Object({ email: Type.String({ maxLength: 254 }), password: Password, totp: Type.Optional(Type.String({ maxLength: 32, description: 'a 6-digit TOTP code or an unused recovery code' })) }, strict),
        response: { 200: Type.Object({ token: Type.String(), csrfToken: Type.String(), user: User }), ...errorResponses(400, 401, 403, 429) },
      },
    }, async (req, reply) => {
      const out = await accounts.login(req.body, { ip: req.ip, userAgent: req.headers['user-agent'] ?? null });
      reply.setCookie(SESSION_COOKIE, out.token, { ...cookie, httpOnly: true });
      // Readable by the page's script, which echoes it in X-CSRF-Token.
      reply.setCookie(CSRF_COOKIE, out.csrfToken, { ...cookie, httpOnly: false });
      return out;
    });

    app.post('/api/v1/auth/logout', {
      config: { access: 'auth.session' },
      schema: { tags: ['accounts'], summary: 'End this session', response: { 204: Type.Null(), ...errorResponses(401, 403) } },
    }, async (req, reply) => {
      await accounts.logout(requireUser(req.actor));
      reply.clearCookie(SESSION_COOKIE, { path: '/' }).clearCookie(CSRF_COOKIE, { path: '/' });
      return reply.code(204).send(null);
    });

    app.get('/api/v1/me', {
      config: { access: 'me.read' },
      schema: { tags: ['accounts'], summary: 'The signed-in user', response: { 200: User, ...errorResponses(401, 403) } },
    }, async (req) => accounts.me(requireUser(req.actor)));

    app.get('/api/v1/me/sessions', {
      config: { access: 'sessions.manage' },
      schema: {
        tags: ['accounts'],
        summary: 'My sessions',
        response: {
          200: Type.Array(Type.Object({
            id: Type.String(), createdAt: Type.String(), lastSeenAt: Type.String(), expiresAt: Type.String(),
            userAgent: Type.Union([Type.String(), Type.Null()]), ip: Type.Union([Type.String(), Type.Null()]), current: Type.Boolean(),
          })),
          ...errorResponses(401, 403),
        },
      },
    }, async (req) => accounts.listSessions(requireUser(req.actor)));

    app.delete('/api/v1/me/sessions/:id', {
      config: { access: 'sessions.manage' },
      schema: { tags: ['accounts'], summary: 'Revoke one of my sessions', params: Type.Object({ id: Id }, strict), response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) } },
    }, async (req, reply) => {
      await accounts.revokeSession(requireUser(req.actor), req.params.id);
      return reply.code(204).send(null);
    });

    app.post('/api/v1/me/password', {
      config: { access: 'me.update' },
      schema: {
        tags: ['accounts'],
        summary: 'Change my password (signs out my other sessions)',
        body: Type.Object({ currentPassword: Password, newPassword: Password }, strict),
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403) },
      },
    }, async (req, reply) => {
      await accounts.changePassword(requireUser(req.actor), req.body.currentPassword, req.body.newPassword);
      return reply.code(204).send(null);
    });

    app.post('/api/v1/auth/totp/enroll', {
      config: { access: 'auth.totp.enroll' },
      schema: {
        tags: ['accounts'],
        summary: 'Start TOTP enrolment (RFC 6238); answers the secret and an otpauth:// URI',
        response: { 200: Type.Object({ secret: Type.String(), otpauthUri: Type.String() }), ...errorResponses(401, 403, 409) },
      },
    }, async (req) => accounts.enrollTotp(requireUser(req.actor)));

    app.post('/api/v1/auth/totp/verify', {
      config: { access: 'auth.totp.enroll' },
      schema: {
        tags: ['accounts'],
        summary: 'Finish TOTP enrolment with a current code; answers the user and ten one-time recovery codes, shown only this once',
        body: Type.Object({ code: Type.String({ maxLength: 10 }) }, strict),
        response: { 200: Type.Object({ ...User.properties, recoveryCodes: RecoveryCodes }), ...errorResponses(400, 401, 403, 409) },
      },
    }, async (req) => accounts.confirmTotp(requireUser(req.actor), req.body.code));

    app.post('/api/v1/auth/totp/recovery-codes', {
      config: { access: 'auth.totp.recovery' },
      schema: {
        tags: ['accounts'],
        summary: 'Replace my recovery codes with ten new ones (needs the current password or a TOTP code); the old ones stop working',
        body: Type.Object({ password: Type.Optional(Password), totp: Type.Optional(Type.String({ maxLength: 10 })) }, strict),
        response: { 200: Type.Object({ recoveryCodes: RecoveryCodes }), ...errorResponses(400, 401, 403, 409) },
      },
    }, async (req) => accounts.regenerateRecoveryCodes(requireUser(req.actor), req.body));

    app.post('/api/v1/admin/users', {
      config: { access: 'users.create' },
      schema: {
        tags: ['admin'],
        summary: 'Create a reviewer, admin or agency member',
        body: Type.Object({
          email: Email, password: Password, displayName: Type.String({ minLength: 1, maxLength: 100 }),
          role: Type.Union([Type.Literal('reviewer'), Type.Literal('admin'), Type.Literal('agency')]),
          agencyId: Type.Optional(Id),
        }, strict),
        response: { 201: User, ...errorResponses(400, 401, 403, 409) },
      },
    }, async (req, reply) => reply.code(201).send(await accounts.createUser({ ...req.body, agencyId: req.body.agencyId ?? null })));
  };
}
