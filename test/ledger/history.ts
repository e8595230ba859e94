// What the crash and failover tests check about a log's history: every
// checkpoint any server ever served, no two roots for one size, each seen
// checkpoint consistent with the final tree (RFC 9162 §2.1.4), and every
// committed entry in the log exactly once.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { openCheckpoint } from '../../src/ledger/checkpoint.ts';
import { httpFetcher } from '../../src/ledger/cli.ts';
import type { Verifier } from '../../src/ledger/note.ts';
import { toHex } from '../../src/ledger/primitives.ts';
import { decodeEntryBundle, entryBundlesForSize, tilePath } from '../../src/ledger/tiles.ts';
import { verifyLog } from '../../src/ledger/verify.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const exited = (p: ChildProcess) => (p.exitCode !== null || p.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => p.once('exit', () => r())));

/** Every checkpoint note seen, with no two roots for one size (checked as they arrive). */
export function checkpointWatcher(key: Verifier) {
  const seen = new Map<string, { size: number; root: string }>();
  const rootAt = new Map<number, string>();
  return {
    seen,
    largest: () => Math.max(-1, ...[...seen.values()].map((c) => c.size)),
    async observe(url: string): Promise<void> {
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
    },
  };
}

/** An appender process (fixtures/appender.ts) on DB; `committed` holds each entry it saw commit. */
export function startAppender(db: string) {
  const proc = spawn(process.execPath, ['test/ledger/fixtures/appender.ts', db, '0'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  const committed = new Set<number>();
  let partial = '';
  proc.stdout!.on('data', (d) => {
    const lines = (partial + d).split('\n');
    partial = lines.pop()!;
    for (const l of lines) committed.add(Number(l.split(' ')[0]));
  });
  return { committed, stop: async () => (proc.kill('SIGTERM'), await exited(proc)) };
}

/** Waits for the log at `url` to integrate every committed entry, then checks the whole history. */
export async function assertHistory(url: string, key: Verifier, watch: ReturnType<typeof checkpointWatcher>, committed: Set<number>): Promise<number> {
  let size = -1;
  for (let i = 0; i < 400; i++) {
    await watch.observe(url);
    const now = watch.largest();
    if (now === size && now >= committed.size) break;
    size = now;
    await sleep(50);
  }
  const fetcher = httpFetcher(`${url}/log`);
  const final = await verifyLog({ verifier: key, fetch: fetcher });
  for (const note of watch.seen.keys()) {
    const r = await verifyLog({ verifier: key, fetch: fetcher, previous: note });
    assert.equal(r.leaves, final.leaves);
  }
  const refs = new Map<string, number>();
  for (const b of entryBundlesForSize(final.leaves)) {
    for (const e of decodeEntryBundle((await fetcher(tilePath(b)))!).slice(0, b.width)) {
      const ref = (JSON.parse(Buffer.from(e).toString()) as { ref: string }).ref;
      refs.set(ref, (refs.get(ref) ?? 0) + 1);
    }
  }
  for (const i of committed) assert.equal(refs.get(`req_${i}`), 1, `committed entry ${i} is in the log once`);
  assert.ok([...refs.values()].every((n) => n === 1), 'no entry twice');
  assert.ok(watch.seen.size > 1, `saw ${watch.seen.size} checkpoints`);
  return final.leaves;
}
