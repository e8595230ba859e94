// Builds the Fastify app from config: external plugins, then platform hooks,
// then each capability's routes (fastify/demo order). No I/O at import time.
import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { TypeBoxValidatorCompiler, registerAjvFormats, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Config } from './config.ts';
import { systemClock, type Clock } from './platform/clock.ts';
import type { AppContext } from './platform/context.ts';
import { openDatabase, ping, type Db } from './platform/db/db.ts';
import { installAuth, type RouteAccess } from './platform/http/auth.ts';
import { errorHandler, errorResponses, forbidden, problem } from './platform/http/errors.ts';
import { installMetrics } from './platform/http/metrics.ts';
import { installSecurityHeaders } from './platform/http/security.ts';
import { safeEqual } from './platform/crypto.ts';
import { Workers } from './platform/workers.ts';
import { loadMasterKey } from './platform/master-key.ts';
import { accountsRoutes } from './accounts/routes.ts';
import { AccountsService, csrfTokenFor } from './accounts/service.ts';
import { camerasRoutes } from './cameras/routes.ts';
import { ledgerRoutes } from './ledger/routes.ts';
import { CamerasService } from './cameras/service.ts';
import { clipsRoutes } from './clips/routes.ts';
import { ClipsService } from './clips/service.ts';
import { DisclosureService } from './disclosure/service.ts';
import { DocumentStore } from './legal/documents.ts';
import { Notices } from './legal/notices.ts';
import { legalRoutes } from './legal/routes.ts';
import { ReviewConsole, consoleRoutes } from './legal/console.ts';
import { LegalService } from './legal/service.ts';
import { emergencyRoutes } from './emergency/routes.ts';
import { EmergencyService } from './emergency/service.ts';
import { jurisdictionOf } from './agencies/repository.ts';
import { agenciesRoutes } from './agencies/routes.ts';
import { AgenciesService } from './agencies/service.ts';
import { AnswersService } from './requests/answers.ts';
import { EvidenceService } from './requests/evidence.ts';
import { meRequestsRoutes } from './requests/me-routes.ts';
import { blockedTypesOf } from './requests/repository.ts';
import { requestsRoutes } from './requests/routes.ts';
import { RequestsService, pendingQueueItems } from './requests/service.ts';
import { SESSION_COOKIE } from './platform/http/auth.ts';
import { OutboxService } from './platform/outbox/service.ts';
import { outboxRoutes } from './platform/outbox/routes.ts';
import { registerWeb } from './web.ts';

export interface BuiltApp {
  app: FastifyInstance;
  ctx: AppContext;
  /** Every route with its access-table permission (tests check each one's 401 and 403). */
  routes: RouteAccess[];
  services: { accounts: AccountsService; cameras: CamerasService; clips: ClipsService; outbox: OutboxService; disclosure: DisclosureService; legal: LegalService; notices: Notices; review: ReviewConsole; emergency: EmergencyService; agencies: AgenciesService; requests: RequestsService; answers: AnswersService; evidence: EvidenceService };
}

export const JSON_BODY_LIMIT = 64 * 1024;

export async function buildApp(config: Config, opts: { db?: Db; clock?: Clock; logger?: boolean } = {}): Promise<BuiltApp> {
  const app = Fastify({
    logger: opts.logger === false || config.LOG_LEVEL === 'silent' ? false : { level: config.LOG_LEVEL },
    bodyLimit: JSON_BODY_LIMIT,
    trustProxy: false,
    // A request must arrive whole within 15 minutes (Fastify's default is no limit): a
    // stalled or trickled body is cut off with a 408; a 200 MB clip (MAX_UPLOAD_BYTES default) needs ~2 Mbit/s.
    requestTimeout: 15 * 60_000,
    ajv: { customOptions: { removeAdditional: false } },
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

  const db = opts.db ?? (await openDatabase(config.database));
  const workers = new Workers((name, err) => app.log.error({ err, worker: name }, 'background job failed'));
  const masterKey = loadMasterKey(config.dataDir, config.MASTER_KEY);
  const ctx: AppContext = { config, db, clock: opts.clock ?? systemClock, log: app.log, workers, masterKey };
  if (!opts.db) app.addHook('onClose', async () => db.close());
  app.addHook('onClose', async () => workers.stop());

  // Cookies are parsed before the auth hook reads them.
  await app.register(cookie);
  // Platform hooks before other plugins, so the access check sees every route, plugins' too.
  const metrics = installMetrics(app);
  const accounts = new AccountsService(ctx);
  const cameras = new CamerasService(ctx);
  const clips = new ClipsService(ctx);
  // Before any route answers: remove what interrupted uploads left behind.
  await clips.startupSweep();
  const outbox = new OutboxService(ctx);
  app.addHook('onClose', async () => outbox.close());
  const disclosure = new DisclosureService(ctx, clips);
  const notices = new Notices(ctx);
  const documents = new DocumentStore(config, masterKey);
  const legal = new LegalService(ctx, { clips, disclosure, notices, documents });
  // Like clips: copies and documents that a crash left half-written go before any route answers.
  await disclosure.copies.startupSweep(db.kysely);
  await legal.startupSweep();
  // Each capability with a review queue registers it with the reviewer console.
  const review = new ReviewConsole(ctx);
  const emergency = new EmergencyService(ctx, { disclosure, notices, documents });
  // Only verified agencies act; an emergency's scope must lie in the agency's jurisdiction.
  legal.setAgencyGate(async (db, id) => (await jurisdictionOf(db, id)) !== null);
  emergency.setJurisdictionSource(jurisdictionOf);
  review.register('legal_demand', (actor) => legal.queueItems(actor));
  review.register('emergency', (actor) => emergency.queueItems(actor));
  review.register('emergency_notice_delay', (actor) => emergency.noticeDelayQueueItems(actor));
  const agencies = new AgenciesService(ctx, accounts);
  const requests = new RequestsService(ctx);
  const answers = new AnswersService(ctx, disclosure);
  const evidence = new EvidenceService(ctx, disclosure);
  review.register('community_request', () => pendingQueueItems(requests, ctx.clock.now()));
  // Owners' blocked agency types also bar consent sharing with those agencies.
  disclosure.setOwnerPolicySource(async (db, ownerId) => ({ blockedAgencyTypes: await blockedTypesOf(db, ownerId) }));
  const routes = installAuth(app, { pls_: accounts.resolveSession, pld_: cameras.resolveDevice }, (req) => {
    const sent = req.headers['x-csrf-token'];
    const cookieToken = req.cookies[SESSION_COOKIE];
    if (typeof sent !== 'string' || !cookieToken || !safeEqual(sent, csrfTokenFor(cookieToken))) {
      throw forbidden('missing or wrong X-CSRF-Token header (cookie sessions need it on unsafe methods)');
    }
  });

  // External plugins.
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

  // Operations.
  app.get('/healthz', { config: { access: 'public' }, schema: { hide: true } }, async () => ({ ok: true }));
  app.get('/readyz', {
    config: { access: 'public' },
    schema: { hide: true, response: { 200: Type.Object({ ok: Type.Boolean(), engine: Type.String() }), ...errorResponses(503) } },
  }, async (_req, reply) => {
    if (await ping(db)) return { ok: true, engine: db.engine };
    return reply.code(503).type('application/problem+json').send(problem(503, 'database does not answer'));
  });
  app.get('/metrics', { config: { access: 'public' }, schema: { hide: true } }, async (_req, reply) =>
    reply.type(metrics.contentType).send(await metrics.metrics()));
  app.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());

  // Capabilities.
  await app.register(accountsRoutes(accounts, config.secureCookies));
  await app.register(camerasRoutes(cameras));
  await app.register(clipsRoutes(clips));
  await app.register(outboxRoutes(outbox));
  await app.register(ledgerRoutes(ctx));
  await app.register(legalRoutes(legal, disclosure));
  await app.register(emergencyRoutes(emergency, disclosure));
  await app.register(consoleRoutes(review));
  await app.register(agenciesRoutes(agencies));
  await app.register(requestsRoutes(requests, evidence));
  await app.register(meRequestsRoutes(answers));

  // The web app last: its wildcard route must not shadow an API route.
  await registerWeb(app, config);

  return { app, ctx, routes, services: { accounts, cameras, clips, outbox, disclosure, legal, notices, review, emergency, agencies, requests, answers, evidence } };
}
