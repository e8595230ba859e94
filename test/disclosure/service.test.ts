// The disclosure door on both engines: consent releases a redacted copy, an
// original-bytes basis releases the clip as recorded, each with exactly one log
// entry and one disclosure row written together; refusals leave nothing; the
// recipient's reads are range-served and land in the owner's access log.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { buffer } from 'node:stream/consumers';
import { forEachEngine } from '../helpers/db.ts';
import { buildTestApp, createResident, createStaff, type TestApp, type TestUser } from '../helpers/app.ts';
import { enrolOwnerKey, fixture, newCamera, newOwner, sha256, upload, uploadSealed } from '../clips/helpers.ts';
import { manifestsOf } from '../../src/disclosure/manifest.ts';
import { clipSigningPayload, verifyClipSignature } from '../../src/cameras/signature.ts';
import type { Actor } from '../../src/platform/access.ts';
import type { Basis } from '../../src/disclosure/policy.ts';
import type { Db } from '../../src/platform/db/db.ts';

const HOUR = 3_600_000;
const actorOf = (u: TestUser, agencyId: string | null = null): Actor => ({ kind: 'user', userId: u.id, role: u.role, agencyId, totpEnabled: true, sessionId: 's', via: 'bearer' });

export async function counts(db: Db) {
  const n = async (table: 'log_entries' | 'disclosures' | 'consents' | 'access_log') =>
    Number((await db.kysely.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  return { entries: await n('log_entries'), disclosures: await n('disclosures'), consents: await n('consents'), access: await n('access_log') };
}

forEachEngine('disclosure service', (getDb) => {
  let t: TestApp;
  let ann: TestUser;
  let zoned: string;
  let clipId: string;
  let officer: TestUser;
  let reviewer: TestUser;
  const AGENCY = 'agency-disclosure-a';
  const police = { kind: 'agency' as const, agencyId: AGENCY, agencyType: 'law_enforcement' };

  before(async () => {
    t = await buildTestApp(getDb());
    ann = await createResident(t);
    zoned = await newCamera(t, ann, { privacyZones: [[[0, 0], [0.5, 0], [0.5, 0.5], [0, 0.5]]] });
    const res = await upload(t, { user: ann }, { cameraId: zoned, kind: 'manual', body: fixture('clip.mp4') });
    assert.equal(res.statusCode, 201, res.body);
    clipId = res.json().id;
    officer = await createStaff(t, 'agency', { agencyId: AGENCY });
    reviewer = await createStaff(t, 'reviewer');
    const row = await getDb().kysely.selectFrom('clips').select(['started_at', 'ended_at']).where('id', '=', clipId).executeTakeFirstOrThrow();
    // A warrant source for this test: one approved warrant over the zoned camera and the clip's hour.
    t.services.disclosure.registerBasisSource('warrant', async (_db, ref): Promise<Basis | undefined> => ref !== 'w-1' ? undefined : {
      kind: 'warrant', id: 'w-1', agencyId: AGENCY, status: 'approved', approvedAt: t.clock.now() - HOUR, reviewerIds: [reviewer.id],
      scope: { cameraIds: [zoned], area: null, ranges: [{ from: Number(row.started_at) - HOUR, to: Number(row.ended_at) + HOUR }] }, revokedAt: null, expiresAt: null,
    });
  });
  after(async () => t.app.close());

  test('consent releases a redacted copy, one entry, one row; answering again changes nothing', async () => {
    const before = await counts(getDb());
    const d = await t.services.disclosure.disclose(actorOf(ann), { clipId, recipient: police, basis: { kind: 'consent', ref: 'req-1' } });
    assert.equal(d.content, 'derived');
    assert.notEqual(d.sha256, sha256(fixture('clip.mp4')), 'the copy is re-encoded with the zones burned in');
    assert.equal(d.originalSha256, sha256(fixture('clip.mp4')));
    const afterOne = await counts(getDb());
    assert.deepEqual({ e: afterOne.entries - before.entries, d: afterOne.disclosures - before.disclosures, c: afterOne.consents - before.consents }, { e: 1, d: 1, c: 1 });
    const entry = JSON.parse(Buffer.from((await getDb().kysely.selectFrom('log_entries').select('entry').where('seq', '=', d.logSeq).executeTakeFirstOrThrow()).entry).toString('utf8'));
    assert.equal(entry.basis, 'consent');
    assert.equal(entry.agency, AGENCY);
    assert.equal(entry.ref, 'req-1');
    assert.equal(entry.clips.length, 1);
    assert.ok(!JSON.stringify(entry).includes(ann.id) && !JSON.stringify(entry).includes(ann.email), 'no personal data in the entry');
    const subject = await getDb().kysely.selectFrom('log_subjects').selectAll().where('seq', '=', d.logSeq).executeTakeFirstOrThrow();
    assert.equal(subject.owner_id, ann.id);

    const again = await t.services.disclosure.disclose(actorOf(ann), { clipId, recipient: police, basis: { kind: 'consent', ref: 'req-1' } });
    assert.equal(again.id, d.id);
    assert.deepEqual(await counts(getDb()), afterOne);
    // The copy on disk is sealed: no plaintext MP4 box names.
    const files = fs.readdirSync(path.join(t.dataDir, 'disclosures', 'blobs'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    assert.equal(files.length, 1);
    assert.equal(fs.readFileSync(path.join(files[0].parentPath, files[0].name)).indexOf(Buffer.from('ftyp')), -1);
  });

  test('the same answer sent twice at once: one disclosure, one entry, both callers get it', async () => {
    const res = await upload(t, { user: ann }, { cameraId: zoned, kind: 'manual' });
    const id = res.json().id;
    const before = await counts(getDb());
    const share = () => t.services.disclosure.disclose(actorOf(ann), { clipId: id, recipient: police, basis: { kind: 'consent', ref: 'req-race' } });
    const [a, b] = await Promise.all([share(), share()]);
    assert.equal(a.id, b.id);
    const after = await counts(getDb());
    assert.deepEqual([after.disclosures - before.disclosures, after.entries - before.entries, after.consents - before.consents], [1, 1, 1]);
  });

  test('the recipient reads the copy with ranges; every read goes into the owner\'s access log', async () => {
    const [d] = await t.services.disclosure.listByBasis('consent', 'req-1');
    const before = await counts(getDb());
    const whole = await t.services.disclosure.openDisclosedClip(actorOf(officer, AGENCY), d.id, undefined);
    assert.equal(whole.status, 200);
    const bytes = await buffer(whole.body);
    assert.equal(sha256(bytes), d.sha256);
    const part = await t.services.disclosure.openDisclosedClip(actorOf(officer, AGENCY), d.id, 'bytes=10-19');
    assert.equal(part.status, 206);
    assert.equal(part.headers['content-range'], `bytes 10-19/${d.size}`);
    assert.deepEqual(await buffer(part.body), bytes.subarray(10, 20));
    assert.equal((await counts(getDb())).access, before.access + 2);
    const log = await t.services.clips.accessLog(actorOf(ann) as never, {});
    assert.match(log.items[0].actor, new RegExp(AGENCY));
  });

  test('nobody but the recipient agency reads it: another agency, the owner\'s neighbour, a reviewer all get 404', async () => {
    const [d] = await t.services.disclosure.listByBasis('consent', 'req-1');
    const other = await createStaff(t, 'agency', { agencyId: 'agency-disclosure-b' });
    for (const who of [actorOf(other, 'agency-disclosure-b'), actorOf(await createResident(t)), actorOf(reviewer)]) {
      await assert.rejects(t.services.disclosure.openDisclosedClip(who, d.id, undefined), (e: { status?: number }) => e.status === 404);
    }
  });

  test('consent by someone other than the owner is refused as if the clip were absent, and writes nothing', async () => {
    const before = await counts(getDb());
    const bob = await createResident(t);
    await assert.rejects(t.services.disclosure.disclose(actorOf(bob), { clipId, recipient: police, basis: { kind: 'consent', ref: 'req-2' } }), (e: { status?: number }) => e.status === 404);
    assert.deepEqual(await counts(getDb()), before);
  });

  test('a warrant releases the original bytes; the wrong agency, an unknown warrant or a non-staff actor get nothing', async () => {
    const before = await counts(getDb());
    await assert.rejects(t.services.disclosure.disclose(actorOf(reviewer), { clipId, recipient: { ...police, agencyId: 'agency-disclosure-b' }, basis: { kind: 'warrant', ref: 'w-1' } }), (e: { status?: number }) => e.status === 403);
    await assert.rejects(t.services.disclosure.disclose(actorOf(reviewer), { clipId, recipient: police, basis: { kind: 'warrant', ref: 'w-2' } }), (e: { status?: number }) => e.status === 403);
    await assert.rejects(t.services.disclosure.disclose(actorOf(officer, AGENCY), { clipId, recipient: police, basis: { kind: 'warrant', ref: 'w-1' } }), (e: { status?: number }) => e.status === 403);
    assert.deepEqual(await counts(getDb()), before);
    const d = await t.services.disclosure.disclose(actorOf(reviewer), { clipId, recipient: police, basis: { kind: 'warrant', ref: 'w-1' } });
    assert.equal(d.content, 'original');
    assert.equal(d.sha256, sha256(fixture('clip.mp4')));
    const read = await t.services.disclosure.openDisclosedClip(actorOf(officer, AGENCY), d.id, undefined);
    assert.equal(sha256(await buffer(read.body)), d.sha256);
    const entry = JSON.parse(Buffer.from((await getDb().kysely.selectFrom('log_entries').select('entry').where('seq', '=', d.logSeq).executeTakeFirstOrThrow()).entry).toString('utf8'));
    assert.deepEqual([entry.basis, entry.reviewers], ['warrant', [reviewer.id]]);
  });

  test('an end-to-end encrypted camera: "not disclosable: end-to-end encrypted", nothing written', async () => {
    const cam = await newCamera(t, ann, { e2ee: true });
    const { res } = await uploadSealed(t, { user: ann }, await enrolOwnerKey(t, ann), { cameraId: cam, kind: 'manual' });
    assert.equal(res.statusCode, 201, res.body);
    const before = await counts(getDb());
    await assert.rejects(
      t.services.disclosure.disclose(actorOf(ann), { clipId: res.json().id, recipient: police, basis: { kind: 'consent', ref: 'req-3' } }),
      (e: { status?: number; message: string }) => e.status === 422 && e.message.startsWith('not disclosable: end-to-end encrypted'),
    );
    assert.deepEqual(await counts(getDb()), before);
  });

  test('a deleted clip is gone for every basis (410)', async () => {
    const res = await upload(t, { user: ann }, { cameraId: zoned, kind: 'manual' });
    const id = res.json().id;
    await t.services.clips.remove(actorOf(ann) as never, id);
    await assert.rejects(t.services.disclosure.disclose(actorOf(reviewer), { clipId: id, recipient: police, basis: { kind: 'warrant', ref: 'w-1' } }), (e: { status?: number }) => e.status === 410);
  });
  test('the start-up sweep removes interrupted copies and copies whose disclosure never committed, and keeps the rest', async () => {
    const store = t.services.disclosure.copies.vault.blobs;
    fs.writeFileSync(store.tempPath(), 'half-written copy');
    const orphan = store.tempPath();
    fs.writeFileSync(orphan, 'sealed bytes of a rolled-back disclosure');
    await store.put('copies/zz/orphan', orphan);
    fs.writeFileSync(store.tempPath(), 'another interrupted one');
    const before: string[] = [];
    for await (const k of store.list()) before.push(k);
    const swept = await t.services.disclosure.copies.startupSweep(getDb().kysely);
    assert.deepEqual(swept, { temp: 2, orphans: 1 });
    const after: string[] = [];
    for await (const k of store.list()) after.push(k);
    assert.deepEqual(after.sort(), before.filter((k) => k !== 'copies/zz/orphan').sort());
    const [d] = await t.services.disclosure.listByBasis('consent', 'req-1');
    const read = await t.services.disclosure.openDisclosedClip(actorOf(officer, AGENCY), d.id, undefined);
    assert.equal(sha256(await buffer(read.body)), d.sha256, 'the committed copy is intact');
  });

  test('issue 17 defect 9: without zones consent delivers the original bytes, whose device signature verifies; a redacted copy names its zones', async () => {
    const owner = await newOwner(t);
    const res = await upload(t, owner, { kind: 'motion', body: fixture('clip.mp4') });
    assert.equal(res.statusCode, 201, res.body);
    const clip = res.json();
    const d = await t.services.disclosure.disclose(actorOf(owner), { clipId: clip.id, recipient: police, basis: { kind: 'consent', ref: 'req-plain' } });
    assert.equal(d.content, 'original');
    assert.equal(d.sha256, d.originalSha256);
    const got = await buffer((await t.services.disclosure.openDisclosedClip(actorOf(officer, AGENCY), d.id, undefined)).body);
    assert.deepEqual(got, fixture('clip.mp4'));
    const [plain, zonedCopy] = await manifestsOf(getDb().kysely, await getDb().kysely.selectFrom('disclosures').selectAll().where('clip_id', 'in', [clip.id, clipId]).where('basis_kind', '=', 'consent').orderBy('created_at', 'desc').execute().then((rows) => [rows.find((r) => r.clip_id === clip.id)!, rows.find((r) => r.clip_id === clipId)!]));
    const m = plain.manifest;
    assert.equal(m.redaction, null);
    const payload = clipSigningPayload({ cameraId: owner.cameraId, sha256: sha256(got), startedAt: m.cameraReported.startedAt, endedAt: m.cameraReported.endedAt, kind: m.cameraReported.kind });
    assert.equal(verifyClipSignature(m.device.publicKey, payload, m.device.signature), true, 'the agency can check the camera signed what it received');
    // The zoned camera's copy (the first test) is re-encoded, and its manifest says which zones went in and what the log entry commits to.
    assert.equal(zonedCopy.manifest.content, 'derived');
    assert.deepEqual(zonedCopy.manifest.redaction, { zones: [[[0, 0], [0.5, 0], [0.5, 0.5], [0, 0.5]]] });
    assert.equal(zonedCopy.manifest.sha256.original, sha256(fixture('clip.mp4')));
    assert.notEqual(zonedCopy.manifest.sha256.delivered, zonedCopy.manifest.sha256.original);
  });

  test('without ffmpeg: a camera with privacy zones cannot be shared, and a camera without shares its original bytes', async () => {
    // A second app on the same database, with ffmpeg missing.
    const bare = await buildTestApp(getDb(), { FFMPEG_PATH: '/nonexistent/ffmpeg' });
    try {
      const bob = await createResident(bare);
      const police2 = { kind: 'agency' as const, agencyId: 'agency-x', agencyType: null };
      const zonedCam = await newCamera(bare, bob, { privacyZones: [[[0, 0], [0.5, 0], [0.5, 0.5]]] });
      const a = (await upload(bare, { user: bob }, { cameraId: zonedCam, kind: 'manual' })).json().id;
      const before = await counts(getDb());
      await assert.rejects(bare.services.disclosure.disclose(actorOf(bob), { clipId: a, recipient: police2, basis: { kind: 'consent', ref: 'r' } }), (e: { status?: number; message: string }) => e.status === 503 && /ffmpeg/.test(e.message));
      assert.deepEqual(await counts(getDb()), before);
      const plain = await newCamera(bare, bob);
      const b = (await upload(bare, { user: bob }, { cameraId: plain, kind: 'manual', body: fixture('clip.mp4') })).json().id;
      const d = await bare.services.disclosure.disclose(actorOf(bob), { clipId: b, recipient: { kind: 'public' }, basis: { kind: 'consent', ref: 'post-1' } });
      assert.equal(d.sha256, sha256(fixture('clip.mp4')));
      assert.equal(d.content, 'original');
      const entry = JSON.parse(Buffer.from((await getDb().kysely.selectFrom('log_entries').select('entry').where('seq', '=', d.logSeq).executeTakeFirstOrThrow()).entry).toString('utf8'));
      assert.deepEqual([entry.basis, entry.agency], ['public_post', null]);
    } finally {
      await bare.app.close();
    }
  });
});
