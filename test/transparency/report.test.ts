// The transparency report, end to end on both engines (issue 13 "What it must
// show"): warrants approved, narrowed and rejected, a subpoena, a warrant over
// an end-to-end encrypted camera, an emergency left without follow-up, and two
// community requests of which one home shared. Every figure is checked against
// what this test did, `report recount` agrees over real HTTP, and a tampered
// report is caught.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { forEachEngine, tempDir } from '../helpers/db.ts';
import { as, buildTestApp, type TestApp, type TestUser } from '../helpers/app.ts';
import { times, upload, type Owner } from '../clips/helpers.ts';
import { DAY, HOUR, range, scene, submitDemand, type Scene } from '../legal/helpers.ts';
import { agencyMember, createAgency, offset, ownerAt, requestBody } from '../requests/helpers.ts';
import { parseVerifierKey } from '../../src/ledger/note.ts';
import { recount, runReportCli } from '../../src/transparency/recount.ts';
import { runLogCli } from '../../src/ledger/cli.ts';
import type { Figure } from '../../src/transparency/report.ts';

/** Sums a metric's figures over months, filtered by the dimensions given. */
function sum(figures: readonly Figure[], metric: Figure['metric'], where: Partial<Pick<Figure, 'agency' | 'demand' | 'outcome'>> = {}): number {
  return figures
    .filter((f) => f.metric === metric && Object.entries(where).every(([k, v]) => f[k as keyof typeof where] === v))
    .reduce((n, f) => n + f.value, 0);
}

/** An HTTP proxy to `target` that rewrites the report's JSON on its way through. */
async function tamperingProxy(target: string, rewrite: (report: { figures: Figure[]; log: { size: number } }) => void): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(async (req, res) => {
    const upstream = await fetch(`${target}${req.url}`, { headers: { accept: req.headers.accept ?? '*/*' } });
    let body = Buffer.from(await upstream.arrayBuffer());
    if (req.url === '/transparency/report.json') {
      const report = JSON.parse(body.toString('utf8'));
      rewrite(report);
      body = Buffer.from(JSON.stringify(report));
    }
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((ok) => server.close(() => ok())) };
}

forEachEngine('transparency report', (getDb) => {
  let t: TestApp;
  let s: Scene;
  let base: string;
  before(async () => {
    t = await buildTestApp(getDb());
    s = await scene(t);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  after(async () => t.app.close());

  async function demand(type: string, scope: object): Promise<string> {
    const res = await submitDemand(t, s.officer, s.agencyId, { type, issuingAuthority: 'Circuit Court', caseNumber: `C-${type}`, scope: JSON.stringify(scope) });
    assert.equal(res.statusCode, 201, res.body);
    return res.json().id;
  }
  async function decide(id: string, body: object, who: TestUser = s.reviewer1): Promise<void> {
    const res = await as(t, who, { method: 'POST', url: `/api/v1/review/legal-demands/${id}/decision`, payload: body });
    assert.equal(res.statusCode, 200, res.body);
  }
  async function emergency(): Promise<string> {
    const a1 = s.clips.a1;
    const res = await as(t, s.officer, {
      method: 'POST', url: `/api/v1/agencies/${s.agencyId}/emergency-requests`,
      payload: {
        officerName: 'Sgt. A. Rivera, badge 4411', callbackPhone: '+1 503 555 0100', nature: 'Kidnapping in progress: child taken into a grey van.',
        imminentDanger: 'The child is in the van now.', whyNoProcess: 'A warrant takes hours.',
        scope: { address: { lat: 45.5, lon: -122.6, radiusM: 20 }, ranges: [range(a1.startedAt - HOUR / 2, a1.endedAt + HOUR / 2)] },
      },
    });
    assert.equal(res.statusCode, 201, res.body);
    const id = res.json().id;
    const cb = await as(t, s.reviewer1, { method: 'POST', url: `/api/v1/review/emergency-requests/${id}/callback`, payload: { numberDialled: '+1 503 555 0100', calledAt: new Date(t.clock.now()).toISOString(), confirmed: true } });
    assert.equal(cb.statusCode, 200, cb.body);
    for (const r of [s.reviewer1, s.reviewer2]) {
      const d = await as(t, r, { method: 'POST', url: `/api/v1/review/emergency-requests/${id}/determinations`, payload: { decision: 'approve', reasons: 'Good-faith determination of imminent danger.' } });
      assert.equal(d.statusCode, 200, d.body);
    }
    return id;
  }
  /** A community request, approved; returns its id and the homes it reached (the reviewer's reach before approval). */
  async function communityRequest(reviewer: TestUser, officer: TestUser, agencyId: string): Promise<{ id: string; reached: number }> {
    const res = await as(t, officer, { method: 'POST', url: `/api/v1/agencies/${agencyId}/requests`, payload: requestBody(t) });
    assert.equal(res.statusCode, 201, res.body);
    const id = res.json().id;
    const reached = (await as(t, reviewer, { method: 'GET', url: `/api/v1/review/requests/${id}` })).json().reach;
    const ok = await as(t, reviewer, { method: 'POST', url: `/api/v1/review/requests/${id}/decision`, payload: { decision: 'approve', note: 'Specific, recent, in area.' } });
    assert.equal(ok.statusCode, 200, ok.body);
    return { id, reached };
  }

  test('every figure is what happened; recount agrees, and catches a tampered report', async () => {
    const c = s.clips;
    const around = (clip: { startedAt: number; endedAt: number }) => [range(clip.startedAt - HOUR / 2, clip.endedAt + HOUR / 2)];
    // Warrants: approved (a1), narrowed from cameras a and b to a1, rejected; one over the end-to-end camera (refused).
    await decide(await demand('search_warrant', { cameraIds: [s.cams.a], ranges: around(c.a1) }), { decision: 'approve', reason: 'In order.' });
    await decide(await demand('search_warrant', { cameraIds: [s.cams.a, s.cams.b], ranges: [range(c.a1.startedAt - HOUR, c.a2.endedAt + HOUR)] }), {
      decision: 'narrow', reason: 'Camera A, first hour only.', scope: { cameraIds: [s.cams.a], ranges: around(c.a1) },
    });
    await decide(await demand('search_warrant', { cameraIds: [s.cams.b], ranges: around(c.b1) }), { decision: 'reject', reason: 'No probable cause.' });
    await decide(await demand('search_warrant', { cameraIds: [s.cams.e2ee], ranges: around(c.e1) }), { decision: 'approve', reason: 'In order.' });
    // A subpoena over cameras a and n: records of a1, a2 and n1, no video.
    await decide(await demand('subpoena', { address: { lat: 45.5, lon: -122.6, radiusM: 20 }, ranges: [range(c.a1.startedAt - HOUR, c.a2.endedAt + HOUR)] }), { decision: 'approve', reason: 'In order.' }, s.reviewer2);
    // An emergency over cameras a and n in a1's hour: a1 and n1 released as recorded.
    await emergency();

    // Two community requests of another agency; Ann shares in the first, Bob declines, nobody answers the second.
    const agency = await createAgency(t, s.reviewer1);
    const officer = await agencyMember(t, agency.id);
    const ann: Owner = await ownerAt(t, offset(50, 40));
    const bob: Owner = await ownerAt(t, offset(-80, -120));
    const annClip = (await upload(t, ann, times(t, 2 * HOUR))).json().id;
    assert.equal((await upload(t, bob, times(t, 2 * HOUR))).statusCode, 201);
    const first = await communityRequest(s.reviewer1, officer, agency.id);
    const second = await communityRequest(s.reviewer2, officer, agency.id);
    assert.ok(first.reached >= 2 && second.reached >= 2, 'Ann and Bob are reached');
    const share = await as(t, ann, { method: 'POST', url: `/api/v1/me/requests/${first.id}/response`, payload: { share: [annClip] } });
    assert.equal(share.statusCode, 200, share.body);
    assert.equal((await as(t, ann, { method: 'POST', url: `/api/v1/me/requests/${first.id}/response`, payload: { share: [annClip] } })).statusCode, 200, 'a second share is the same answer');
    assert.equal((await as(t, bob, { method: 'POST', url: `/api/v1/me/requests/${first.id}/response`, payload: { decline: true } })).statusCode, 200);

    // Eight days on: owners of the emergency's clips are told (72 h), and the missing follow-up is flagged (7 days).
    t.clock.advance(8 * DAY);
    await t.ctx.workers.runAll('owner-notices');
    await t.ctx.workers.runAll('emergency.follow-up');
    await t.ctx.workers.runAll('ledger.integrate');

    const res = await t.app.inject({ method: 'GET', url: '/transparency/report.json' });
    assert.equal(res.statusCode, 200, res.body);
    const report = res.json();
    const f: Figure[] = report.figures;
    const mine = { agency: s.agencyId };
    assert.equal(sum(f, 'decisions', { ...mine, demand: 'warrant', outcome: 'approved' }), 2);
    assert.equal(sum(f, 'decisions', { ...mine, demand: 'warrant', outcome: 'narrowed' }), 1);
    assert.equal(sum(f, 'decisions', { ...mine, demand: 'warrant', outcome: 'rejected' }), 1);
    assert.equal(sum(f, 'decisions', { ...mine, demand: 'subpoena', outcome: 'approved' }), 1);
    assert.equal(sum(f, 'decisions', { ...mine, demand: 'emergency', outcome: 'approved' }), 1);
    assert.equal(sum(f, 'content_disclosures', { ...mine, demand: 'warrant' }), 2, 'a1 under the approved and under the narrowed warrant');
    assert.equal(sum(f, 'content_disclosures', { ...mine, demand: 'emergency' }), 2, 'a1 and n1');
    assert.equal(sum(f, 'non_content_disclosures', { ...mine, demand: 'subpoena' }), 3);
    assert.equal(sum(f, 'e2ee_refusals', { ...mine, demand: 'warrant' }), 1);
    assert.equal(sum(f, 'emergency_disclosures', mine), 1);
    assert.equal(sum(f, 'emergency_follow_ups', mine), 0);
    assert.equal(sum(f, 'emergency_no_follow_up', mine), 1);
    // Told: the owner of a1 (two warrants), of e1 (the refused warrant), both owners (subpoena, emergency).
    assert.equal(sum(f, 'owners_notified', { ...mine, demand: 'warrant' }), 3);
    assert.equal(sum(f, 'owners_notified', { ...mine, demand: 'subpoena' }), 2);
    assert.equal(sum(f, 'owners_notified', { ...mine, demand: 'emergency' }), 2);
    const theirs = { agency: agency.id };
    assert.equal(sum(f, 'requests_sent', theirs), 2);
    assert.equal(sum(f, 'homes_reached', theirs), first.reached + second.reached);
    assert.equal(sum(f, 'homes_shared', theirs), 1, 'one home, once, however often it shares');
    assert.equal(sum(f, 'content_disclosures', { ...theirs, demand: 'consent' }), 1);
    assert.equal(sum(f, 'share_of_homes_that_shared', theirs), Math.round((1 / (first.reached + second.reached)) * 10_000) / 10_000);
    // Each figure names the entries it came from, inside the checkpoint it names.
    assert.ok(f.every((x) => x.first <= x.last && x.last < report.log.size));
    assert.match(report.log.checkpoint, new RegExp(`^${report.log.origin}\\n${report.log.size}\\n`));

    const csv = await t.app.inject({ method: 'GET', url: '/transparency/report.csv' });
    assert.equal(csv.statusCode, 200);
    assert.match(csv.headers['content-type'] as string, /^text\/csv/);
    assert.equal(csv.body.trimEnd().split('\r\n').length, f.length + 1, 'a header and one row per figure');

    // The recount, over real HTTP, with the log's key: every figure matches.
    const key = parseVerifierKey(t.services.ledger.verifierKey);
    const again = await recount(base, key);
    assert.deepEqual(again, { size: report.log.size, figures: f.length, differences: [] });
    const out: string[] = [];
    assert.equal(await runReportCli(['recount', '--url', base, '--key', t.services.ledger.verifierKey], (l) => out.push(l), (l) => out.push(l)), 0);
    assert.deepEqual(out, [`OK all ${f.length} figures match at tree size ${report.log.size}`]);

    // The owner's receipt, downloaded as a file, verifies offline with `log verify --receipt`.
    const receipts = (await as(t, s.owner, { method: 'GET', url: '/api/v1/me/receipts' })).json().receipts;
    assert.ok(receipts.length > 0);
    const file = path.join(tempDir(), 'receipt.json');
    fs.writeFileSync(file, JSON.stringify(receipts[0]));
    const said: string[] = [];
    assert.equal(await runLogCli(['verify', '--receipt', file, '--key', t.services.ledger.verifierKey], (l) => said.push(l), (l) => said.push(l)), 0, said.join('\n'));
    assert.match(said[0], /^OK entry \d+ .* its clip commitments open with your salts$/);

    // A report that adds one emergency, or hides one rejection, is caught, figure by figure.
    const tampered = await tamperingProxy(base, (r) => {
      const e = r.figures.find((x) => x.metric === 'emergency_disclosures')!;
      r.figures[r.figures.indexOf(e)] = { ...e, value: e.value + 1 };
      r.figures = r.figures.filter((x) => !(x.metric === 'decisions' && x.outcome === 'rejected'));
    });
    try {
      const caught = await recount(tampered.url, key);
      assert.equal(caught.differences.length, 2, caught.differences.join('\n'));
      assert.match(caught.differences[0], /^emergency_disclosures .* published 2, the log gives 1$/);
      assert.match(caught.differences[1], /^decisions .* rejected: the log gives 1, but the report leaves it out$/);
      const lines: string[] = [];
      assert.equal(await runReportCli(['recount', '--url', tampered.url, '--key', t.services.ledger.verifierKey], (l) => lines.push(l), (l) => lines.push(l)), 1);
      assert.match(lines.at(-1)!, /FAILED: 2 of the published figures differ/);
    } finally {
      await tampered.close();
    }
    // A report that claims a smaller tree than its signed checkpoint does is refused outright.
    const shrunk = await tamperingProxy(base, (r) => {
      r.log.size -= 1;
    });
    try {
      await assert.rejects(recount(shrunk.url, key), /the report says size/);
    } finally {
      await shrunk.close();
    }
  });
});
