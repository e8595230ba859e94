// The Fastify instance and what every app has before the capabilities' routes:
// validation, errors, cookies, metrics, security headers, OpenAPI and the
// operations routes (health, readiness). Pure construction, like wire.ts.
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { TypeBoxValidatorCompiler, registerAjvFormats, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Registry } from 'prom-client';
import type { Config } from '../config.ts';
import { ping, type Db } from '../platform/db/db.ts';
import { SESSION_COOKIE } from '../platform/http/auth.ts';
import { errorHandler, errorResponses, problem } from '../platform/http/errors.ts';
import { installMetrics } from '../platform/http/metrics.ts';
import { installSecurityHeaders } from '../platform/http/security.ts';
import { createLogger } from './logger.ts';

export const JSON_BODY_LIMIT = 64 * 1024;

export function createHttpApp(config: Config, logger?: boolean): FastifyInstance {
  const instance = logger === false ? null : createLogger(config.LOG_LEVEL);
  const app = Fastify({
    ...(instance ? { loggerInstance: instance } : { logger: false }),
    bodyLimit: JSON_BODY_LIMIT,
    trustProxy: false,
    // A request must arrive whole within 15 minutes (Fastify's default is no limit): a
    // stalled or trickled body is cut off with a 408; a 200 MB clip (MAX_UPLOAD_BYTES default) needs ~2 Mbit/s.
    requestTimeout: 15 * 60_000,
    ajv: { customOptions: { removeAdditional: false } },
    // The router's own refusals (a malformed %-escape, a path parameter over
    // maxParamLength) answer as every other error does: an RFC 9457 problem.
    frameworkErrors: (err, _req, reply) => {
      const status = err.statusCode ?? 400;
      const detail = status === 414 ? 'a part of the URL is too long' : status === 400 ? 'the URL is malformed (a bad %-escape)' : err.message;
      void (reply as FastifyReply).code(status).type('application/problem+json').send(problem(status, detail));
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  registerAjvFormats();
  // TypeBox checks bodies strictly (no coercion, unknown fields rejected by
  // additionalProperties:false) and converts only query, params and headers.
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  app.setErrorHandler(errorHandler);
  // JSON is the only body type by default; routes that take video or PDF add their own parser.
  app.removeContentTypeParser('text/plain');
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).type('application/problem+json').send(problem(404, `no route ${req.method} ${req.url.split('?')[0]}`));
  });
  return app;
}

/** Cookies (parsed before the auth hook reads them) and metrics: hooks that come before the access check. */
export async function installPlatformHooks(app: FastifyInstance): Promise<Registry> {
  await app.register(cookie);
  return installMetrics(app);
}

/** Security headers, the OpenAPI document and its reference page, and the operations routes. */
export async function installOperations(app: FastifyInstance, config: Config, db: Db): Promise<void> {
  installSecurityHeaders(app, { https: config.secureCookies });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Porchlight API', version: '1', description: 'Every disclosure consented, warranted or a two-reviewer emergency, on a public log.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, cookie: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE } } },
      security: [{ bearer: [] }, { cookie: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/healthz', { config: { access: 'public' }, schema: { hide: true } }, async () => ({ ok: true }));
  app.get('/readyz', {
    config: { access: 'public' },
    schema: { hide: true, response: { 200: Type.Object({ ok: Type.Boolean(), engine: Type.String() }), ...errorResponses(503) } },
  }, async (_req, reply) => {
    if (await ping(db)) return { ok: true, engine: db.engine };
    return reply.code(503).type('application/problem+json').send(problem(503, 'database does not answer'));
  });
  app.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());
}

/**
 * The /metrics listener, apart from the public app (issue 17, defect 4): per-route
 * counts of emergency, evidence and review routes can reveal a sealed
 * investigation, so they are for the operator's scraper on METRICS_HOST only.
 */
export function metricsApp(metrics: Registry): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get('/metrics', async (_req, reply) => reply.type(metrics.contentType).send(await metrics.metrics()));
  return app;
}
