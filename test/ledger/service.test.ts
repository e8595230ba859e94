// The disclosure log on both engines: appending in the caller's transaction,
// integration into tiles and checkpoints, the routes, receipts, tampering.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import fc from 'fast-check';
import fs from 'node:fs';
import path from 'node:path';
import { openCheckpoint } from '../../src/ledger/checkpoint.ts';
import { runLogCli } from '../../src/ledger/cli.ts';
import { leafHash, verifyConsistency, verifyInclusion } from '../../src/ledger/merkle.ts';
import { parseVerifierKey } from '../../src/ledger/note.ts';
import { fromBase64 } from '../../src/ledger/primitives.ts';
import type { AppContext } from '../../src/platform/context.ts';
import { LedgerService, append } from '../../src/ledger/service.ts';
import { ENTRIES_LEVEL, decodeEntryBundle, entryBundlesForSize, tilePath } from '../../src/ledger/tiles.ts';
import { VerifyError, verifyLog, verifyReceipt } from '../../src/ledger/verify.ts';
import { WitnessCosigning } from '../../src/ledger/witnessing.ts';
import { type TestApp, as, buildTestApp, createResident, createStaff } from '../helpers/app.ts';
import { forEachEngine, tempDir } from '../helpers/db.ts';
import { appendRange, entryFor, injectFetcher } from './helpers.ts';

/** A second integrator over the same database (a fresh process's), opened as start-up opens it. */
async function opened(ctx: AppContext): Promise<LedgerService> {
  const post = () => Promise.reject(new Error('no witnesses here'));
  const witnesses = new WitnessCosigning({ witnesses: [], post, now: () => ctx.clock.now(), log: ctx.log, timeoutMs: 1000, retryMs: 1000 });
  const ledger = new LedgerService(ctx, { witnesses });
  await ledger.init();
  return ledger;
}

const ENV = { LOG_BATCH_SIZE: '100', LOG_ORIGIN: 'porchlight.test/log', LOG_SIGNING_KEY: '11'.repeat(32) };
const b64 = (s: string) => fromBase64(s)!;

forEachEngine('disclosure log', (getDb, engine) => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp(getDb(), ENV);
  });
  after(async () => t.app.close());
  const key = async () => parseVerifierKey((await t.app.inject({ method: 'GET', url: '/log/key' })).body);
  const latest = async () => openCheckpoint((await t.app.inject({ method: 'GET', url: '/log/checkpoint' })).body, await key()).checkpoint;
  const integrate = () => t.ctx.workers.runAll('ledger.integrate');

  test('an empty log serves a signed checkpoint of size 0 and its key', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/log/checkpoint' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
    assert.match(String(res.headers['cache-control']), /max-age=\d$/);
    const k = await key();
    assert.equal(k.name, 'porchlight.test/log');
    assert.equal((await latest()).size, 0);
    assert.equal((await t.app.inject({ method: 'GET', url: '/log/tile/0/000.p/1' })).statusCode, 404);
  });

  test('an entry commits or rolls back with the caller’s transaction', async () => {
    await assert.rejects(t.ctx.db.kysely.transaction().execute(async (tx) => {
      const { entry, subjects } = entryFor(1);
      await append(tx, entry, subjects);
      throw new Error('the disclosure failed');
    }), /the disclosure failed/);
    await integrate();
    assert.equal((await latest()).size, 0);
    // Invalid entries never reach the log.
    await assert.rejects(t.ctx.db.kysely.transaction().execute((tx) => append(tx, { ...entryFor(1).entry, basis: 'gossip' })));
    await assert.rejects(t.ctx.db.kysely.transaction().execute((tx) => append(tx, entryFor(1).entry, entryFor(2).subjects)), /not committed/);
  });

  test('integration assigns contiguous indices, writes tiles and signs checkpoints that all agree', async () => {
    await appendRange(t.ctx.db, 0, 650, 60);
    await integrate();
    assert.equal((await latest()).size, 650);
    const rows = await t.ctx.db.kysely.selectFrom('log_entries').select(['seq', 'idx']).orderBy('seq').execute();
    assert.deepEqual(rows.map((r) => Number(r.idx)), Array.from({ length: 650 }, (_, i) => i));
    const r = await verifyLog({ verifier: await key(), fetch: injectFetcher(t.app) });
    assert.equal(r.leaves, 650);
    // Every checkpoint ever signed (one per batch of 100) is a prefix of the latest.
    const notes = await t.ctx.db.kysely.selectFrom('log_checkpoints').select(['size', 'note']).orderBy('size').execute();
    assert.deepEqual(notes.map((n) => Number(n.size)), [0, 100, 200, 300, 400, 500, 600, 650]);
    for (const n of notes) assert.equal((await verifyLog({ verifier: await key(), fetch: injectFetcher(t.app), previous: n.note })).leaves, 650);
    // Bundles hold the entries in index order.
    const bundle = decodeEntryBundle(new Uint8Array((await t.app.inject({ method: 'GET', url: '/log/tile/entries/002.p/138' })).rawPayload));
    assert.equal(bundle.length, 138);
    assert.match(Buffer.from(bundle[0]).toString(), /"ref":"req_512"/);
  });

  test('tiles are served as tlog-tiles says: octet-stream, immutable full or partial, partial as a prefix', async () => {
    const full = await t.app.inject({ method: 'GET', url: '/log/tile/0/000' });
    assert.equal(full.statusCode, 200);
    assert.equal(full.headers['content-type'], 'application/octet-stream');
    assert.match(String(full.headers['cache-control']), /immutable/);
    assert.equal(full.rawPayload.length, 256 * 32);
    const partial = await t.app.inject({ method: 'GET', url: '/log/tile/0/000.p/10' });
    assert.equal(partial.statusCode, 200);
    // A partial tile at a given width never changes either.
    assert.match(String(partial.headers['cache-control']), /immutable/);
    assert.deepEqual(partial.rawPayload, full.rawPayload.subarray(0, 320));
    assert.equal((await t.app.inject({ method: 'GET', url: '/log/tile/1/000.p/2' })).rawPayload.length, 64);
    assert.equal((await t.app.inject({ method: 'GET', url: '/log/tile/entries/001' })).statusCode, 200);
    for (const bad of ['/log/tile/0/002', '/log/tile/0/002.p/139', '/log/tile/0/2', '/log/tile/0/x000/002.p/3', '/log/tile/1/001', '/log/tile/x', '/log/tile/0/000.p/256',
      // Indexes past 2^53 cannot be held exactly: 404, not a 500.
      '/log/tile/0/x010/x000/x000/x000/x000/000', '/log/tile/entries/x999/x999/x999/x999/x999/999']) {
      const res = await t.app.inject({ method: 'GET', url: bad });
      assert.equal(res.statusCode, 404, bad);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
    }
  });

  test('entry bundles are compressed as the request accepts; hash tiles are not', async () => {
    const plain = await t.app.inject({ method: 'GET', url: '/log/tile/entries/000' });
    for (const encoding of ['gzip', 'br'] as const) {
      const res = await t.app.inject({ method: 'GET', url: '/log/tile/entries/000', headers: { 'accept-encoding': encoding } });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-encoding'], encoding);
      assert.ok(res.rawPayload.length < plain.rawPayload.length, `${encoding}: ${res.rawPayload.length} of ${plain.rawPayload.length}`);
      const unpacked = encoding === 'gzip' ? zlib.gunzipSync(res.rawPayload) : zlib.brotliDecompressSync(res.rawPayload);
      assert.deepEqual(unpacked, plain.rawPayload);
    }
    assert.equal(plain.headers['content-encoding'], undefined);
    const hashTile = await t.app.inject({ method: 'GET', url: '/log/tile/0/000', headers: { 'accept-encoding': 'gzip' } });
    assert.equal(hashTile.headers['content-encoding'], undefined);
    assert.equal(hashTile.rawPayload.length, 256 * 32);
  });

  test('proof endpoints serve RFC 9162 proofs computed from tiles', async () => {
    const cp = await latest();
    const fetch = injectFetcher(t.app);
    const bundle0 = decodeEntryBundle((await fetch('tile/entries/000'))!);
    for (const index of [0, 1, 255, 256, 511, 649]) {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/log/proof/inclusion?index=${index}&size=${cp.size}` });
      assert.equal(res.statusCode, 200);
      const { proof } = res.json() as { proof: string[] };
      const entry = index < 256 ? bundle0[index] : decodeEntryBundle((await fetch(`tile/entries/00${Math.floor(index / 256)}${index >= 512 ? '.p/138' : ''}`))!)[index % 256];
      verifyInclusion(index, cp.size, leafHash(entry), proof.map(b64), cp.root);
    }
    const notes = await t.ctx.db.kysely.selectFrom('log_checkpoints').select(['size', 'root']).where('size', '>', 0).execute();
    for (const n of notes) {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/log/proof/consistency?from=${n.size}` });
      assert.equal(res.statusCode, 200);
      const body = res.json() as { from: number; to: number; proof: string[] };
      verifyConsistency(body.from, body.to, n.root, cp.root, body.proof.map(b64));
    }
    for (const url of ['/api/v1/log/proof/inclusion?index=650', '/api/v1/log/proof/inclusion?index=1&size=651', '/api/v1/log/proof/inclusion?index=-1',
      '/api/v1/log/proof/inclusion?index=abc', '/api/v1/log/proof/inclusion', '/api/v1/log/proof/consistency?from=0', '/api/v1/log/proof/consistency?from=5&to=4',
      '/api/v1/log/proof/inclusion?index=1&extra=1']) {
      assert.equal((await t.app.inject({ method: 'GET', url })).statusCode, 400, url);
    }
  });

  test('receipts: only the owner’s entries, each verifiable offline', async () => {
    const alice = await createResident(t);
    const bob = await createResident(t);
    await appendRange(t.ctx.db, 1000, 1010, 5, (i) => (i % 2 ? alice.id : 'someone_else'));
    let res = await as(t, alice, { method: 'GET', url: '/api/v1/me/receipts' });
    assert.equal(res.statusCode, 200);
    assert.equal((res.json() as { pending: number }).pending, 5);
    await integrate();
    res = await as(t, alice, { method: 'GET', url: '/api/v1/me/receipts' });
    const body = res.json() as { key: string; receipts: unknown[]; pending: number };
    assert.equal(body.receipts.length, 5);
    assert.equal(body.pending, 0);
    for (const r of body.receipts) {
      const v = verifyReceipt(r, parseVerifierKey(body.key));
      assert.equal(Number(v.entry.ref.slice(4)) % 2, 1);
      assert.ok(!JSON.stringify(v.entry).includes(alice.id), 'no owner id in the public entry');
    }
    // The CLI checks a saved receipts file offline.
    const dir = tempDir('porchlight-receipt-');
    fs.writeFileSync(path.join(dir, 'receipts.json'), res.body);
    const out: string[] = [];
    assert.equal(await runLogCli(['verify-receipt', path.join(dir, 'receipts.json'), '--key', body.key], (s) => out.push(s), (s) => out.push(s)), 0);
    assert.equal(out.length, 5);
    const tampered = { ...(body.receipts[0] as object), index: 0 };
    fs.writeFileSync(path.join(dir, 'bad.json'), JSON.stringify(tampered));
    assert.equal(await runLogCli(['verify-receipt', path.join(dir, 'bad.json'), '--key', body.key], () => {}, () => {}), 1);
    fs.rmSync(dir, { recursive: true });
    assert.equal(((await as(t, bob, { method: 'GET', url: '/api/v1/me/receipts' })).json() as { receipts: unknown[] }).receipts.length, 0);
    assert.equal((await as(t, null, { method: 'GET', url: '/api/v1/me/receipts' })).statusCode, 401);
    const reviewer = await createStaff(t, 'reviewer');
    assert.equal((await as(t, reviewer, { method: 'GET', url: '/api/v1/me/receipts' })).statusCode, 403);
  });

  test('a changed tile or entry makes `log verify` fail, and stops the integrator', async () => {
    const db = t.ctx.db.kysely;
    const flip = async (level: number, idx: number, at: number) => {
      const row = await db.selectFrom('log_tiles').select('data').where('level', '=', level).where('idx', '=', idx).executeTakeFirstOrThrow();
      const data = new Uint8Array(row.data);
      data[at] ^= 1;
      await db.updateTable('log_tiles').set({ data }).where('level', '=', level).where('idx', '=', idx).execute();
      return async () => db.updateTable('log_tiles').set({ data: row.data }).where('level', '=', level).where('idx', '=', idx).execute();
    };
    // A flipped bit in an entry either breaks its JSON (bad_entry) or its hash (entry_mismatch).
    for (const [level, idx, at, codes] of [[0, 1, 77, ['entry_mismatch']], [ENTRIES_LEVEL, 0, 30, ['bad_entry', 'entry_mismatch']], [ENTRIES_LEVEL, 1, 2, ['bad_entry']], [1, 0, 3, ['tile_mismatch']]] as const) {
      const restore = await flip(level, idx, at);
      // A fresh server process (no tile cache) over the changed database.
      const fresh = await buildTestApp(t.ctx.db, ENV);
      await assert.rejects(verifyLog({ verifier: await key(), fetch: injectFetcher(fresh.app) }), (e: unknown) => e instanceof VerifyError && (codes as readonly string[]).includes(e.code));
      await fresh.app.close();
      await restore();
    }
    // Damage at the right edge: the integrator refuses to sign on top of it.
    const restore = await flip(0, 2, 5);
    await appendRange(t.ctx.db, 2000, 2001);
    await assert.rejects(opened(t.ctx).then((l) => l.integrateOnce()), /do not match the signed checkpoint/);
    await restore();
    assert.equal(await (await opened(t.ctx)).integrateOnce(), 1);
  });

  test('`porchlight log verify` over HTTP, as a monitor with --state', async () => {
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const dir = tempDir('porchlight-verify-');
    const state = path.join(dir, 'state');
    const run = async (...args: string[]) => {
      const out: string[] = [];
      const code = await runLogCli(args, (s) => out.push(s), (s) => out.push(s));
      return { code, out: out.join('\n') };
    };
    const vkey = (await t.app.inject({ method: 'GET', url: '/log/key' })).body;
    let r = await run('verify', '--url', `${address}/log`, '--key', vkey.trim(), '--state', state);
    assert.equal(r.code, 0, r.out);
    const first = fs.readFileSync(state, 'utf8');
    await appendRange(t.ctx.db, 3000, 3300);
    await integrate();
    r = await run('verify', '--url', `${address}/log`, '--key', vkey.trim(), '--state', state);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /consistent with the previous checkpoint/);
    assert.notEqual(fs.readFileSync(state, 'utf8'), first);
    // A state from another log (a fork signed with the same key) is refused.
    fs.writeFileSync(state, first.replace(/\n\n[^]*$/, '\n\n'));
    r = await run('verify', '--url', `${address}/log`, '--key', vkey.trim(), '--state', state);
    assert.equal(r.code, 1, r.out);
    r = await run('verify', '--url', `${address}/log`, '--key', 'porchlight.test/log+00000000+AAAA');
    assert.equal(r.code, 1);
    assert.equal((await run('verify', '--url', `${address}/log`)).code, 2);
    // The instance's base URL works as well as the log's prefix (the README's form), with or without a slash.
    for (const url of [address, `${address}/`, `${address}/log/`]) {
      r = await run('verify', '--url', url, '--key', vkey.trim());
      assert.equal(r.code, 0, `${url}: ${r.out}`);
    }
    // Somewhere with no log: the error names each URL tried and what it answered.
    r = await run('verify', '--url', `${address}/api/v1`, '--key', vkey.trim());
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, new RegExp(`GET ${address}/api/v1/checkpoint answered HTTP 404 \\(application/problem\\+json`));
    assert.match(r.out, new RegExp(`GET ${address}/api/v1/log/checkpoint answered HTTP 404`));
    assert.equal((await run('--help')).code, 0);
    fs.rmSync(dir, { recursive: true });
  });

  test('property: after random append sequences every served inclusion and consistency proof verifies', async () => {
    let next = 10_000;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 4 }), async (batches) => {
        const seen = [await latest()];
        for (const b of batches) {
          await appendRange(t.ctx.db, next, next + b, 97);
          next += b;
          await integrate();
          seen.push(await latest());
        }
        const last = seen[seen.length - 1];
        const entries = new Map<number, Uint8Array>();
        for (const c of entryBundlesForSize(last.size)) decodeEntryBundle((await injectFetcher(t.app)(tilePath(c)))!).slice(0, c.width).forEach((e, j) => entries.set(c.index * 256 + j, e));
        for (const cp of seen) {
          for (const index of [0, cp.size - 1, Math.floor(cp.size / 2), Math.floor(Math.random() * cp.size)].filter((i) => i >= 0 && i < cp.size)) {
            const { proof } = (await t.app.inject({ method: 'GET', url: `/api/v1/log/proof/inclusion?index=${index}&size=${cp.size}` })).json() as { proof: string[] };
            verifyInclusion(index, cp.size, leafHash(entries.get(index)!), proof.map(b64), cp.root);
          }
          for (const later of seen) {
            if (cp.size === 0 || later.size <= cp.size) continue;
            const { proof } = (await t.app.inject({ method: 'GET', url: `/api/v1/log/proof/consistency?from=${cp.size}&to=${later.size}` })).json() as { proof: string[] };
            verifyConsistency(cp.size, later.size, cp.root, later.root, proof.map(b64));
          }
        }
      }),
      { numRuns: process.env.DEEP ? 30 : 5 },
    );
  });

  if (engine === 'postgres') {
    test('PostgreSQL: two integrators at once integrate each entry once', async () => {
      await appendRange(t.ctx.db, 4000, 4500, 100);
      const a = await opened(t.ctx);
      const b = await opened(t.ctx);
      await Promise.all([a.integrate(), b.integrate(), a.integrate(), b.integrate()]);
      await integrate();
      const pending = await t.ctx.db.kysely.selectFrom('log_entries').select('seq').where('idx', 'is', null).execute();
      assert.equal(pending.length, 0);
      assert.equal((await verifyLog({ verifier: await key(), fetch: injectFetcher(t.app) })).leaves, (await latest()).size);
    });
  }
});
