// Clips over HTTP: upload (devices and owners), listing, playback with byte
// ranges, thumbnails, deletion, retention and the owner's access log. The upload
// request shape is fixed (issue 3): the camera agent and outside clients rely on it.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Readable } from 'node:stream';
import { Type } from 'typebox';
import { requireUser, type Actor, type DeviceActor, type UserActor } from '../platform/access.ts';
import { errorResponses, orBadRequest, unauthorized } from '../platform/http/errors.ts';
import { Id, IdParams, IsoTime } from '../platform/http/schemas.ts';
import { checkIdempotencyKey, LIMITS } from './policy.ts';
import type { ClipsService } from './service.ts';

const strict = { additionalProperties: false } as const;

// Spelled out so TypeBox infers the literal union; a policy test checks it matches CLIP_KINDS.
export const Kind = Type.Union([Type.Literal('motion'), Type.Literal('doorbell'), Type.Literal('glass_break'), Type.Literal('manual')]);

const Clip = Type.Object({
  id: Type.String(),
  cameraId: Type.String(),
  sha256: Type.String({ description: 'SHA-256 (hex) of the bytes as uploaded' }),
  size: Type.Integer(),
  startedAt: Type.String({ format: 'date-time' }),
  endedAt: Type.String({ format: 'date-time' }),
  kind: Kind,
  signed: Type.Boolean({ description: "the device's Ed25519 signature verified at ingest (false for owners' manual uploads)" }),
  deviceSignature: Type.Union([Type.String(), Type.Null()]),
  devicePublicKey: Type.Union([Type.String({ description: 'the Ed25519 key of the device that uploaded it (base64), which an end-to-end clip\'s sealed signature verifies under' }), Type.Null()]),
  e2ee: Type.Boolean(),
  durationMs: Type.Union([Type.Integer(), Type.Null()]),
  thumbnail: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
});
const Uploaded = (description: string) => Type.Object({
  id: Type.String(),
  sha256: Type.String(),
  duplicate: Type.Boolean({ description: 'true when these bytes were already a live clip of this camera (not for end-to-end cameras, whose envelopes differ each time)' }),
}, { description });
const NextCursor = Type.Union([Type.String(), Type.Null()]);
const Cursor = Type.String({ minLength: 1, maxLength: 200 });
const Limit = Type.Integer({ minimum: 1, maximum: LIMITS.pageMax });
// Bytes, not JSON: Fastify sends buffers and streams as they are.
const Binary = (description: string) => Type.Unsafe<Buffer | Readable>({ type: 'string', format: 'binary', description });
const Retention = Type.Object({ days: Type.Integer({ minimum: LIMITS.retentionMinDays, maximum: LIMITS.retentionMaxDays }) }, strict);

function uploader(actor: Actor): UserActor | DeviceActor {
  if (actor.kind === 'anonymous') throw unauthorized();
  return actor;
}

const header = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export function clipsRoutes(clips: ClipsService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['clips'];
    // The body stays a stream: the service meters, hashes and encrypts it on the way to disk.
    app.addContentTypeParser(['video/mp4', 'application/octet-stream'], (_req, payload, done) => done(null, payload));
    app.addHook('onClose', async () => clips.settled());

    app.post('/api/v1/clips', {
      config: { access: 'clips.upload' },
      schema: {
        tags,
        summary: 'Upload a clip (streamed video/mp4 body; application/octet-stream from end-to-end encrypted cameras)',
        description: 'Device tokens must send X-Device-Signature (base64 Ed25519 over the clip signing payload). An Idempotency-Key makes a retry return the same clip. Bytes the camera already holds as a live clip answer 200 with that clip and duplicate: true. A camera in end-to-end mode sends a sealed envelope (src/platform/sealed/README.md) with X-E2EE-Key-Id (its owner\'s current key) and X-E2EE-Sealed-Key (the clip secret sealed to it with HPKE; the device signature is inside).',
        querystring: Type.Object({ cameraId: Id, startedAt: IsoTime, endedAt: IsoTime, kind: Kind }, strict),
        response: { 200: Uploaded('the camera already holds a live clip with these exact bytes: that clip, and nothing new is stored'), 201: Uploaded('a new clip'), ...errorResponses(400, 401, 403, 404, 409, 410, 413, 415, 422) },
      },
    }, async (req, reply) => {
      const length = header(req.headers['content-length']);
      const res = await clips.upload(uploader(req.actor), {
        ...req.query,
        idempotencyKey: orBadRequest(checkIdempotencyKey(req.headers['idempotency-key'])),
        signature: header(req.headers['x-device-signature']),
        sealed: { keyId: header(req.headers['x-e2ee-key-id']), sealedKey: header(req.headers['x-e2ee-sealed-key']) },
        contentLength: length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined,
        body: (req.body as Readable | undefined) ?? Readable.from([]),
      });
      if (res.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(res.duplicate ? 200 : 201).send({ id: res.id, sha256: res.sha256, duplicate: res.duplicate });
    });

    app.get('/api/v1/clips', {
      config: { access: 'clips.read' },
      schema: {
        tags,
        summary: 'My clips, newest first',
        querystring: Type.Object({ cameraId: Type.Optional(Id), from: Type.Optional(IsoTime), to: Type.Optional(IsoTime), cursor: Type.Optional(Cursor), limit: Type.Optional(Limit) }, strict),
        response: { 200: Type.Object({ items: Type.Array(Clip), nextCursor: NextCursor }), ...errorResponses(400, 401, 403) },
      },
    }, async (req) => clips.list(requireUser(req.actor), req.query));

    app.get('/api/v1/clips/:id', {
      config: { access: 'clips.read' },
      schema: { tags, summary: 'One of my clips', params: IdParams, response: { 200: Type.Object({ ...Clip.properties, holds: Type.Integer({ description: 'active preservation holds' }) }), ...errorResponses(400, 401, 403, 404) } },
    }, async (req) => clips.get(requireUser(req.actor), req.params.id));

    app.get('/api/v1/clips/:id/video', {
      config: { access: 'clips.read' },
      schema: {
        tags,
        summary: "A clip's video, with HTTP range support (RFC 9110 §14)",
        params: IdParams,
        response: { 200: Binary('the whole clip'), 206: Binary('the requested range'), ...errorResponses(400, 401, 403, 404, 416) },
      },
    }, async (req, reply) => {
      const v = await clips.video(requireUser(req.actor), req.params.id, header(req.headers.range));
      return reply.code(v.status).headers(v.headers).send(v.body);
    });

    app.get('/api/v1/clips/:id/thumbnail', {
      config: { access: 'clips.read' },
      schema: { tags, summary: "A clip's thumbnail (JPEG)", params: IdParams, response: { 200: Binary('JPEG'), ...errorResponses(400, 401, 403, 404) } },
    }, async (req, reply) => reply.type('image/jpeg').header('cache-control', 'private, no-store').send(await clips.thumbnail(requireUser(req.actor), req.params.id)));

    app.delete('/api/v1/clips/:id', {
      config: { access: 'clips.manage' },
      schema: { tags, summary: 'Delete a clip (its data key is destroyed); refused while a preservation hold is active', params: IdParams, response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 409) } },
    }, async (req, reply) => {
      await clips.remove(requireUser(req.actor), req.params.id);
      return reply.code(204).send(null);
    });

    app.get('/api/v1/me/retention', {
      config: { access: 'clips.manage' },
      schema: { tags, summary: 'How long my clips are kept', response: { 200: Retention, ...errorResponses(401, 403) } },
    }, async (req) => clips.retention(requireUser(req.actor)));

    app.put('/api/v1/me/retention', {
      config: { access: 'clips.manage' },
      schema: { tags, summary: 'Set how long my clips are kept (1–180 days)', body: Retention, response: { 200: Retention, ...errorResponses(400, 401, 403) } },
    }, async (req) => clips.setRetention(requireUser(req.actor), req.body.days));

    app.get('/api/v1/me/access-log', {
      config: { access: 'clips.read' },
      schema: {
        tags,
        summary: 'Every read of my clips by someone other than me',
        querystring: Type.Object({ cursor: Type.Optional(Cursor), limit: Type.Optional(Limit) }, strict),
        response: {
          200: Type.Object({ items: Type.Array(Type.Object({ id: Type.String(), clipId: Type.String(), actor: Type.String(), purpose: Type.String(), at: Type.String({ format: 'date-time' }) })), nextCursor: NextCursor }),
          ...errorResponses(400, 401, 403),
        },
      },
    }, async (req) => clips.accessLog(requireUser(req.actor), req.query));
  };
}
