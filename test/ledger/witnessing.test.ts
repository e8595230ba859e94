// The log with two real witnesses over HTTP (C2SP tlog-witness): each new
// checkpoint is submitted with a proof from the size the witness last cosigned,
// published with the cosignatures, and checked by `porchlight log verify
// --witness … --min-witnesses N`. A witness that is down costs its cosignature,
// never integration; a forged cosignature fails verification.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { formatCosignerVerifierKey, generateCosigner, openCosignedCheckpoint } from '../../src/ledger/cosignature.ts';
import { runLogCli } from '../../src/ledger/cli.ts';
import { type Signer, parseVerifierKey } from '../../src/ledger/note.ts';
import { VerifyError, verifyLog } from '../../src/ledger/verify.ts';
import { type TestApp, buildTestApp } from '../helpers/app.ts';
import { forEachEngine, tempDir } from '../helpers/db.ts';
import { MemoryLog, type TestWitness, startWitness } from '../witness/helpers.ts';
import { appendRange, injectFetcher } from './helpers.ts';

const ORIGIN = 'porchlight.test/log';
const SEED_HEX = '22'.repeat(32);
const ENV = { LOG_BATCH_SIZE: '100', LOG_ORIGIN: ORIGIN, LOG_SIGNING_KEY: SEED_HEX };

/** A port where nothing listens: a witness that is down. */
async function deadUrl(): Promise<string> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

forEachEngine('the log and its witnesses', (getDb) => {
  // The witnesses know the log by its origin and key, as an operator configures them.
  const logForConfig = new MemoryLog(ORIGIN, Buffer.from(SEED_HEX, 'hex'), 'config');
  const dead = generateCosigner('witness.test/dead');
  let w1: TestWitness;
  let w2: TestWitness;
  let env: Record<string, string>;
  let t: TestApp;
  const apps: TestApp[] = [];
  let appended = 0;

  before(async () => {
    w1 = await startWitness('witness.test/one', [logForConfig]);
    w2 = await startWitness('witness.test/two', [logForConfig]);
    const list = [[w1.url, w1.cosigner], [w2.url, w2.cosigner], [await deadUrl(), dead]] as const;
    env = { ...ENV, LOG_WITNESSES: list.map(([u, c]) => `${u} ${formatCosignerVerifierKey(c)}`).join(',') };
    t = await buildTestApp(getDb(), env);
    apps.push(t);
  });
  after(async () => {
    for (const a of apps) await a.app.close();
    await w1.close();
    await w2.close();
  });

  const keys = () => [w1.cosigner, w2.cosigner, dead];
  const logKey = async (app: TestApp) => parseVerifierKey((await app.app.inject({ method: 'GET', url: '/log/key' })).body);
  const served = async (app: TestApp) => (await app.app.inject({ method: 'GET', url: '/log/checkpoint' })).body;
  async function grow(app: TestApp, n: number): Promise<void> {
    await appendRange(app.ctx.db, appended, appended + n);
    appended += n;
    await app.ctx.workers.runAll('ledger.integrate');
    await app.ctx.workers.runAll('ledger.witness');
  }

  test('each new checkpoint is cosigned by both live witnesses and published with their cosignatures; the dead one is skipped', async () => {
    await grow(t, 5);
    await grow(t, 7);
    const text = await served(t);
    const opened = openCosignedCheckpoint(text, await logKey(t), keys());
    assert.equal(opened.checkpoint.size, 12);
    assert.deepEqual(opened.cosignatures.map((c) => c.name).sort(), ['witness.test/one', 'witness.test/two']);
    // Each witness holds size 12 now: the second submission carried a proof from 5.
    for (const w of [w1, w2]) assert.equal((await w.post(logForConfig.body(0, 0))).text, '12\n');
  });

  test('an owner\'s receipts carry the cosigned checkpoint, so they are checked offline with the witnesses too', async () => {
    const actor = { kind: 'user', userId: 'owner_0', role: 'resident', agencyId: null, totpEnabled: false, sessionId: 'test', via: 'bearer' } as const;
    const { receipts } = await t.services.ledger.receipts(actor);
    assert.ok(receipts.length > 0);
    for (const r of receipts) assert.equal(openCosignedCheckpoint(r.checkpoint, await logKey(t), keys()).cosignatures.length, 2);
    const file = path.join(tempDir('porchlight-receipts-'), 'receipts.json');
    fs.writeFileSync(file, JSON.stringify({ receipts }));
    const key = (await t.app.inject({ method: 'GET', url: '/log/key' })).body.trim();
    const lines: string[] = [];
    const code = await runLogCli(['verify-receipt', file, '--key', key, '--witness', formatCosignerVerifierKey(w1.cosigner), '--witness', formatCosignerVerifierKey(w2.cosigner), '--min-witnesses', '2'], (l) => lines.push(l), (l) => lines.push(l));
    assert.equal(code, 0, lines.join('\n'));
    assert.match(lines.join('\n'), /cosigned by witness\.test\/one, witness\.test\/two/);
  });

  test('`log verify --witness … --min-witnesses N` passes with enough valid cosignatures and fails with too few', async () => {
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const lines: string[] = [];
    const out = (s: string) => lines.push(s);
    const key = (await t.app.inject({ method: 'GET', url: '/log/key' })).body.trim();
    const w = (c: Signer) => ['--witness', formatCosignerVerifierKey(c)];
    assert.equal(await runLogCli(['verify', '--url', address, '--key', key, ...w(w1.cosigner), ...w(w2.cosigner), ...w(dead), '--min-witnesses', '2'], out, out), 0, lines.join('\n'));
    assert.match(lines.join('\n'), /cosigned by 2 of 3 witnesses \(witness\.test\/one, witness\.test\/two\); 2 required/);
    lines.length = 0;
    assert.equal(await runLogCli(['verify', '--url', address, '--key', key, ...w(dead), '--min-witnesses', '1'], out, out), 1);
    assert.match(lines.join('\n'), /0 valid cosignatures \(none\), 1 required \(too_few_cosignatures\)/);
    lines.length = 0;
    assert.equal(await runLogCli(['verify', '--url', address, '--key', key, ...w(w1.cosigner)], out, out), 2, 'no count is assumed');
  });

  test('a checkpoint with a forged cosignature fails verification', async () => {
    const real = await served(t);
    // Keep w1's name and key ID, change the signature bytes.
    const forged = real.replace(/(\u2014 witness\.test\/one \S{16})\S{8}/, '$1AAAAAAAA');
    assert.notEqual(forged, real);
    const base = injectFetcher(t.app);
    const fetch = async (p: string) => (p === 'checkpoint' ? new TextEncoder().encode(forged) : base(p));
    await assert.rejects(verifyLog({ verifier: await logKey(t), fetch, witnesses: { keys: keys(), min: 1 } }), (e: unknown) => e instanceof VerifyError && e.code === 'bad_cosignature');
    // A verifier that does not list that witness ignores the line (signed-note: unknown keys are ignored).
    const r = await verifyLog({ verifier: await logKey(t), fetch, witnesses: { keys: [w2.cosigner], min: 1 } });
    assert.deepEqual(r.cosignedBy, ['witness.test/two']);
  });

  test('a restarted log that does not know the witnesses\' sizes learns them from 409 and resubmits with a proof', async () => {
    const restarted = await buildTestApp(getDb(), env);
    apps.push(restarted);
    await grow(restarted, 300); // across a tile boundary
    const opened = openCosignedCheckpoint(await served(restarted), await logKey(restarted), keys());
    assert.equal(opened.checkpoint.size, 312);
    assert.equal(opened.cosignatures.length, 2);
  });

  test('a witness that is down: integration goes on and the checkpoint is published with the cosignatures it got; it is asked again later', async () => {
    const app = apps[apps.length - 1];
    await w2.close();
    await grow(app, 3);
    const text = await served(app);
    const opened = openCosignedCheckpoint(text, await logKey(app), keys());
    assert.equal(opened.checkpoint.size, 315);
    assert.deepEqual(opened.cosignatures.map((c) => c.name), ['witness.test/one']);
    // Back on the same port and state: after the retry delay, the missing cosignature is fetched.
    const port = Number(new URL(w2.url).port);
    w2 = await startWitness('witness.test/two', [logForConfig], { dir: w2.dir, cosigner: w2.cosigner, port });
    await app.ctx.workers.runAll('ledger.witness');
    assert.equal(openCosignedCheckpoint(await served(app), await logKey(app), keys()).cosignatures.length, 1, 'not before the retry delay');
    app.clock.advance(31_000);
    await app.ctx.workers.runAll('ledger.witness');
    assert.equal(openCosignedCheckpoint(await served(app), await logKey(app), keys()).cosignatures.length, 2);
  });
});
