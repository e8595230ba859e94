// The transparency report over HTTP (issue 13): JSON and CSV, both computed
// from the log at the checkpoint they name. Public, like the log itself.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { METRICS, type Metric } from './report.ts';
import type { TransparencyService } from './service.ts';

const Nullable = (description: string) => Type.Union([Type.String(), Type.Null()], { description });
const Figure = Type.Object({
  metric: Type.Unsafe<Metric>({ type: 'string', enum: [...METRICS], description: 'what is counted (docs/transparency.md)' }),
  month: Type.String({ description: 'UTC month, YYYY-MM' }),
  agency: Nullable("the agency's id"),
  demand: Nullable('the kind of demand or basis, where the metric has one'),
  outcome: Nullable("a decision's outcome"),
  value: Type.Number(),
  first: Type.Integer({ minimum: 0, description: 'log index of the first entry counted' }),
  last: Type.Integer({ minimum: 0, description: 'log index of the last entry counted' }),
}, { additionalProperties: false });
const Report = Type.Object({
  version: Type.Literal(1),
  log: Type.Object({
    origin: Type.String(),
    size: Type.Integer({ minimum: 0, description: 'the figures count entries 0 to size - 1' }),
    root: Type.String({ description: 'base64 RFC 9162 root hash at size' }),
    checkpoint: Type.String({ description: 'the signed checkpoint (C2SP tlog-checkpoint) of that tree' }),
  }, { additionalProperties: false }),
  figures: Type.Array(Figure),
}, { additionalProperties: false });

const CACHE = 'public, max-age=2';

export function transparencyRoutes(transparency: TransparencyService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['transparency'];
    app.get('/transparency/report.json', {
      config: { access: 'public' },
      schema: { tags, summary: 'The transparency report, computed from the log at the checkpoint it names', response: { 200: Report } },
    }, async (_req, reply) => reply.header('cache-control', CACHE).send(await transparency.report()));

    app.get('/transparency/report.csv', {
      config: { access: 'public' },
      schema: { tags, summary: 'The same figures as CSV (RFC 4180), one row per figure', response: { 200: Type.String() } },
    }, async (_req, reply) => {
      const { csv } = await transparency.csv();
      return reply.type('text/csv; charset=utf-8').header('cache-control', CACHE).header('content-disposition', 'attachment; filename="porchlight-transparency.csv"').send(csv);
    });
  };
}
