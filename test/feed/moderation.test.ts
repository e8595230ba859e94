// Moderation and agency alerts on both engines (issue 12 §4, §5): reports with
// reasons, the reviewers' queue, removal leaving a tombstone and an audit row,
// comments and their reply notice, and alerts with the agency's verified profile.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachEngine } from '../helpers/db.ts';
import { as, buildTestApp, createStaff, type TestApp, type TestUser } from '../helpers/app.ts';
import { agencyMember, createAgency } from '../requests/helpers.ts';
import { MILE, feed, offset, post, postBody, residentAt } from './helpers.ts';

forEachEngine('feed moderation and alerts', (getDb) => {
  let t: TestApp;
  let ann: TestUser, bob: TestUser, reviewer: TestUser;
  before(async () => {
    t = await buildTestApp(getDb());
    ann = await residentAt(t);
    bob = await residentAt(t, 300, 0);
    reviewer = await createStaff(t, 'reviewer');
  });
  after(async () => t.app.close());

  test('comments are plain text, oldest first, and the author hears of a reply live', async () => {
    const p = await post(t, ann);
    const html = '<b>bold</b> & <script>x()</script>';
    const c = await as(t, bob, { method: 'POST', url: `/api/v1/feed/posts/${p.id}/comments`, payload: { body: html } });
    assert.equal(c.statusCode, 201, c.body);
    t.clock.advance(1000);
    await as(t, ann, { method: 'POST', url: `/api/v1/feed/posts/${p.id}/comments`, payload: { body: 'Thanks!' } });
    const list = (await as(t, bob, { method: 'GET', url: `/api/v1/feed/posts/${p.id}/comments` })).json();
    assert.deepEqual(list.items.map((i: { body: string }) => i.body), [html, 'Thanks!']);
    assert.equal((await as(t, bob, { method: 'GET', url: `/api/v1/feed/posts/${p.id}` })).json().commentCount, 2);
    for (const body of ['', '   ', 'x'.repeat(1001)]) {
      assert.equal((await as(t, bob, { method: 'POST', url: `/api/v1/feed/posts/${p.id}/comments`, payload: { body } })).statusCode, 400);
    }
    await t.services.outbox.worker.run();
    const inbox = (await as(t, ann, { method: 'GET', url: '/api/v1/me/notifications' })).json() as { kind: string; payload: { postId: string } }[];
    assert.equal(inbox.filter((n) => n.kind === 'feed.reply' && n.payload.postId === p.id).length, 1, 'one reply notice: her own comment makes none');
    const bobs = (await as(t, bob, { method: 'GET', url: '/api/v1/me/notifications' })).json() as { kind: string; payload: { postId: string } }[];
    assert.ok(bobs.some((n) => n.kind === 'feed.post' && n.payload.postId === p.id), 'a new post near bob reached his inbox');
  });

  test('a report with a reason reaches the queue; removal leaves a tombstone and an audit row', async () => {
    const p = await post(t, ann, { title: 'Rant about my neighbour', category: 'community' });
    const bad = await as(t, bob, { method: 'POST', url: `/api/v1/feed/posts/${p.id}/reports`, payload: { reason: 'gossip' } });
    assert.equal(bad.statusCode, 400);
    for (const who of [bob, bob]) {
      const r = await as(t, who, { method: 'POST', url: `/api/v1/feed/posts/${p.id}/reports`, payload: { reason: 'harassment', note: 'names a neighbour' } });
      assert.equal(r.statusCode, 201, r.body);
    }
    assert.equal((await as(t, bob, { method: 'GET', url: '/api/v1/review/feed-reports' })).statusCode, 403);
    const queue = (await as(t, reviewer, { method: 'GET', url: '/api/v1/review/feed-reports' })).json() as { id: string; reports: number; reasons: { reason: string }[] }[];
    const item = queue.find((q) => q.id === p.id)!;
    assert.equal(item.reports, 1, 'reporting twice counts once');
    assert.equal(item.reasons[0].reason, 'harassment');
    const consoleQueues = (await as(t, reviewer, { method: 'GET', url: '/api/v1/review/queues' })).json().queues as { kind: string; items: { id: string }[] }[];
    assert.ok(consoleQueues.find((q) => q.kind === 'feed_report')!.items.some((i) => i.id === p.id));

    const d = await as(t, reviewer, { method: 'POST', url: `/api/v1/review/feed-reports/post/${p.id}/decision`, payload: { decision: 'remove', reason: 'harassment' } });
    assert.equal(d.statusCode, 200, d.body);
    assert.equal(d.json().tombstone, 'removed by a reviewer: harassment');
    const seen = (await as(t, bob, { method: 'GET', url: `/api/v1/feed/posts/${p.id}` })).json();
    assert.deepEqual([seen.title, seen.body, seen.removed.tombstone], ['', '', 'removed by a reviewer: harassment']);
    assert.ok((await feed(t, bob, '?radiusMi=1')).items.some((i) => i.id === p.id && (i.removed as { tombstone: string }).tombstone), 'the tombstone keeps its place');
    const audit = (await as(t, reviewer, { method: 'GET', url: `/api/v1/review/audit?subjectId=${p.id}` })).json().items as { action: string; actorId: string; reason: string }[];
    assert.deepEqual(audit.map((a) => [a.action, a.actorId, a.reason]), [['feed.remove', reviewer.id, 'harassment']]);
    assert.ok(!(await as(t, reviewer, { method: 'GET', url: '/api/v1/review/feed-reports' })).json().some((q: { id: string }) => q.id === p.id));
    assert.equal((await as(t, reviewer, { method: 'POST', url: `/api/v1/review/feed-reports/post/${p.id}/decision`, payload: { decision: 'remove', reason: 'spam' } })).statusCode, 409);
    assert.equal((await as(t, bob, { method: 'POST', url: `/api/v1/feed/posts/${p.id}/comments`, payload: { body: 'late' } })).statusCode, 409);
  });

  test('a reported comment is removed on its own; keeping an item resolves its reports', async () => {
    const p = await post(t, ann);
    const c = (await as(t, bob, { method: 'POST', url: `/api/v1/feed/posts/${p.id}/comments`, payload: { body: 'spam spam' } })).json();
    assert.equal((await as(t, ann, { method: 'POST', url: `/api/v1/feed/posts/${p.id}/reports`, payload: { commentId: c.id, reason: 'spam' } })).statusCode, 201);
    assert.equal((await as(t, ann, { method: 'POST', url: `/api/v1/feed/posts/${p.id}/reports`, payload: { commentId: 'nope', reason: 'spam' } })).statusCode, 404);
    const d = await as(t, reviewer, { method: 'POST', url: `/api/v1/review/feed-reports/comment/${c.id}/decision`, payload: { decision: 'remove', reason: 'spam' } });
    assert.equal(d.statusCode, 200, d.body);
    const list = (await as(t, ann, { method: 'GET', url: `/api/v1/feed/posts/${p.id}/comments` })).json().items as { id: string; body: string; removed: { tombstone: string } | null }[];
    assert.deepEqual(list.map((x) => [x.id, x.body, x.removed?.tombstone]), [[c.id, '', 'removed by a reviewer: spam']]);
    assert.equal((await as(t, bob, { method: 'POST', url: `/api/v1/feed/posts/${p.id}/reports`, payload: { reason: 'other' } })).statusCode, 201);
    const keep = await as(t, reviewer, { method: 'POST', url: `/api/v1/review/feed-reports/post/${p.id}/decision`, payload: { decision: 'keep', reason: 'other' } });
    assert.equal(keep.json().removed, false);
    assert.equal((await as(t, bob, { method: 'GET', url: `/api/v1/feed/posts/${p.id}` })).json().removed, null);
    assert.equal((await as(t, reviewer, { method: 'POST', url: '/api/v1/review/feed-reports/post/none/decision', payload: { decision: 'keep', reason: 'other' } })).statusCode, 404);
  });

  test("an agency alert is marked and shows the agency's verified profile; outside its jurisdiction is a 400", async () => {
    const agency = await createAgency(t, reviewer);
    const officer = await agencyMember(t, agency.id);
    const body = postBody({ title: 'Road closed on Alder St', body: 'Gas leak; avoid the area until 6 pm.', category: 'safety', location: offset(100, 100) });
    const res = await as(t, officer, { method: 'POST', url: `/api/v1/agencies/${agency.id}/alerts`, payload: body });
    assert.equal(res.statusCode, 201, res.body);
    const seen = (await feed(t, bob, '?radiusMi=1')).items.find((i) => i.id === res.json().id)!;
    assert.equal(seen.kind, 'agency_alert');
    assert.deepEqual(seen.agency, { id: agency.id, name: agency.name, type: 'law_enforcement', verified: true });
    const outside = await as(t, officer, { method: 'POST', url: `/api/v1/agencies/${agency.id}/alerts`, payload: { ...body, location: offset(50 * MILE, 0) } });
    assert.equal(outside.statusCode, 400);
    assert.match(outside.json().detail, /jurisdiction/);
    assert.equal((await as(t, officer, { method: 'POST', url: '/api/v1/agencies/other/alerts', payload: body })).statusCode, 404);
  });
});
