// The in-app inbox over HTTP: GET /api/v1/me/notifications, marking read, and
// the live server-sent-event stream GET /api/v1/me/events (text/event-stream).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServerResponse } from 'node:http';
import { Type } from 'typebox';
import { requireUser } from '../access.ts';
import { HttpError, errorResponses } from '../http/errors.ts';
import { IdParams } from '../http/schemas.ts';
import type { InboxEvent } from './inapp.ts';
import type { OutboxService } from './service.ts';

const Notification = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  payload: Type.Unknown(),
  createdAt: Type.String({ format: 'date-time' }),
  read: Type.Boolean(),
});

/** Comment lines keep proxies from closing an idle stream. */
const HEARTBEAT_MS = 25_000;

const frame = (e: InboxEvent) => `id: ${e.id}\nevent: notification\ndata: ${JSON.stringify(e)}\n\n`;

export function outboxRoutes(outbox: OutboxService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['notifications'];
    const open = new Set<ServerResponse>();
    // Open streams are never idle, so the server would wait for them forever on close.
    app.addHook('preClose', async () => {
      for (const res of open) res.end();
    });

    app.get('/api/v1/me/notifications', {
      config: { access: 'me.events' },
      schema: {
        tags, summary: 'My in-app notifications, newest first',
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })) }, { additionalProperties: false }),
        response: { 200: Type.Array(Notification), ...errorResponses(400, 401, 403) },
      },
    }, async (req) => outbox.list(requireUser(req.actor).userId, req.query.limit));

    app.post('/api/v1/me/notifications/:id/read', {
      config: { access: 'me.events' },
      schema: { tags, summary: 'Mark a notification read', params: IdParams, response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) } },
    }, async (req, reply) => {
      await outbox.markRead(requireUser(req.actor).userId, req.params.id);
      return reply.code(204).send(null);
    });

    app.get('/api/v1/push/vapid-key', {
      config: { access: 'public' },
      schema: { tags, summary: "The server's VAPID public key (RFC 8292), for PushManager.subscribe's applicationServerKey", security: [], response: { 200: Type.Object({ publicKey: Type.String() }) } },
    }, async () => ({ publicKey: outbox.push.publicKey }));

    app.post('/api/v1/me/push-subscriptions', {
      config: { access: 'me.events' },
      schema: {
        tags, summary: "Register this browser's push subscription (PushSubscription.toJSON())",
        body: Type.Object({
          endpoint: Type.String({ minLength: 1, maxLength: 2048 }),
          expirationTime: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
          keys: Type.Object({ p256dh: Type.String({ pattern: '^[A-Za-z0-9_-]{80,100}$' }), auth: Type.String({ pattern: '^[A-Za-z0-9_-]{16,30}$' }) }, { additionalProperties: false }),
        }, { additionalProperties: false }),
        response: { 201: Type.Object({ id: Type.String() }), ...errorResponses(400, 401, 403) },
      },
    }, async (req, reply) => reply.code(201).send(await outbox.subscribe(requireUser(req.actor).userId, req.body)));

    app.delete('/api/v1/me/push-subscriptions/:id', {
      config: { access: 'me.events' },
      schema: { tags, summary: 'Remove a push subscription', params: IdParams, response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) } },
    }, async (req, reply) => {
      await outbox.unsubscribe(requireUser(req.actor).userId, req.params.id);
      return reply.code(204).send(null);
    });

    app.get('/api/v1/me/events', {
      config: { access: 'me.events' },
      schema: {
        tags,
        summary: 'Live notifications as server-sent events ("notification" events; send Last-Event-ID to replay what was missed)',
        headers: Type.Object({ 'last-event-id': Type.Optional(Type.String({ maxLength: 64 })) }),
        response: { 200: Type.String({ description: 'text/event-stream' }), ...errorResponses(401, 403, 503) },
      },
    }, async (req, reply) => {
      const userId = requireUser(req.actor).userId;
      const lastId = req.headers['last-event-id'];
      // Listen before reading what was missed, holding live events back until
      // the replay is written: nothing delivered in between is lost, and an
      // event both replayed and heard is sent once (WHATWG HTML §9.2: the
      // client resends the last id it saw).
      let send: ((e: InboxEvent) => void) | undefined = undefined;
      const held: InboxEvent[] = [];
      let interrupted = false;
      let end = () => {
        interrupted = true;
      };
      const off = outbox.hub.subscribe(userId, (e) => (send ? send(e) : held.push(e)), () => end());
      let missed: InboxEvent[];
      try {
        await outbox.fanout.listening();
        missed = typeof lastId === 'string' && lastId ? await outbox.replayAfter(userId, lastId) : [];
      } catch (err) {
        off();
        req.log.error({ err }, 'live events unavailable');
        throw new HttpError(503, 'live events are unavailable on this node just now; retry', { headers: { 'retry-after': '5' } });
      }
      reply.hijack();
      const res = reply.raw;
      // A hijacked reply skips Fastify's header handling: carry over what hooks set (security headers).
      res.writeHead(200, { ...(reply.getHeaders() as Record<string, string>), 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      res.write('retry: 5000\n\n');
      const seen = new Set(missed.map((e) => e.id));
      for (const e of missed) res.write(frame(e));
      for (const e of held) if (!seen.has(e.id)) res.write(frame(e));
      send = (e) => res.write(frame(e));
      end = () => res.end();
      if (interrupted) res.end();
      open.add(res);
      const beat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
      beat.unref();
      res.on('close', () => {
        off();
        clearInterval(beat);
        open.delete(res);
      });
    });
  };
}
