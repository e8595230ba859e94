// Live events across two nodes on one PostgreSQL database: a notification
// delivered by node A's outbox worker reaches an SSE stream open on node B
// (LISTEN/NOTIFY), its SSE id is the outbox id, and Last-Event-ID resumes on
// either node.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { enqueue } from '../../src/platform/outbox/outbox.ts';
import { OUTBOX_WORKER } from '../../src/platform/outbox/service.ts';
import { createResident, type TestApp, type TestUser } from '../helpers/app.ts';
import { pgCluster, PG_UP, type Cluster } from '../helpers/nodes.ts';

/** An open SSE stream and a reader that waits for text. */
async function stream(t: TestApp, user: TestUser, lastEventId?: string) {
  const port = (t.app.server.address() as AddressInfo).port;
  const ctrl = new AbortController();
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/me/events`, { headers: { ...user.auth, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) }, signal: ctrl.signal });
  assert.equal(res.status, 200);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const s = {
    text: '',
    async until(needle: string) {
      while (!s.text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${JSON.stringify(needle)}`);
        s.text += decoder.decode(value, { stream: true });
      }
    },
    close: () => ctrl.abort(),
  };
  await s.until('retry:');
  return s;
}

describe('live events across two nodes [postgres]', { skip: PG_UP ? false : 'no PostgreSQL' }, () => {
  let c: Cluster;
  before(async () => {
    c = await pgCluster(2);
    for (const t of c.nodes) await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => c?.close());

  const send = (t: TestApp, user: TestUser, kind: string) =>
    t.ctx.db.kysely.transaction().execute((tx) => enqueue(tx, { channel: 'inapp', userId: user.id, kind, payload: { kind } }, t.clock.now()));

  test('an event enqueued and delivered on A reaches a stream on B, with the outbox id as its id; replay resumes on A', async () => {
    const [a, b] = c.nodes as [TestApp, TestApp];
    const ann = await createResident(a);
    const bob = await createResident(a);
    const onB = await stream(b, ann);
    const id = await send(a, ann, 'test.cross-node');
    await send(a, bob, 'test.not-for-ann');
    await a.ctx.workers.runAll(OUTBOX_WORKER);
    await onB.until(`id: ${id}\n`);
    await onB.until('\n\n');
    const frame = onB.text.slice(onB.text.indexOf(`id: ${id}`));
    assert.equal(JSON.parse(/data: (.*)\n/.exec(frame)![1]!).kind, 'test.cross-node');
    assert.ok(!onB.text.includes('test.not-for-ann'));
    onB.close();

    // Missed while disconnected, delivered by B; the client resumes on A.
    a.clock.advance(1);
    b.clock.advance(1);
    const missed = await send(b, ann, 'test.missed');
    await b.ctx.workers.runAll(OUTBOX_WORKER);
    const onA = await stream(a, ann, id);
    await onA.until(`id: ${missed}\n`);
    assert.ok(!onA.text.includes(`id: ${id}\n`), 'what was seen is not replayed');
    // And it is live on A too, for an event delivered by B.
    const live = await send(b, ann, 'test.live-on-a');
    await b.ctx.workers.runAll(OUTBOX_WORKER);
    await onA.until(`id: ${live}\n`);
    assert.equal(onA.text.split(`id: ${missed}\n`).length, 2, 'each event once');
    onA.close();
  });

  test('when a node loses its LISTEN connection, its streams end so that clients resume with Last-Event-ID', async () => {
    const [a, b] = c.nodes as [TestApp, TestApp];
    const ann = await createResident(a);
    const onB = await stream(b, ann);
    // Kill B's LISTEN session from the server side (A's pool runs the query).
    const pid = await b.ctx.db.kysely.selectNoFrom(sql<number>`pg_backend_pid()`.as('p')).executeTakeFirstOrThrow();
    await sql`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'porchlight-events' and datname = current_database() and pid <> ${pid.p}`.execute(a.ctx.db.kysely);
    await assert.rejects(onB.until('never'), /stream ended/);
    // A new stream on B listens again and is live.
    const again = await stream(b, ann);
    const id = await send(a, ann, 'test.after-gap');
    await a.ctx.workers.runAll(OUTBOX_WORKER);
    await again.until(`id: ${id}\n`);
    again.close();
  });
});
