// The disclosure log over HTTP, exactly as C2SP tlog-tiles lays it out under
// /log (checkpoint, hash tiles, entry bundles) plus the verifier key, JSON
// proofs for clients that do not read tiles, and owners' receipts.
import compress from '@fastify/compress';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireUser } from '../platform/access.ts';
import { errorResponses, notFound } from '../platform/http/errors.ts';
import type { LedgerService } from './service.ts';
import { ENTRIES_LEVEL, parseTilePath } from './tiles.ts';

const strict = { additionalProperties: false } as const;
const Text = (description: string) => Type.String({ description });
const Binary = (description: string) => Type.Unsafe<Buffer>({ type: 'string', format: 'binary', description });
const Index = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
const Hashes = Type.Array(Type.String({ description: 'base64 SHA-256' }), { description: 'RFC 9162 proof, leaf end first' });

const Receipt = Type.Object({
  entry: Type.String({ description: 'the entry, RFC 8785 canonical JSON, exactly as logged' }),
  index: Index,
  checkpoint: Type.String({ description: 'signed checkpoint (C2SP tlog-checkpoint) the proof leads to' }),
  proof: Hashes,
  clips: Type.Array(Type.Object({ id: Type.String(), sha256: Type.String(), salt: Type.String({ description: 'opens the commitment: SHA-256(salt || sha256)' }) })),
});

// Checkpoints change with every batch. A tile at a given width never changes,
// full or partial (C2SP tlog-tiles: a partial tile is named by its width), so
// both are cached for good.
const CHECKPOINT_CACHE = 'public, max-age=2';
const TILE_CACHE = 'public, max-age=31536000, immutable';

/** Registers the log's routes; the service (and its integrator) is built in app/wire.ts. */
export function ledgerRoutes(ledger: LedgerService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['log'];
    // Entry bundles SHOULD be compressed (C2SP tlog-tiles, "Entry bundles"); hash
    // tiles are random bytes and are not. Scoped to this plugin: reply.compress only.
    await app.register(compress, { global: false, encodings: ['br', 'gzip'] });

    app.get('/log/checkpoint', {
      config: { access: 'public' },
      schema: { tags, summary: 'Latest signed checkpoint (C2SP tlog-checkpoint), with the cosignatures of the witnesses in LOG_WITNESSES (C2SP tlog-cosignature)', response: { 200: Text('signed note'), ...errorResponses(404) } },
    }, async (_req, reply) => reply.type('text/plain; charset=utf-8').header('cache-control', CHECKPOINT_CACHE).send(await ledger.checkpoint()));

    app.get('/log/key', {
      config: { access: 'public' },
      schema: { tags, summary: "The log's verifier key (C2SP signed-note vkey)", response: { 200: Text('name+keyid+base64 key') } },
    }, async (_req, reply) => reply.type('text/plain; charset=utf-8').header('cache-control', 'public, max-age=3600').send(`${ledger.verifierKey}\n`));

    app.get('/log/tile/*', {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Hash tile tile/<L>/<N>[.p/<W>] or entry bundle tile/entries/<N>[.p/<W>] (C2SP tlog-tiles)',
        response: { 200: Binary('tile bytes'), ...errorResponses(404) },
      },
    }, async (req, reply) => {
      // No params schema: TypeBox cannot name a "*" property. The strict parser is the validation.
      const rest = (req.params as { '*'?: unknown })['*'];
      const coord = typeof rest === 'string' && rest.length <= 100 ? parseTilePath(`tile/${rest}`) : null;
      const bytes = coord && (await ledger.tile(coord));
      if (!coord || !bytes) throw notFound('no such tile');
      const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      reply.type('application/octet-stream').header('cache-control', TILE_CACHE);
      return coord.level === ENTRIES_LEVEL ? reply.compress(body) : reply.send(body);
    });

    app.get('/api/v1/log/proof/inclusion', {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Inclusion proof of the entry at index in the tree of size (default: latest), computed from stored tiles',
        querystring: Type.Object({ index: Index, size: Type.Optional(Index) }, strict),
        response: { 200: Type.Object({ index: Index, size: Index, proof: Hashes }), ...errorResponses(400) },
      },
    }, async (req) => ledger.inclusionProof(req.query.index, req.query.size));

    app.get('/api/v1/log/proof/consistency', {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Consistency proof between tree sizes from and to (default: latest), computed from stored tiles',
        querystring: Type.Object({ from: Index, to: Type.Optional(Index) }, strict),
        response: { 200: Type.Object({ from: Index, to: Index, proof: Hashes }), ...errorResponses(400) },
      },
    }, async (req) => ledger.consistencyProof(req.query.from, req.query.to));

    app.get('/api/v1/me/receipts', {
      config: { access: 'ledger.receipts' },
      schema: {
        tags,
        summary: 'Receipts for the log entries concerning my clips; check them offline with "porchlight log verify-receipt"',
        response: { 200: Type.Object({ key: Type.String(), receipts: Type.Array(Receipt), pending: Type.Integer() }), ...errorResponses(401, 403) },
      },
    }, async (req) => ledger.receipts(requireUser(req.actor)));
  };
}

