// The order of events an owner's notice tells of (issue 19): received, reviewed
// (by how many), released, told, and a delay's kind and end. A warrant's notice
// and release share a time because owners are told in the releasing
// transaction; the timeline says so by its order. Nothing of the sealed case
// (its number, its court, its document) is in the timeline. Both engines.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachEngine } from '../helpers/db.ts';
import { as, buildTestApp, type TestApp } from '../helpers/app.ts';
import { DAY, HOUR, range, scene, submitDemand, type Scene } from './helpers.ts';

interface Timeline {
  receivedAt: string; reviewedAt: string | null; reviewers: number; releasedAt: string | null; notifiedAt: string;
  delay: { kind: string; until: string } | null;
}

forEachEngine('notice timeline', (getDb) => {
  let t: TestApp;
  let s: Scene;
  before(async () => {
    t = await buildTestApp(getDb());
    s = await scene(t);
  });
  after(async () => t.app.close());

  async function warrant(caseNumber: string, extra: Record<string, string> = {}): Promise<string> {
    const n = s.clips.n1;
    const scope = { cameraIds: [s.cams.n], ranges: [range(n.startedAt - HOUR, n.endedAt + HOUR)] };
    const res = await submitDemand(t, s.officer, s.agencyId, { type: 'search_warrant', issuingAuthority: 'Sealed Circuit Court', caseNumber, scope: JSON.stringify(scope), ...extra });
    assert.equal(res.statusCode, 201, res.body);
    return res.json().id;
  }
  /** The neighbour's in-app notice about the demand, as the web app reads it. */
  async function notice(demandId: string): Promise<{ payload: { timeline: Timeline } } | undefined> {
    await t.ctx.workers.runAll('outbox');
    const res = await as(t, s.neighbour, { method: 'GET', url: '/api/v1/me/notifications?limit=100' });
    assert.equal(res.statusCode, 200, res.body);
    return (res.json() as { kind: string; payload: { demandId?: string; timeline: Timeline } }[]).find((n) => n.kind === 'notice.legal_demand' && n.payload.demandId === demandId);
  }
  const inOrder = (times: (string | null)[]) => {
    const ms = times.map((x) => Date.parse(x!));
    assert.ok(ms.every((m) => Number.isFinite(m)), `every time present: ${times.join(', ')}`);
    assert.deepEqual([...ms].sort((a, b) => a - b), ms, `in order: ${times.join(', ')}`);
  };

  test('a warrant without a nondisclosure order: told in the moment of release, no delay', async () => {
    const id = await warrant('C-open-1');
    t.clock.advance(2 * HOUR);
    const res = await as(t, s.reviewer1, { method: 'POST', url: `/api/v1/review/legal-demands/${id}/decision`, payload: { decision: 'approve', reason: 'Probable cause.' } });
    assert.equal(res.statusCode, 200, res.body);
    const tl = (await notice(id))!.payload.timeline;
    inOrder([tl.receivedAt, tl.reviewedAt, tl.releasedAt, tl.notifiedAt]);
    assert.ok(Date.parse(tl.reviewedAt!) - Date.parse(tl.receivedAt) === 2 * HOUR, 'received before it was reviewed');
    assert.equal(tl.releasedAt, tl.notifiedAt, 'told in the releasing transaction');
    assert.equal(tl.reviewers, 1);
    assert.equal(tl.delay, null);
  });

  test('a sealed warrant: notice delayed to the order\'s end, saying so, and nothing of the case in the timeline', async () => {
    const ndo = t.clock.now() + 10 * DAY;
    const id = await warrant('C-sealed-7731', { nondisclosureUntil: new Date(ndo).toISOString() });
    assert.equal((await as(t, s.reviewer1, { method: 'POST', url: `/api/v1/review/legal-demands/${id}/decision`, payload: { decision: 'approve', reason: 'Sealed warrant.' } })).statusCode, 200);
    assert.equal(await notice(id), undefined, 'not told while the order runs');
    t.clock.set(ndo);
    await t.ctx.workers.runAll('owner-notices');
    const tl = (await notice(id))!.payload.timeline;
    inOrder([tl.receivedAt, tl.reviewedAt, tl.releasedAt, tl.delay?.until ?? null, tl.notifiedAt]);
    assert.deepEqual(tl.delay, { kind: 'nondisclosure_order', until: new Date(ndo).toISOString() });
    assert.ok(Date.parse(tl.notifiedAt) > Date.parse(tl.releasedAt!), 'told after the release');
    const row = await getDb().kysely.selectFrom('legal_demands').select(['document_sha256', 'case_number', 'issuing_authority']).where('id', '=', id).executeTakeFirstOrThrow();
    const text = JSON.stringify(tl);
    for (const sealed of [row.case_number, row.issuing_authority, row.document_sha256, 'Sealed warrant.']) assert.ok(!text.includes(sealed), `no ${sealed} in the timeline`);
  });
});
