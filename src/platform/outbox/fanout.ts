// Live in-app events across nodes. The outbox worker that delivers an in-app
// row may run on any node, and the owner's stream may be open on any other.
// On PostgreSQL every node LISTENs on one channel and the delivering node
// NOTIFYs it (PostgreSQL manual, NOTIFY: delivered to every listening session,
// once, in commit order per sender; payloads under 8000 bytes). The event id is
// the outbox id (= the notification id), so Last-Event-ID resumes on any node.
// SQLite is one process: the hub is the fan-out.
import pg from 'pg';
import { sql } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/db.ts';
import type { EventHub, InboxEvent } from './inapp.ts';

export interface EventFanout {
  /** Carries a stored notification to its user's streams on every node, this one included. */
  announce(userId: string, event: InboxEvent): Promise<void>;
  /** Resolves once this node hears announcements; a stream waits for it before it tells its client it is live. */
  listening(): Promise<void>;
  close(): Promise<void>;
}

/** One process: straight to the hub. */
export class LocalFanout implements EventFanout {
  readonly #hub: EventHub;
  constructor(hub: EventHub) {
    this.#hub = hub;
  }
  async announce(userId: string, event: InboxEvent): Promise<void> {
    this.#hub.publish(userId, event);
  }
  async listening(): Promise<void> {}
  async close(): Promise<void> {}
}

const CHANNEL = 'porchlight_events';
/** NOTIFY payloads must stay under 8000 bytes; a bigger event is announced by id and read back. */
const INLINE_MAX = 7000;

type Announcement = { u: string; e: InboxEvent } | { u: string; id: string };

/** Parses a channel payload defensively: anything odd is ignored, never thrown. */
function parse(payload: string | undefined): Announcement | null {
  try {
    const a = JSON.parse(payload ?? '') as Record<string, unknown>;
    if (typeof a.u !== 'string') return null;
    if (typeof a.id === 'string') return { u: a.u, id: a.id };
    const e = a.e as InboxEvent | undefined;
    if (e && typeof e.id === 'string' && typeof e.kind === 'string' && typeof e.createdAt === 'string') return { u: a.u, e };
  } catch {
    // not ours
  }
  return null;
}

export class PgFanout implements EventFanout {
  readonly #db: Db;
  readonly #url: string;
  readonly #hub: EventHub;
  readonly #load: (userId: string, id: string) => Promise<InboxEvent | undefined>;
  readonly #log: FastifyBaseLogger;
  #client: pg.Client | undefined;
  #connecting: Promise<void> | undefined;
  #closed = false;

  constructor(db: Db, hub: EventHub, load: (userId: string, id: string) => Promise<InboxEvent | undefined>, log: FastifyBaseLogger) {
    if (db.target.kind !== 'postgres') throw new Error('PgFanout needs PostgreSQL');
    this.#db = db;
    this.#url = db.target.url;
    this.#hub = hub;
    this.#load = load;
    this.#log = log;
  }

  async announce(userId: string, event: InboxEvent): Promise<void> {
    const inline = JSON.stringify({ u: userId, e: event });
    const payload = Buffer.byteLength(inline) <= INLINE_MAX ? inline : JSON.stringify({ u: userId, id: event.id });
    await sql`select pg_notify(${CHANNEL}, ${payload})`.execute(this.#db.kysely);
  }

  /**
   * Connects the LISTEN session on first need (a stream opening), not when the
   * app is built: a node with no open stream has nothing to hear.
   */
  listening(): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('the event fan-out is closed'));
    this.#connecting ??= this.#connect().catch((err: unknown) => {
      this.#connecting = undefined;
      throw err;
    });
    return this.#connecting;
  }

  async #connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.#url, application_name: 'porchlight-events' });
    client.on('error', (err) => this.#lost(client, err));
    client.on('end', () => this.#lost(client, null));
    client.on('notification', (n) => {
      if (n.channel === CHANNEL) void this.#heard(n.payload);
    });
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    this.#client = client;
  }

  async #heard(payload: string | undefined): Promise<void> {
    const a = parse(payload);
    if (!a || !this.#hub.has(a.u)) return;
    try {
      const e = 'e' in a ? a.e : await this.#load(a.u, a.id);
      if (e) this.#hub.publish(a.u, e);
    } catch (err) {
      this.#log.warn({ err }, 'could not read an announced notification');
    }
  }

  /** The LISTEN session is gone: what was announced meanwhile is unheard, so every stream here resumes from the table. */
  #lost(client: pg.Client, err: Error | null): void {
    // An older session, or one that never finished connecting (listening() rejects for that one).
    if (this.#client !== client) return;
    this.#client = undefined;
    this.#connecting = undefined;
    client.removeAllListeners('notification');
    client.end().catch(() => {});
    if (!this.#closed) {
      this.#log.warn({ err }, 'lost the LISTEN connection for live events; open streams resume with Last-Event-ID');
      this.#hub.interruptAll();
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const c = this.#client;
    this.#client = undefined;
    await c?.end().catch(() => {});
  }
}
