// Legal-demand intake over HTTP on both engines: who may submit, what a real
// PDF is, and every overbroad scope refused with a 400 naming the problem —
// each refusal changing nothing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachEngine } from '../helpers/db.ts';
import { as, buildTestApp, createResident, createStaff, type TestApp } from '../helpers/app.ts';
import { fixture } from '../clips/helpers.ts';
import { minimalPdf } from '../../src/legal/pdf.ts';
import { DAY, HOUR, agency, box, pdfPart, range, scene, snapshot, submitDemand, type Scene } from './helpers.ts';

forEachEngine('legal demand intake', (getDb) => {
  let t: TestApp;
  let s: Scene;
  before(async () => {
    t = await buildTestApp(getDb());
    s = await scene(t);
  });
  after(async () => t.app.close());

  const now = () => t.clock.now();
  const fields = (over: Record<string, string> = {}, scope: object = { cameraIds: [s.cams.a], ranges: [range(now() - 4 * HOUR, now() - HOUR)] }) =>
    ({ type: 'search_warrant', issuingAuthority: 'Multnomah County Circuit Court', caseNumber: 'CR-2026-0042', scope: JSON.stringify(scope), ...over });

  async function refused(status: number, run: () => ReturnType<typeof submitDemand>, detail?: RegExp) {
    const before = await snapshot(getDb());
    const res = await run();
    assert.equal(res.statusCode, status, res.body);
    assert.match(String(res.headers['content-type']), /problem\+json/);
    if (detail) assert.match(res.json().detail, detail);
    assert.deepEqual(await snapshot(getDb()), before, 'nothing changed');
    return res;
  }

  test('a member submits a warrant with a real PDF: 201, pending, with its age', async () => {
    const res = await submitDemand(t, s.officer, s.agencyId, fields({ nondisclosureUntil: new Date(now() + 30 * DAY).toISOString() }));
    assert.equal(res.statusCode, 201, res.body);
    const d = res.json();
    assert.equal(d.status, 'pending');
    assert.equal(d.type, 'search_warrant');
    assert.deepEqual(d.scope.cameraIds, [s.cams.a]);
    assert.equal(d.ageMs, 0);
    assert.equal(d.document.size, minimalPdf('search warrant').length);
    // The PDF reads back, to the submitting agency and to reviewers.
    const doc = await as(t, s.officer, { method: 'GET', url: `/api/v1/agencies/${s.agencyId}/legal-demands/${d.id}/document` });
    assert.equal(doc.statusCode, 200);
    assert.deepEqual(doc.rawPayload, minimalPdf('search warrant'));
    t.clock.advance(HOUR);
    const queue = await as(t, s.reviewer1, { method: 'GET', url: '/api/v1/review/legal-demands' });
    assert.equal(queue.statusCode, 200);
    assert.equal(queue.json().find((q: { id: string }) => q.id === d.id).ageMs, HOUR);
  });

  test('401 without a session; 403 for a resident or a reviewer; 404 for a member of another agency', async () => {
    await refused(401, () => submitDemand(t, null, s.agencyId, fields()));
    await refused(403, async () => submitDemand(t, await createResident(t), s.agencyId, fields()));
    await refused(403, () => submitDemand(t, s.reviewer1, s.agencyId, fields()));
    await refused(404, () => submitDemand(t, s.otherOfficer, s.agencyId, fields()));
    // A member of an agency that no reviewer has verified.
    await agency(t, `${s.agencyId}-unverified`, box(45, 46, -123, -122), false);
    const member = await createStaff(t, 'agency', { agencyId: `${s.agencyId}-unverified` });
    await refused(403, () => submitDemand(t, member, `${s.agencyId}-unverified`, fields()), /not verified/);
  });

  test('a non-PDF file named .pdf is refused: text, PNG, MP4, a truncated PDF, a header on junk', async () => {
    const good = minimalPdf();
    const cases: [string, Buffer][] = [
      ['text', fixture('text.txt')],
      ['png', fixture('image.png')],
      ['mp4', fixture('clip.mp4')],
      ['truncated', good.subarray(0, good.length - 40)],
      ['header on junk', Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(500, 0x41), Buffer.from('\nstartxref\n100\n%%EOF\n')])],
      ['empty', Buffer.alloc(0)],
    ];
    for (const [name, data] of cases) {
      const res = await refused(400, () => submitDemand(t, s.officer, s.agencyId, fields(), pdfPart(data, `${name}.pdf`)));
      assert.match(res.json().detail, /PDF|empty/, name);
    }
  });

  test('overbroad scopes are refused at intake with a 400 naming the problem', async () => {
    const r = [range(now() - 4 * HOUR, now() - HOUR)];
    const many = Array.from({ length: 51 }, (_, i) => `cam${i}`);
    await refused(400, () => submitDemand(t, s.officer, s.agencyId, fields({}, { cameraIds: many, ranges: r })), /more than 50 cameras/);
    await refused(400, () => submitDemand(t, s.officer, s.agencyId, fields({}, { address: { lat: 45.5, lon: -122.6, radiusM: 150 }, ranges: r })), /radius 150 m is over 100 m/);
    await refused(400, () => submitDemand(t, s.officer, s.agencyId, fields({}, { cameraIds: [s.cams.a], ranges: [range(now() - 40 * DAY, now() - 8 * DAY)] })), /32\.0 days, over 31 days/);
    await refused(400, () => submitDemand(t, s.officer, s.agencyId, fields({}, { cameraIds: [s.cams.a], ranges: [range(now() - 40 * DAY, now() - 30 * DAY), range(now() - 25 * DAY, now() - 3 * DAY)] })), /over 31 days/);
    await refused(400, () => submitDemand(t, s.officer, s.agencyId, fields({}, { cameraIds: [s.cams.a], ranges: [] })), /no time range/);
    await refused(400, () => submitDemand(t, s.officer, s.agencyId, fields({}, { cameraIds: [s.cams.a] })), /no time range/);
  });

  test('other bad fields: unknown type, missing document, bad JSON, nondisclosure date in the past, unknown field file', async () => {
    await refused(400, () => submitDemand(t, s.officer, s.agencyId, fields({ type: 'general_warrant' })), /type must be one of/);
    await refused(400, () => submitDemand(t, s.officer, s.agencyId, fields(), null), /PDF of the demand is required/);
    await refused(400, () => submitDemand(t, s.officer, s.agencyId, fields({ scope: '{not json' })), /scope must be JSON/);
    await refused(400, () => submitDemand(t, s.officer, s.agencyId, fields({ caseNumber: '' })), /caseNumber/);
    await refused(400, () => submitDemand(t, s.officer, s.agencyId, fields({ nondisclosureUntil: new Date(now() - DAY).toISOString() })), /in the future/);
    await refused(400, () => submitDemand(t, s.officer, s.agencyId, fields(), { ...pdfPart(), field: 'attachment' }), /unexpected file/);
    await refused(415, () => as(t, s.officer, { method: 'POST', url: `/api/v1/agencies/${s.agencyId}/legal-demands`, payload: fields() }));
  });

  test('a document over 20 MB is refused with 413 and leaves nothing', async () => {
    const big = Buffer.concat([minimalPdf(), Buffer.alloc(20 * 1024 * 1024, 0x20)]);
    await refused(413, () => submitDemand(t, s.officer, s.agencyId, fields(), pdfPart(big)));
  });

  test('agencies read only their own demands', async () => {
    const list = await as(t, s.officer, { method: 'GET', url: `/api/v1/agencies/${s.agencyId}/legal-demands` });
    assert.equal(list.statusCode, 200);
    assert.ok(list.json().length >= 1);
    const id = list.json()[0].id;
    assert.equal((await as(t, s.otherOfficer, { method: 'GET', url: `/api/v1/agencies/${s.agencyId}/legal-demands` })).statusCode, 404);
    assert.equal((await as(t, s.otherOfficer, { method: 'GET', url: `/api/v1/agencies/${s.agencyId}-other/legal-demands/${id}` })).statusCode, 404);
    assert.equal((await as(t, null, { method: 'GET', url: `/api/v1/agencies/${s.agencyId}/legal-demands/${id}` })).statusCode, 401);
    assert.equal((await as(t, s.owner, { method: 'GET', url: `/api/v1/agencies/${s.agencyId}/legal-demands/${id}` })).statusCode, 403);
    assert.equal((await as(t, s.officer, { method: 'GET', url: `/api/v1/agencies/${s.agencyId}/legal-demands/not%20an%20id` })).statusCode, 400);
  });
});
