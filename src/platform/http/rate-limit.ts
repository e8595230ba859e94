// Request rate limits shared by every node: @fastify/rate-limit over a store
// every node sees. Redis when REDIS_URL is set; otherwise the PostgreSQL table
// rate_limits; on SQLite (one node) the plugin's in-memory store. Keys are per
// account for signed-in users, per device for cameras, and per address only
// for anonymous requests, so one busy household behind a NAT does not limit
// another. The limit is far above any person's pace: it stops floods and
// scrapers, not use. Sign-in and TOTP failures have their own, stricter
// throttle in the database (accounts/). A 429 carries Retry-After (RFC 9110
// §10.2.3) and a problem body (RFC 9457), like every other error here.
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { sql } from 'kysely';
import type { Config } from '../../config.ts';
import type { Db } from '../db/db.ts';
import type { Workers } from '../workers.ts';
import { keyedHash } from '../crypto.ts';
import { HttpError } from './errors.ts';

const WINDOW_MS = 60_000;

type Result = { current: number; ttl: number };
type Callback = (err: Error | null, res?: Result) => void;

/** Fixed windows in PostgreSQL: one upsert per request, atomic under concurrency from any node. */
export function pgStoreClass(db: Db) {
  return class PgRateStore {
    readonly #prefix: string;
    constructor(_params: unknown, prefix = '') {
      this.#prefix = prefix;
    }
    incr(key: string, cb: Callback, timeWindow: number): void {
      const now = Date.now();
      sql<{ count: number; reset_at: number }>`
        insert into rate_limits (key, count, reset_at) values (${this.#prefix + key}, 1, ${now + timeWindow})
        on conflict (key) do update set
          count = case when rate_limits.reset_at <= ${now} then 1 else rate_limits.count + 1 end,
          reset_at = case when rate_limits.reset_at <= ${now} then ${now + timeWindow} else rate_limits.reset_at end
        returning count, reset_at`
        .execute(db.kysely)
        .then((r) => {
          const row = r.rows[0]!;
          cb(null, { current: Number(row.count), ttl: Math.max(0, Number(row.reset_at) - now) });
        }, (err: Error) => cb(err));
    }
    /** A route with its own limit counts apart (unused today: one global limit). */
    child(route: RouteOptions & { path: string; prefix: string }) {
      return new PgRateStore(null, `${this.#prefix}${String(route.method)}${route.url}-`);
    }
  };
}

// The log's published files (C2SP tlog-tiles: checkpoint, key, tiles) are what every verifier
// fetches by the thousand (a 1,000,000-entry log is ~8,000 tiles), immutable and cacheable, made
// to be served by any static server or CDN: limiting them would only stop honest verification.
const isLogFile = (req: FastifyRequest) => req.method === 'GET' && req.url.startsWith('/log/');

/** The limited key: the account, the device, or (anonymous) the address; hashed so no address is stored. */
function keyOf(masterKey: Buffer) {
  return (req: FastifyRequest): string => {
    // The plugin asks for the key before its allow list; a log file is never counted, so skip the HMAC.
    if (isLogFile(req)) return 'log-file';
    const a = req.actor;
    const raw = a?.kind === 'user' ? `user:${a.userId}` : a?.kind === 'device' ? `device:${a.tokenId}` : `addr:${req.ip}`;
    return keyedHash(masterKey, 'porchlight-rate-limit', raw);
  };
}

export interface RateLimits {
  /** 'memory' (SQLite, one node), 'postgres' or 'redis'. */
  store: 'off' | 'memory' | 'postgres' | 'redis';
  close(): Promise<void>;
}

/**
 * Registers the limit on every route registered after it. Run after the auth
 * hook, so the key can name the actor (its route-level onRequest hook runs
 * after the global one that sets req.actor).
 */
export async function installRateLimit(app: FastifyInstance, deps: { config: Config; db: Db; masterKey: Buffer; workers: Workers }): Promise<RateLimits> {
  const { config, db } = deps;
  if (config.RATE_LIMIT_PER_MINUTE === null) return { store: 'off', close: async () => {} };
  // ioredis is loaded only when REDIS_URL is set (about 10 MiB of RSS otherwise unused).
  const redis = config.REDIS_URL ? new (await import('ioredis')).Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: true }) : null;
  redis?.on('error', (err) => app.log.warn({ err }, 'Redis (rate limits) unavailable'));
  const store: RateLimits['store'] = redis ? 'redis' : db.engine === 'postgres' ? 'postgres' : 'memory';
  await app.register(rateLimit, {
    global: true,
    max: config.RATE_LIMIT_PER_MINUTE,
    timeWindow: WINDOW_MS,
    keyGenerator: keyOf(deps.masterKey),
    allowList: isLogFile,
    // A store outage must not take the API down with it: count nothing and log.
    skipOnError: true,
    ...(redis ? { redis, nameSpace: 'porchlight-rl-' } : db.engine === 'postgres' ? { store: pgStoreClass(db) } : {}),
    errorResponseBuilder: (_req, ctx) => {
      const seconds = String(Math.max(1, Math.ceil(ctx.ttl / 1000)));
      return new HttpError(429, `too many requests: at most ${ctx.max} a minute; retry after ${seconds} s`, { headers: { 'retry-after': seconds } });
    },
  });
  if (store === 'postgres') {
    deps.workers.add({
      name: 'rate-limits.sweep',
      intervalMs: 10 * WINDOW_MS,
      run: async () => void (await db.kysely.deleteFrom('rate_limits').where('reset_at', '<', Date.now() - WINDOW_MS).execute()),
    });
  }
  return { store, close: async () => void (await redis?.quit().catch(() => {})) };
}
