// The witness over real HTTP (C2SP tlog-witness §add-checkpoint): what it
// cosigns, what it refuses with which status, and that a refusal changes no
// state, in memory or on disk, across a restart.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { openCosignedCheckpoint, withCosignatures } from '../../src/ledger/cosignature.ts';
import { signNote, signerFromSeed } from '../../src/ledger/note.ts';
import { signCheckpoint } from '../../src/ledger/checkpoint.ts';
import { EMPTY_ROOT } from '../../src/ledger/merkle.ts';
import { formatAddCheckpoint } from '../../src/ledger/witness-protocol.ts';
import { originHash } from '../../src/witness/store.ts';
import { MemoryLog, type TestWitness, startWitness, stateSnapshot } from './helpers.ts';

const SEED = new Uint8Array(32).fill(7);
const ORIGIN = 'porchlight.test/log';
const log = new MemoryLog(ORIGIN, SEED, 'main').grow(10);
const running: TestWitness[] = [];
const start = async (...args: Parameters<typeof startWitness>) => {
  const w = await startWitness(...args);
  running.push(w);
  return w;
};
after(async () => Promise.all(running.map((w) => w.close())));

/** Cosigns log at size 10 and returns the witness and its state directory's files then. */
async function witnessAt10(): Promise<{ w: TestWitness; before: Record<string, string> }> {
  const w = await start('witness.test/w', [log]);
  const res = await w.post(log.body(0, 10));
  assert.equal(res.status, 200, res.text);
  return { w, before: stateSnapshot(w.dir) };
}

test('a first checkpoint (old 0) is cosigned with a cosignature/v1 line that verifies, and is persisted', async () => {
  const w = await start('witness.test/a', [log]);
  const res = await w.post(log.body(0, 4));
  assert.equal(res.status, 200, res.text);
  assert.match(res.text, /^\u2014 witness\.test\/a [A-Za-z0-9+/]+=*\n$/);
  const cosigned = openCosignedCheckpoint(withCosignatures(log.checkpoint(4), [res.text]), log.signer, [w.cosigner]);
  assert.equal(cosigned.cosignatures.length, 1);
  assert.ok(Math.abs(cosigned.cosignatures[0].timestamp - Date.now() / 1000) < 60);
  // Persisted before the answer, and served to monitors (§Monitor Retrieval Mechanism).
  const mon = await fetch(`${w.url}/${originHash(ORIGIN)}/checkpoint`);
  assert.equal(mon.status, 200);
  const served = await mon.text();
  assert.equal(openCosignedCheckpoint(served, log.signer, [w.cosigner]).checkpoint.size, 4);
  assert.equal((await fetch(`${w.url}/${'0'.repeat(64)}/checkpoint`)).status, 404);
  // Then from 4 to 10 with the consistency proof; and 10 again (old = size) is cosigned anew.
  assert.equal((await w.post(log.body(4, 10))).status, 200);
  assert.equal((await w.post(log.body(10, 10))).status, 200);
});

test('a log that does not know the witness\'s size gets 409 with it, as text/x.tlog.size, and then succeeds', async () => {
  const { w, before } = await witnessAt10();
  const grown = new MemoryLog(ORIGIN, SEED, 'main').grow(12);
  const res = await w.post(grown.body(0, 12));
  assert.equal(res.status, 409);
  assert.equal(res.type, 'text/x.tlog.size');
  assert.equal(res.text, '10\n');
  assert.deepEqual(stateSnapshot(w.dir), before);
  assert.equal((await w.post(grown.body(10, 12))).status, 200);
});

test('a rollback and a replayed old checkpoint are refused and change nothing, even after a restart', async () => {
  const { w, before } = await witnessAt10();
  // Replaying the size-4 checkpoint claiming the witness is at 10: old > size.
  const replay = await w.post(formatAddCheckpoint({ oldSize: 10, proof: [], checkpoint: log.checkpoint(4) }));
  assert.equal(replay.status, 400);
  assert.match(replay.text, /old size 10 is larger/);
  // Replaying it as it was first sent (old 0): the witness is past that.
  const again = await w.post(log.body(0, 4));
  assert.equal(again.status, 409);
  assert.equal(again.text, '10\n');
  assert.deepEqual(stateSnapshot(w.dir), before);
  // A restarted witness on the same state directory still holds size 10.
  await w.close();
  const w2 = await start('witness.test/w', [log], { dir: w.dir, cosigner: w.cosigner });
  assert.equal((await w2.post(log.body(0, 4))).text, '10\n');
  assert.equal((await w2.post(log.body(10, 10))).status, 200);
});

test('a forked log (same key, different history) is refused with 422, at a larger size and at the same size', async () => {
  const { w, before } = await witnessAt10();
  const fork = new MemoryLog(ORIGIN, SEED, 'fork').grow(14);
  // The fork claims to extend size 10, but its proof cannot lead to the root the witness holds.
  const bigger = await w.post(fork.body(10, 14));
  assert.equal(bigger.status, 422);
  assert.match(bigger.text, /consistency proof/);
  const same = await w.post(fork.body(10, 10));
  assert.equal(same.status, 422);
  assert.match(same.text, /a fork/);
  // Even with the real log's proof hashes, the fork's root does not follow.
  const grown = new MemoryLog(ORIGIN, SEED, 'main').grow(14);
  const spliced = await w.post(formatAddCheckpoint({ oldSize: 10, proof: grown.proof(10, 14), checkpoint: fork.checkpoint(14) }));
  assert.equal(spliced.status, 422);
  assert.deepEqual(stateSnapshot(w.dir), before);
});

test('bad input gets a clear status and changes no state', async () => {
  const { w, before } = await witnessAt10();
  const grown = new MemoryLog(ORIGIN, SEED, 'main').grow(12);
  const cases: [string, string | Uint8Array, number, RegExp][] = [
    ['no empty line', 'old 10\n', 400, /no empty line/],
    ['old size with a leading zero', `old 010\n\n${grown.checkpoint()}`, 400, /leading zeroes/],
    ['a proof line that is not a hash', `old 10\nnot-base64\n\n${grown.checkpoint()}`, 400, /proof line 1/],
    ['a malformed checkpoint (no signature)', `old 10\n\n${ORIGIN}\n12\n`, 400, /malformed checkpoint/],
    ['a malformed checkpoint (size not a number)', `old 10\n\n${signNote(`${ORIGIN}\ntwelve\n${Buffer.from(EMPTY_ROOT).toString('base64')}\n`, log.signer)}`, 400, /malformed checkpoint/],
    ['a wrong origin', formatAddCheckpoint({ oldSize: 0, proof: [], checkpoint: new MemoryLog('other.test/log', SEED, 'main').grow(3).checkpoint() }), 404, /unknown log origin/],
    ['a checkpoint signed by another key under the log\'s name', formatAddCheckpoint({ oldSize: 10, proof: grown.proof(10), checkpoint: new MemoryLog(ORIGIN, new Uint8Array(32).fill(9), 'main').grow(12).checkpoint() }), 403, /not signed by a key this witness trusts/],
    ['a bad proof', formatAddCheckpoint({ oldSize: 10, proof: grown.proof(10).map((h, i) => (i === 0 ? h.map((b) => b ^ 1) : h)), checkpoint: grown.checkpoint() }), 422, /does not verify/],
    ['a proof from size 0', formatAddCheckpoint({ oldSize: 0, proof: grown.proof(4), checkpoint: grown.checkpoint() }), 409, /^10\n$/],
    ['not UTF-8', new Uint8Array([0x6f, 0x6c, 0x64, 0x20, 0xff, 0x0a]), 400, /not UTF-8/],
    ['a body over 1 MiB', `old 10\n\n${grown.checkpoint()}${'x'.repeat(1024 * 1024)}`, 413, /over 1048576 bytes/],
  ];
  for (const [what, body, status, message] of cases) {
    const res = await w.post(body);
    assert.equal(res.status, status, `${what}: ${res.status} ${res.text}`);
    assert.match(res.text, message, what);
  }
  // A forged log signature (right key name and ID, wrong bytes) is 403, not "unknown".
  const cp = grown.checkpoint();
  const forged = cp.replace(/ (\S{8})\S{20}/, ' $1AAAAAAAAAAAAAAAAAAAA');
  assert.equal((await w.post(formatAddCheckpoint({ oldSize: 10, proof: grown.proof(10), checkpoint: forged }))).status, 403);
  assert.equal((await fetch(`${w.url}/add-checkpoint`)).status, 405);
  assert.deepEqual(stateSnapshot(w.dir), before);
  assert.equal((await w.post(grown.body(10, 12))).status, 200, 'the witness still accepts the real next checkpoint');
});

test('a size-0 checkpoint must have the empty tree\'s root (422)', async () => {
  const w = await start('witness.test/e', [log]);
  const signer = signerFromSeed(ORIGIN, SEED);
  const bad = signCheckpoint({ origin: ORIGIN, size: 0, root: new Uint8Array(32).fill(1), extensions: [] }, signer);
  assert.equal((await w.post(formatAddCheckpoint({ oldSize: 0, proof: [], checkpoint: bad }))).status, 422);
  assert.equal(fs.readdirSync(path.join(w.dir, 'logs')).length, 0);
  assert.equal((await w.post(log.body(0, 0))).status, 200);
});

test('property: a mangled request never gets a 5xx, and a refused one changes no state', async () => {
  const { w } = await witnessAt10();
  const grown = new MemoryLog(ORIGIN, SEED, 'main').grow(12);
  const good = grown.body(10, 12);
  await fc.assert(fc.asyncProperty(
    fc.oneof(
      fc.record({ at: fc.nat(good.length - 1), char: fc.constantFrom('\n', ' ', 'A', '0', '=', '+', '\u2014', '\u0000') }).map(({ at, char }) => good.slice(0, at) + char + good.slice(at + 1)),
      fc.nat(good.length - 1).map((n) => good.slice(0, n)),
      fc.nat(good.length - 1).map((n) => good.slice(0, n) + good.slice(n + 1)),
    ),
    async (body) => {
      const before = stateSnapshot(w.dir);
      const res = await w.post(body);
      assert.ok([200, 400, 403, 404, 409, 422].includes(res.status), `${res.status} ${res.text}`);
      if (res.status !== 200) assert.deepEqual(stateSnapshot(w.dir), before);
    },
  ), { numRuns: process.env.DEEP ? 2000 : 150 });
});

test('a chunked body (no Content-Length) over 1 MiB is cut off with 413, and changes no state', async () => {
  const { w, before } = await witnessAt10();
  const status = await new Promise<number>((resolve, reject) => {
    const req = http.request(`${w.url}/add-checkpoint`, { method: 'POST' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    const chunk = 'x'.repeat(64 * 1024);
    let sent = 0;
    const pump = () => {
      while (sent < 40 && req.write(chunk)) sent++;
      if (sent < 40) req.once('drain', pump);
      else req.end();
    };
    pump();
  });
  assert.equal(status, 413);
  assert.deepEqual(stateSnapshot(w.dir), before);
});
