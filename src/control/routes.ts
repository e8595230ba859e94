// The Control Center over HTTP (issue 14): the owner's data export and the
// deletion of their account. Both need the password again; the CSRF check
// (app/wire.ts) covers every unsafe method of a cookie session.
import type { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireUser } from '../platform/access.ts';
import { errorResponses } from '../platform/http/errors.ts';
import { IdParams, IsoTime } from '../platform/http/schemas.ts';
import type { DeletionService } from './deletion.ts';
import type { ExportService } from './export.ts';
import { DELETE_CONFIRMATION } from './policy.ts';

const strict = { additionalProperties: false } as const;
const Password = Type.String({ minLength: 1, maxLength: 1024 });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const ExportJob = Type.Object({
  id: Type.String(),
  status: Type.Union([Type.Literal('running'), Type.Literal('ready'), Type.Literal('failed'), Type.Literal('downloaded'), Type.Literal('expired')]),
  done: Type.Integer({ description: 'clips written so far' }),
  total: Type.Integer({ description: 'clips to write' }),
  size: Nullable(Type.Integer({ description: 'bytes of the ZIP once ready' })),
  createdAt: IsoTime,
  expiresAt: Nullable(IsoTime),
  downloadUrl: Nullable(Type.String({ description: 'works once, for you only, until expiresAt' })),
  error: Nullable(Type.String()),
}, strict);

const Deletion = Type.Object({
  status: Type.Union([Type.Literal('deleted'), Type.Literal('pending')], { description: 'pending: clips under a legal hold remain until it ends, then go' }),
  shredded: Type.Integer(),
  kept: Type.Array(Type.Object({ clipId: Type.String(), cameraId: Type.String(), startedAt: IsoTime, until: Nullable(IsoTime), reason: Type.String() })),
}, strict);

export function controlRoutes(exports: ExportService, deletion: DeletionService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['control center'];
    app.post('/api/v1/me/export', {
      config: { access: 'me.export' },
      schema: {
        tags, summary: 'Export all my data as one ZIP (a job: 202 when started, 200 with the job already running)',
        body: Type.Object({ password: Password }, strict),
        response: { 200: ExportJob, 202: ExportJob, ...errorResponses(400, 401, 403) },
      },
    }, async (req, reply) => {
      const { created, job } = await exports.start(requireUser(req.actor), req.body.password);
      return reply.code(created ? 202 : 200).send(job);
    });

    app.get('/api/v1/me/export', {
      config: { access: 'me.export' },
      schema: { tags, summary: 'My latest export job, or null', response: { 200: Nullable(ExportJob), ...errorResponses(401, 403) } },
    }, async (req) => exports.latest(requireUser(req.actor)));

    app.get('/api/v1/me/export/:id/download', {
      config: { access: 'me.export' },
      schema: {
        tags, summary: 'The export ZIP: once, within 24 hours', params: IdParams,
        response: { 200: Type.Unsafe<Buffer | Readable>({ type: 'string', format: 'binary', description: 'application/zip' }), ...errorResponses(400, 401, 403, 404, 409, 410) },
      },
    }, async (req, reply) => {
      const z = await exports.download(requireUser(req.actor), req.params.id);
      return reply.type('application/zip').header('content-length', String(z.size)).header('content-disposition', `attachment; filename="${z.filename}"`)
        .header('cache-control', 'private, no-store').send(z.body);
    });

    app.post('/api/v1/me/deletion', {
      config: { access: 'me.delete' },
      schema: {
        tags, summary: 'Delete my account: every clip key destroyed, then the files and personal data; log entries stay',
        body: Type.Object({ password: Password, confirm: Type.String({ maxLength: 100, description: `the words "${DELETE_CONFIRMATION}"` }) }, strict),
        response: { 200: Deletion, ...errorResponses(400, 401, 403, 409) },
      },
    }, async (req) => deletion.delete(requireUser(req.actor), req.body));
  };
}
