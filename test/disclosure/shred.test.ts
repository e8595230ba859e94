// A clip's crypto-shredding takes the copies shared from it with it, on both
// engines, over HTTP: after the owner deletes the clip, or it passes their
// retention period, the agency's read of the shared copy answers 410 Gone; the
// copy's key and blob are destroyed, while the disclosure row and its log entry
// (no personal data) stay on the record.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { forEachEngine } from '../helpers/db.ts';
import { as, buildTestApp, createStaff, type TestApp, type TestUser } from '../helpers/app.ts';
import { times, upload, type Owner } from '../clips/helpers.ts';
import { agencyMember, createAgency, offset, ownerAt, requestBody } from '../requests/helpers.ts';

const H = 3_600_000;
const DAY = 24 * H;
// Only a camera with privacy zones shares a copy; one without shares its original (issue 17, defect 9).
const ZONED = { privacyZones: [[[0, 0], [0.5, 0], [0.5, 0.5], [0, 0.5]]] };

forEachEngine('shredding a clip destroys its shared copies', (getDb) => {
  let t: TestApp;
  let reviewer: TestUser;
  let officer: TestUser;
  let agency: { id: string };

  before(async () => {
    t = await buildTestApp(getDb(), { REQUESTS_PER_DAY: '50' });
    reviewer = await createStaff(t, 'reviewer');
    agency = await createAgency(t, reviewer);
    officer = await agencyMember(t, agency.id);
  });
  after(async () => t.app.close());

  const db = () => getDb().kysely;
  const copyFiles = () => {
    const dir = path.join(t.dataDir, 'disclosures', 'blobs');
    return fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length : 0;
  };

  /** An approved request, the owner's share of one clip, and the shared item's video URL (read once: 200). */
  async function shared(owner: Owner, clipId: string): Promise<{ url: string; disclosureId: string }> {
    const req = await as(t, officer, { method: 'POST', url: `/api/v1/agencies/${agency.id}/requests`, payload: requestBody(t) });
    assert.equal(req.statusCode, 201, req.body);
    const rid = req.json().id;
    assert.equal((await as(t, reviewer, { method: 'POST', url: `/api/v1/review/requests/${rid}/decision`, payload: { decision: 'approve' } })).statusCode, 200);
    const ans = await as(t, owner, { method: 'POST', url: `/api/v1/me/requests/${rid}/response`, payload: { share: [clipId] } });
    assert.equal(ans.statusCode, 200, ans.body);
    const locker = await as(t, officer, { method: 'GET', url: `/api/v1/agencies/${agency.id}/requests/${rid}/evidence` });
    const item = locker.json().neighbors[0].items[0];
    const first = await as(t, officer, { method: 'GET', url: item.videoUrl });
    assert.equal(first.statusCode, 200, 'the shared copy reads while the clip lives');
    return { url: item.videoUrl, disclosureId: item.id };
  }

  async function assertShredded(disclosureId: string, url: string) {
    const res = await as(t, officer, { method: 'GET', url });
    assert.equal(res.statusCode, 410, res.body);
    assert.match(res.json().detail, /deleted this clip/);
    const row = await db().selectFrom('disclosures').selectAll().where('id', '=', disclosureId).executeTakeFirstOrThrow();
    assert.equal(row.copy_wrapped_key, null, 'the copy\'s key is destroyed');
    assert.equal(row.copy_blob_key, null);
    assert.equal(row.content, 'derived', 'the disclosure row stays');
    assert.ok(await db().selectFrom('log_entries').select('seq').where('seq', '=', row.log_seq).executeTakeFirst(), 'its log entry stays');
  }

  test('owner deletion: the shared copy is destroyed and its read answers 410', async () => {
    const owner = await ownerAt(t, offset(30, 30), ZONED);
    const clipId = (await upload(t, owner, times(t, 2 * H))).json().id;
    const before = copyFiles();
    const { url, disclosureId } = await shared(owner, clipId);
    assert.equal(copyFiles(), before + 1);
    assert.equal((await as(t, owner, { method: 'DELETE', url: `/api/v1/clips/${clipId}` })).statusCode, 204);
    await assertShredded(disclosureId, url);
    assert.equal(copyFiles(), before, 'the copy\'s blob is gone');
  });

  test('retention: the sweep destroys the shared copy too', async () => {
    const owner = await ownerAt(t, offset(-30, -30), ZONED);
    const clipId = (await upload(t, owner, times(t, 2 * H))).json().id;
    const before = copyFiles();
    const { url, disclosureId } = await shared(owner, clipId);
    assert.equal((await as(t, owner, { method: 'PUT', url: '/api/v1/me/retention', payload: { days: 1 } })).statusCode, 200);
    const start = t.clock.now();
    t.clock.set(start + 2 * DAY);
    await t.ctx.workers.runAll('clips.retention');
    t.clock.set(start);
    await assertShredded(disclosureId, url);
    assert.equal(copyFiles(), before);
  });
});
