// wire(config): builds every repository, policy and service and the Fastify app
// with its routes, and does nothing else. No sweep, no migration, no worker
// started, no listen: that is start.ts, for `serve` only. So a CLI command that
// wires the app beside a live server cannot disturb it (issue 17, defect 1).
// Order follows fastify/demo: external plugins, platform hooks, then routes.
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { requireNodeKeys, type Config } from '../config.ts';
import { systemClock, type Clock } from '../platform/clock.ts';
import type { AppContext } from '../platform/context.ts';
import { openDatabase, type Db } from '../platform/db/db.ts';
import { installAuth, SESSION_COOKIE, type RouteAccess } from '../platform/http/auth.ts';
import { forbidden } from '../platform/http/errors.ts';
import { safeEqual } from '../platform/crypto.ts';
import { Workers } from '../platform/workers.ts';
import { postText } from '../platform/http/post-text.ts';
import { loadMasterKey } from '../platform/master-key.ts';
import { openBlobStores } from '../platform/blobs/open.ts';
import { installRateLimit } from '../platform/http/rate-limit.ts';
import { accountsRoutes } from '../accounts/routes.ts';
import { AccountsService, csrfTokenFor } from '../accounts/service.ts';
import { userAdminRoutes } from '../accounts/admin-routes.ts';
import { UserAdminService } from '../accounts/admin-service.ts';
import { camerasRoutes } from '../cameras/routes.ts';
import { ledgerRoutes } from '../ledger/routes.ts';
import { LedgerService } from '../ledger/service.ts';
import { type Post, WitnessCosigning, parseWitnessList } from '../ledger/witnessing.ts';
import { CamerasService } from '../cameras/service.ts';
import { clipsRoutes } from '../clips/routes.ts';
import { retentionRoutes } from '../clips/retention-routes.ts';
import { RetentionService } from '../clips/retention.ts';
import { e2eeRoutes } from '../e2ee/routes.ts';
import { E2eeService } from '../e2ee/service.ts';
import { ClipsService } from '../clips/service.ts';
import { DisclosureService } from '../disclosure/service.ts';
import { DocumentStore } from '../legal/documents.ts';
import { Notices } from '../disclosure/notices.ts';
import { legalRoutes } from '../legal/routes.ts';
import { reviewRoutes } from '../review/routes.ts';
import { ReviewConsole } from '../review/service.ts';
import { LegalService, describeDemandNotice } from '../legal/service.ts';
import { emergencyRoutes } from '../emergency/routes.ts';
import { EmergencyNoticeDelays } from '../emergency/notice-delay.ts';
import { EmergencyService, describeEmergencyNotice } from '../emergency/service.ts';
import { jurisdictionOf } from '../agencies/repository.ts';
import { agenciesRoutes } from '../agencies/routes.ts';
import { AgenciesService } from '../agencies/service.ts';
import { AnswersService } from '../requests/answers.ts';
import { EvidenceService } from '../requests/evidence.ts';
import { meRequestsRoutes } from '../requests/me-routes.ts';
import { blockedTypesOf } from '../requests/repository.ts';
import { requestsRoutes } from '../requests/routes.ts';
import { RequestsService, pendingQueueItems } from '../requests/service.ts';
import { OutboxService } from '../platform/outbox/service.ts';
import { TransparencyService } from '../transparency/service.ts';
import { ExportService } from '../control/export.ts';
import { DeletionService } from '../control/deletion.ts';
import { controlRoutes } from '../control/routes.ts';
import { controlSettingsRoutes } from '../control/settings-routes.ts';
import { ContactSharingService } from '../control/contact.ts';
import { NotificationSettingsService } from '../control/notifications.ts';
import { Vault } from '../platform/sealed/vault.ts';
import { transparencyRoutes } from '../transparency/routes.ts';
import { outboxRoutes } from '../platform/outbox/routes.ts';
import { clipBytesOf } from '../clips/internal.ts';
import { PublicDisclosures } from '../disclosure/public.ts';
import { FeedInteractions } from '../feed/interactions.ts';
import { FeedModeration } from '../feed/moderation.ts';
import { feedReviewRoutes } from '../feed/review-routes.ts';
import { feedRoutes } from '../feed/routes.ts';
import { FeedService } from '../feed/service.ts';
import { registerWeb } from '../web.ts';
import { createHttpApp, installOperations, installPlatformHooks } from './http.ts';

export { JSON_BODY_LIMIT } from './http.ts';

export interface Services {
  accounts: AccountsService; userAdmin: UserAdminService; cameras: CamerasService; clips: ClipsService; retention: RetentionService; e2ee: E2eeService; outbox: OutboxService; ledger: LedgerService;
  disclosure: DisclosureService; legal: LegalService; notices: Notices; review: ReviewConsole; emergency: EmergencyService;
  noticeDelays: EmergencyNoticeDelays; documents: DocumentStore;
  agencies: AgenciesService; requests: RequestsService; answers: AnswersService; evidence: EvidenceService; transparency: TransparencyService;
  exports: ExportService; deletion: DeletionService; contact: ContactSharingService; notificationSettings: NotificationSettingsService; feed: FeedService; feedTalk: FeedInteractions; feedModeration: FeedModeration;
}

export interface BuiltApp {
  app: FastifyInstance;
  ctx: AppContext;
  /** Every route with its access-table permission (tests check each one's 401 and 403). */
  routes: RouteAccess[];
  services: Services;
  /** Request metrics of the public app; start() serves them on their own listener. */
  metrics: Registry;
}

export interface WireOptions {
  /** An open database (tests); otherwise one is opened from the config, unmigrated, and closed with the app. */
  db?: Db;
  clock?: Clock;
  logger?: boolean;
}

export async function wire(config: Config, opts: WireOptions = {}): Promise<BuiltApp> {
  // Before anything is opened or generated into DATA_DIR.
  requireNodeKeys(config);
  const app = createHttpApp(config, opts.logger);
  // Kysely connects on the first query, so opening the handle touches nothing yet.
  const db = opts.db ?? (await openDatabase(config.database, { migrate: false }));
  const workers = new Workers((name, err) => app.log.error({ err, worker: name }, 'background job failed'));
  const masterKey = loadMasterKey(config.dataDir, config.MASTER_KEY);
  const clock = opts.clock ?? systemClock;
  // Object ages are the bucket's wall clock against this node's, never a test's manual clock.
  const blobs = await openBlobStores(config, Date.now);
  const ctx: AppContext = { config, db, clock, log: app.log, workers, masterKey, blobs };
  // Stale multipart uploads of any node (harmless on every node: it only aborts what is a day old).
  if (blobs.kind === 's3') workers.add({ name: 'blobs.stale-uploads', intervalMs: 3600_000, run: async () => void (await blobs.sweepStale()) });
  if (!opts.db) app.addHook('onClose', async () => db.close());
  app.addHook('onClose', async () => workers.stop());
  app.addHook('onClose', async () => blobs.close());

  const services = buildServices(ctx);
  app.addHook('onClose', async () => services.outbox.close());

  // Platform hooks before other plugins, so the access check sees every route, plugins' too.
  const { accounts, cameras } = services;
  const metrics = await installPlatformHooks(app);
  const routes = installAuth(app, { pls_: accounts.resolveSession, pld_: cameras.resolveDevice }, (req) => {
    const sent = req.headers['x-csrf-token'];
    const cookieToken = req.cookies[SESSION_COOKIE];
    if (typeof sent !== 'string' || !cookieToken || !safeEqual(sent, csrfTokenFor(cookieToken))) {
      throw forbidden('missing or wrong X-CSRF-Token header (cookie sessions need it on unsafe methods)');
    }
  });
  // After the auth hook (the key names the actor), before every route it limits.
  const limits = await installRateLimit(app, { config, db, masterKey, workers });
  app.addHook('onClose', async () => limits.close());
  await installOperations(app, config, db);
  await registerRoutes(app, config, services);
  return { app, ctx, routes, services, metrics };
}

// A witness gets 5 s to answer; one that gave no cosignature is asked again after 30 s.
const WITNESS_TIMEOUT_MS = 5_000;
const WITNESS_RETRY_MS = 30_000;

/** The witnesses' HTTP. An answer is a few signature lines; 64 KiB is far more than any honest one. */
const postToWitness: Post = (url, body, signal) => postText(url, body, signal, 64 * 1024);

/** Every service, each handed its ports in its constructor. */
function buildServices(ctx: AppContext): Services {
  const { config, masterKey } = ctx;
  const accounts = new AccountsService(ctx);
  const userAdmin = new UserAdminService(ctx, accounts);
  const cameras = new CamerasService(ctx);
  const clips = new ClipsService(ctx);
  const retention = new RetentionService(ctx);
  const e2ee = new E2eeService(ctx);
  const outbox = new OutboxService(ctx);
  const ledger = new LedgerService(ctx, {
    witnesses: new WitnessCosigning({
      witnesses: parseWitnessList(config.LOG_WITNESSES), post: postToWitness, now: () => ctx.clock.now(), log: ctx.log, timeoutMs: WITNESS_TIMEOUT_MS, retryMs: WITNESS_RETRY_MS,
    }),
  });
  // Owners' blocked agency types also bar consent sharing with those agencies.
  const disclosure = new DisclosureService(ctx, { clips, ownerPolicy: async (db, ownerId) => ({ blockedAgencyTypes: await blockedTypesOf(db, ownerId) }) });
  const notices = new Notices(ctx, { describe: { legal_demand: describeDemandNotice, emergency: describeEmergencyNotice }, log: disclosure.log });
  const documents = new DocumentStore(ctx.blobs.open('legal'), masterKey);
  // Only verified agencies act; an emergency's scope must lie in the agency's jurisdiction.
  const legal = new LegalService(ctx, { clips, disclosure, notices, documents, agencyGate: async (db, id) => (await jurisdictionOf(db, id)) !== null });
  const emergency = new EmergencyService(ctx, { disclosure, notices, jurisdiction: jurisdictionOf });
  const noticeDelays = new EmergencyNoticeDelays(ctx, { emergency, notices, documents });
  const agencies = new AgenciesService(ctx, accounts);
  const requests = new RequestsService(ctx, { log: disclosure.log });
  // Clips on feed posts: public disclosures, through the disclosure service's own copy store and log.
  const publicDoor = new PublicDisclosures(ctx, { copies: disclosure.copies, log: disclosure.log, bytes: clipBytesOf(clips) });
  const feed = new FeedService(ctx, { publicDoor, disclosure });
  const feedTalk = new FeedInteractions(ctx, { posts: feed });
  const feedModeration = new FeedModeration(ctx, { publicDoor });
  // Every capability with a review queue, handed to the reviewer console whole.
  const review = new ReviewConsole(ctx, {
    legal_demand: (actor) => legal.queueItems(actor),
    emergency: (actor) => emergency.queueItems(actor),
    emergency_notice_delay: (actor) => noticeDelays.queueItems(actor),
    community_request: () => pendingQueueItems(requests, ctx.clock.now()),
    feed_report: () => feedModeration.queueItems(),
  });
  const answers = new AnswersService(ctx, disclosure, e2ee);
  const contact = new ContactSharingService(ctx);
  const evidence = new EvidenceService(ctx, disclosure, contact.shownTo);
  const transparency = new TransparencyService(ctx);
  // Exports are sealed like clips, in their own area of the blob store (any node can serve the download).
  const exports = new ExportService(ctx, { accounts, cameras, clips, ledger, disclosure, writings: (actor) => feed.authoredBy(actor), vault: new Vault(ctx.blobs.open('exports'), masterKey) });
  const deletion = new DeletionService(ctx, { accounts, clips, exports });
  const notificationSettings = new NotificationSettingsService(ctx, {
    feedPush: {
      get: async (actor) => (await feedTalk.settings(actor)).push,
      set: async (actor, push) => void (await feedTalk.saveSettings(actor, { ...(await feedTalk.settings(actor)), push })),
    },
  });
  return { accounts, userAdmin, cameras, clips, retention, e2ee, outbox, ledger, disclosure, legal, notices, review, emergency, noticeDelays, documents, agencies, requests, answers, evidence, transparency, exports, deletion, contact, notificationSettings, feed, feedTalk, feedModeration };
}

async function registerRoutes(app: FastifyInstance, config: Config, s: Services): Promise<void> {
  await app.register(accountsRoutes(s.accounts, config.secureCookies));
  await app.register(userAdminRoutes(s.userAdmin));
  await app.register(camerasRoutes(s.cameras));
  await app.register(clipsRoutes(s.clips));
  await app.register(retentionRoutes(s.retention));
  await app.register(e2eeRoutes(s.e2ee));
  await app.register(outboxRoutes(s.outbox));
  await app.register(ledgerRoutes(s.ledger));
  await app.register(transparencyRoutes(s.transparency));
  await app.register(controlRoutes(s.exports, s.deletion));
  await app.register(controlSettingsRoutes(s.contact, s.notificationSettings));
  await app.register(legalRoutes(s.legal, s.disclosure));
  await app.register(emergencyRoutes(s.emergency, s.noticeDelays, s.documents, s.disclosure));
  await app.register(reviewRoutes(s.review));
  await app.register(agenciesRoutes(s.agencies));
  await app.register(requestsRoutes(s.requests, s.evidence));
  await app.register(meRequestsRoutes(s.answers));
  await app.register(feedRoutes(s.feed, s.feedTalk));
  await app.register(feedReviewRoutes(s.feedModeration));
  // The web app last: its wildcard route must not shadow an API route.
  await registerWeb(app, config);
}
