// Issue 16 §3: one log writer across nodes. Three real `porchlight serve`
// processes share one PostgreSQL database; each tick, the node that takes the
// integrator's advisory lock integrates and signs (src/ledger/repository.ts).
// While an appender commits entries, the test waits until a node holds that lock
// (it is integrating), SIGKILLs exactly that node, checks the process died,
// and restarts it. Afterwards: no two checkpoints for one size differ, every
// checkpoint any node served is consistent with the final tree, and every
// committed entry is in the log once (history.ts). Each round also records how
// long the log took to publish a larger checkpoint after the kill; the figure is
// reported, not asserted (no timing assertions in tests).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { parseVerifierKey } from '../../src/ledger/note.ts';
import { freshTarget, tempDir } from '../helpers/db.ts';
import { nodeKeys, PG_UP } from '../helpers/nodes.ts';
import { killServer, startServer, type Server } from '../helpers/server.ts';
import { assertHistory, checkpointWatcher, sleep, startAppender } from './history.ts';

const ROUNDS = process.env.DEEP ? 20 : 5;
const NODES = 3;
// The integrator's lock key 0x706c6c6f67 as pg_locks shows a bigint advisory key: high and low 32 bits.
const LOCK = { classid: 0x70, objid: 0x6c6c6f67 };

test('killing the integrating node in a loop: another node takes over, and the log never forks or loses an entry', { timeout: 300_000, skip: !PG_UP && process.env.CI !== 'true' && 'PostgreSQL is not reachable' }, async (t) => {
  const fresh = await freshTarget('postgres');
  assert.equal(fresh.target.kind, 'postgres');
  const url = fresh.target.url;
  const shared = { ...nodeKeys(), LOG_ORIGIN: 'failover.test/log', LOG_BATCH_MS: '50', LOG_BATCH_SIZE: '16' };
  const dirs = Array.from({ length: NODES }, (_, i) => tempDir(`porchlight-failover-${i}-`));
  // Each node names its connections, so the lock's holder maps to a node.
  const start = (i: number) => startServer({ ...shared, DATA_DIR: dirs[i]!, DATABASE_URL: `${url}?application_name=node-${i}` });
  const nodes: Server[] = [];
  for (let i = 0; i < NODES; i++) nodes.push(await start(i)); // one after another: the first migrates
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const key = parseVerifierKey(await (await fetch(`${nodes[0]!.base}/log/key`)).text());
    const watch = checkpointWatcher(key);
    const observeAll = () => Promise.all(nodes.map((n) => watch.observe(n.base)));
    const appender = startAppender(url);
    const takeovers: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await sleep(300 + Math.floor(Math.random() * 400));
      // The node integrating right now: the holder of the transaction-scoped lock.
      let holder: number | undefined;
      for (let i = 0; holder === undefined; i++) {
        assert.ok(i < 20_000, 'no node took the integrator lock');
        const r = await admin.query<{ name: string }>(
          `select a.application_name as name from pg_locks l join pg_stat_activity a on a.pid = l.pid
           where l.locktype = 'advisory' and l.granted and l.classid = $1 and l.objid = $2`, [LOCK.classid, LOCK.objid]);
        const m = /^node-(\d)$/.exec(r.rows[0]?.name ?? '');
        if (m) holder = Number(m[1]);
      }
      await observeAll();
      const before = watch.largest();
      const killedAt = performance.now();
      await killServer(nodes[holder]!);
      // The others carry on: a larger checkpoint, while the appender keeps committing.
      for (let i = 0; watch.largest() <= before; i++) {
        assert.ok(i < 6000, `no node published past size ${before} after node-${holder} was killed`);
        await Promise.all(nodes.filter((_, j) => j !== holder).map((n) => watch.observe(n.base)));
        await sleep(10);
      }
      takeovers.push(performance.now() - killedAt);
      nodes[holder] = await start(holder);
    }
    await appender.stop();
    assert.ok(appender.committed.size > 50, `the appender committed ${appender.committed.size} entries`);
    await observeAll();
    const leaves = await assertHistory(nodes[0]!.base, key, watch, appender.committed);
    t.diagnostic(`${ROUNDS} integrating nodes killed; next larger checkpoint after ${takeovers.map((ms) => `${Math.round(ms)} ms`).join(', ')}; ${appender.committed.size} committed entries, ${watch.seen.size} checkpoints, final size ${leaves}`);
  } finally {
    await admin.end();
    for (const n of nodes) await killServer(n);
    await fresh.drop();
  }
});
