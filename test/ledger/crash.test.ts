// Crash safety: SIGKILL the real server again and again while entries are being
// appended and integrated, then check that every checkpoint it ever served is
// consistent with every later one (and no two differ at one size), and that no
// committed entry is lost or duplicated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { openCheckpoint } from '../../src/ledger/checkpoint.ts';
import { parseVerifierKey } from '../../src/ledger/note.ts';
import { toHex } from '../../src/ledger/primitives.ts';
import { decodeEntryBundle, entryBundlesForSize, tilePath } from '../../src/ledger/tiles.ts';
import { verifyLog } from '../../src/ledger/verify.ts';
import { httpFetcher } from '../../src/ledger/cli.ts';
import { tempDir } from '../helpers/db.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const ROUNDS = process.env.DEEP ? 20 : 6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Server { proc: ChildProcess; url: string }

async function startServer(dataDir: string): Promise<Server> {
  const proc = spawn(process.execPath, ['src/main.ts', 'serve', '--init'], {
    cwd: repoRoot,
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', DEMO: 'false', LOG_LEVEL: 'silent', LOG_BATCH_MS: '20', LOG_BATCH_SIZE: '16', LOG_ORIGIN: 'crash.test/log', DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    proc.once('exit', (code) => reject(new Error(`server exited (${code}) before listening: ${out}`)));
  });
  return { proc, url };
}

const exited = (p: ChildProcess) => (p.exitCode !== null || p.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => p.once('exit', () => r())));

test('SIGKILL during integration never yields inconsistent checkpoints or loses an entry', { timeout: 240_000 }, async (t) => {
  const dataDir = tempDir('porchlight-crash-');
  let server = await startServer(dataDir);
  const key = parseVerifierKey(await (await fetch(`${server.url}/log/key`)).text());
  const appender = spawn(process.execPath, ['test/ledger/fixtures/appender.ts', path.join(dataDir, 'porchlight.db'), '0'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  const committed = new Set<number>();
  let partial = '';
  appender.stdout!.on('data', (d) => {
    const lines = (partial + d).split('\n');
    partial = lines.pop()!;
    for (const l of lines) committed.add(Number(l.split(' ')[0]));
  });

  // Every checkpoint note seen, and the root each size was ever served with.
  const seen = new Map<string, { size: number; root: string }>();
  const rootAt = new Map<number, string>();
  const observe = async (url: string) => {
    let res: Response;
    try {
      res = await fetch(`${url}/log/checkpoint`);
    } catch {
      return; // a refused or cut connection is the crash itself
    }
    const note = await res.text().catch(() => null);
    if (note === null || seen.has(note)) return;
    assert.equal(res.status, 200, note);
    const { checkpoint } = openCheckpoint(note, key);
    const root = toHex(checkpoint.root);
    assert.equal(rootAt.get(checkpoint.size) ?? root, root, `two roots served for size ${checkpoint.size}`);
    rootAt.set(checkpoint.size, root);
    seen.set(note, { size: checkpoint.size, root });
  };

  for (let round = 0; round < ROUNDS; round++) {
    const until = Date.now() + 150 + Math.floor(Math.random() * 500);
    while (Date.now() < until) {
      await observe(server.url);
      await sleep(5);
    }
    server.proc.kill('SIGKILL');
    await exited(server.proc);
    server = await startServer(dataDir);
  }
  appender.kill('SIGTERM');
  await exited(appender);
  assert.ok(committed.size > 50, `the appender committed ${committed.size} entries`);

  // Let the last server integrate everything, then check the whole history.
  let size = -1;
  for (let i = 0; i < 400; i++) {
    await observe(server.url);
    const cp = [...seen.values()].reduce((a, b) => (b.size > a.size ? b : a));
    if (cp.size === size && cp.size >= committed.size) break;
    size = cp.size;
    await sleep(50);
  }
  const fetcher = httpFetcher(`${server.url}/log`);
  const final = await verifyLog({ verifier: key, fetch: fetcher });
  for (const note of seen.keys()) {
    const r = await verifyLog({ verifier: key, fetch: fetcher, previous: note });
    assert.equal(r.leaves, final.leaves);
  }
  // Every committed entry is in the log exactly once.
  const refs = new Map<string, number>();
  for (const b of entryBundlesForSize(final.leaves)) {
    for (const e of decodeEntryBundle((await fetcher(tilePath(b)))!).slice(0, b.width)) {
      const ref = (JSON.parse(Buffer.from(e).toString()) as { ref: string }).ref;
      refs.set(ref, (refs.get(ref) ?? 0) + 1);
    }
  }
  for (const i of committed) assert.equal(refs.get(`req_${i}`), 1, `committed entry ${i} is in the log once`);
  assert.ok([...refs.values()].every((n) => n === 1), 'no entry twice');
  assert.ok(seen.size > 1, `saw ${seen.size} checkpoints`);
  t.diagnostic(`${ROUNDS} kills, ${committed.size} committed entries, ${seen.size} checkpoints served, final size ${final.leaves}`);

  server.proc.kill('SIGTERM');
  await exited(server.proc);
  fs.rmSync(dataDir, { recursive: true, force: true });
});
