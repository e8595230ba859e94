// Background jobs on two nodes over one PostgreSQL database: each job is done
// by exactly one of them. The outbox claims rows FOR UPDATE SKIP LOCKED under a
// lease; reminders are claimed in the transaction that records them; retention,
// owners' notices and follow-up flags are conditional updates (a second node's
// update matches nothing). SQLite is one node (its DATA_DIR lock), so this is
// PostgreSQL only.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { enqueueMany } from '../../src/platform/outbox/outbox.ts';
import { as, createStaff, type TestUser } from '../helpers/app.ts';
import { pgCluster, PG_UP, type Cluster } from '../helpers/nodes.ts';
import { agencyMember, createAgency, offset, ownerAt, requestBody } from '../requests/helpers.ts';
import { createResident } from '../helpers/app.ts';

describe('workers claimed once across two nodes [postgres]', { skip: PG_UP ? false : 'no PostgreSQL' }, () => {
  let c: Cluster;
  before(async () => {
    c = await pgCluster(2);
  });
  after(async () => c?.close());

  test('outbox: 600 messages, both nodes delivering at once, each delivered exactly once', async () => {
    const [a, b] = c.nodes;
    const users: TestUser[] = [await createResident(a!), await createResident(a!)];
    const db = a!.ctx.db.kysely;
    await db.transaction().execute((tx) =>
      enqueueMany(tx, Array.from({ length: 600 }, (_, i) => ({ channel: 'inapp' as const, userId: users[i % 2]!.id, kind: 'test.claim', payload: { i } })), a!.clock.now()),
    );
    const runs = await Promise.all([a!, b!, a!, b!].map((t) => t.services.outbox.worker.run()));
    const delivered = runs.reduce((n, r) => n + r.delivered, 0);
    assert.equal(delivered, 600, `delivered by runs: ${runs.map((r) => r.delivered).join(', ')}`);
    const rows = await db.selectFrom('outbox_messages').select(['attempts', 'delivered_at']).where('kind', '=', 'test.claim').execute();
    assert.equal(rows.length, 600);
    assert.ok(rows.every((r) => r.delivered_at !== null && r.attempts === 1), 'one attempt each: no message was delivered twice');
    assert.ok(runs[0]!.delivered + runs[2]!.delivered > 0 && runs[1]!.delivered + runs[3]!.delivered > 0, 'both nodes took a share');
  });

  test('reminders: both nodes run the 24 h reminder at once; each owner is reminded once per channel', async () => {
    const [a, b] = c.nodes;
    const reviewer = await createStaff(a!, 'reviewer');
    const agency = await createAgency(a!, reviewer);
    const officer = await agencyMember(a!, agency.id);
    const owners = [];
    for (let i = 0; i < 6; i++) owners.push(await ownerAt(a!, offset(10 * i, -10 * i)));
    const res = await as(a!, officer, { method: 'POST', url: `/api/v1/agencies/${agency.id}/requests`, payload: requestBody(a!) });
    assert.equal(res.statusCode, 201, res.body);
    const decided = await as(a!, reviewer, { method: 'POST', url: `/api/v1/review/requests/${res.json().id}/decision`, payload: { decision: 'approve', note: 'In area.' } });
    assert.equal(decided.statusCode, 200, decided.body);
    for (const t of [a!, b!]) t.clock.advance(25 * 3_600_000);
    const sent = await Promise.all([a!.services.requests.sendReminders(), b!.services.requests.sendReminders()]);
    assert.equal(sent[0]! + sent[1]!, owners.length, `sent: ${sent.join(' + ')}`);
    const msgs = await a!.ctx.db.kysely.selectFrom('outbox_messages').select(['user_id', 'channel']).where('kind', '=', 'request.reminder').execute();
    const per = Map.groupBy(msgs, (m) => `${m.user_id}/${m.channel}`);
    assert.ok(per.size >= owners.length, 'every owner has a reminder');
    for (const [k, v] of per) assert.equal(v.length, 1, k);
    assert.deepEqual(await Promise.all([a!.services.requests.sendReminders(), b!.services.requests.sendReminders()]), [0, 0]);
  });
});
