// "No disclosure without a log entry" (ENGINEERING.md, "The disclosure rule
// lives in one pure function"), tested by making the log append itself fail:
// a database trigger refuses every insert into log_entries. The release must
// then leave nothing behind: no disclosure row, no consent, no deliverable copy
// in the copies store. And a recipient's read must not be served when its
// access-log entry cannot be written.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { forEachEngine } from '../helpers/db.ts';
import { buildTestApp, createResident, createStaff, type TestApp, type TestUser } from '../helpers/app.ts';
import { newCamera, upload } from '../clips/helpers.ts';
import type { Actor } from '../../src/platform/access.ts';
import type { Basis } from '../../src/disclosure/policy.ts';
import type { Db } from '../../src/platform/db/db.ts';

const HOUR = 3_600_000;
const actorOf = (u: TestUser, agencyId: string | null = null): Actor => ({ kind: 'user', userId: u.id, role: u.role, agencyId, totpEnabled: true, sessionId: 's', via: 'bearer' });

async function counts(db: Db) {
  const n = async (table: 'log_entries' | 'disclosures' | 'consents' | 'access_log') =>
    Number((await db.kysely.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  return { entries: await n('log_entries'), disclosures: await n('disclosures'), consents: await n('consents'), access: await n('access_log') };
}

/** Makes every insert into `table` fail, until the returned function drops the trigger. */
async function refuseInserts(db: Db, table: 'log_entries' | 'access_log'): Promise<() => Promise<void>> {
  const name = `refuse_${table}`;
  if (db.engine === 'sqlite') {
    await sql.raw(`create trigger ${name} before insert on ${table} begin select raise(abort, '${table} insert refused (test)'); end`).execute(db.kysely);
    return async () => void (await sql.raw(`drop trigger ${name}`).execute(db.kysely));
  }
  await sql.raw(`create function ${name}() returns trigger language plpgsql as $$ begin raise exception '${table} insert refused (test)'; end $$`).execute(db.kysely);
  await sql.raw(`create trigger ${name} before insert on ${table} for each row execute function ${name}()`).execute(db.kysely);
  return async () => {
    await sql.raw(`drop trigger ${name} on ${table}`).execute(db.kysely);
    await sql.raw(`drop function ${name}()`).execute(db.kysely);
  };
}

async function storedCopies(t: TestApp): Promise<string[]> {
  const keys: string[] = [];
  for await (const k of t.services.disclosure.copies.vault.blobs.list()) keys.push(k);
  return keys;
}

forEachEngine('disclosure and its log entry commit together', (getDb) => {
  let t: TestApp;
  let ann: TestUser;
  let officer: TestUser;
  let reviewer: TestUser;
  let cameraId: string;
  let clipId: string;
  const AGENCY = 'agency-same-tx';
  const police = { kind: 'agency' as const, agencyId: AGENCY, agencyType: 'law_enforcement' };

  before(async () => {
    t = await buildTestApp(getDb());
    ann = await createResident(t);
    cameraId = await newCamera(t, ann, { privacyZones: [[[0, 0], [0.5, 0], [0.5, 0.5], [0, 0.5]]] });
    const res = await upload(t, { user: ann }, { cameraId, kind: 'manual' });
    assert.equal(res.statusCode, 201, res.body);
    clipId = res.json().id;
    officer = await createStaff(t, 'agency', { agencyId: AGENCY });
    reviewer = await createStaff(t, 'reviewer');
    const row = await getDb().kysely.selectFrom('clips').select(['started_at', 'ended_at']).where('id', '=', clipId).executeTakeFirstOrThrow();
    t.services.disclosure.registerBasisSource('warrant', async (_db, ref): Promise<Basis | undefined> => ref !== 'w-tx' ? undefined : {
      kind: 'warrant', id: 'w-tx', agencyId: AGENCY, status: 'approved', approvedAt: t.clock.now() - HOUR, reviewerIds: [reviewer.id],
      scope: { cameraIds: [cameraId], area: null, ranges: [{ from: Number(row.started_at) - HOUR, to: Number(row.ended_at) + HOUR }] }, revokedAt: null, expiresAt: null,
    });
  });
  after(async () => t.app.close());

  test('consent: a failing log append leaves no disclosure, no consent and no copy; the same release then succeeds', async () => {
    const before = await counts(getDb());
    const copiesBefore = await storedCopies(t);
    const restore = await refuseInserts(getDb(), 'log_entries');
    try {
      await assert.rejects(t.services.disclosure.disclose(actorOf(ann), { clipId, recipient: police, basis: { kind: 'consent', ref: 'req-tx' } }), /log_entries insert refused/);
    } finally {
      await restore();
    }
    assert.deepEqual(await counts(getDb()), before, 'no entry, no disclosure, no consent, no access-log row');
    assert.deepEqual(await storedCopies(t), copiesBefore, 'the redacted copy made before the transaction was removed');
    assert.deepEqual(await t.services.disclosure.listByBasis('consent', 'req-tx'), []);

    // The refusal came from the log, not from the release itself: without the trigger it goes through.
    await t.services.disclosure.disclose(actorOf(ann), { clipId, recipient: police, basis: { kind: 'consent', ref: 'req-tx' } });
    const afterOne = await counts(getDb());
    assert.deepEqual({ e: afterOne.entries - before.entries, d: afterOne.disclosures - before.disclosures }, { e: 1, d: 1 });
    assert.equal((await storedCopies(t)).length, copiesBefore.length + 1, 'one copy stored');
  });

  test('warrant: a failing log append leaves no release row, and nothing for the agency to read', async () => {
    const before = await counts(getDb());
    const restore = await refuseInserts(getDb(), 'log_entries');
    try {
      await assert.rejects(t.services.disclosure.disclose(actorOf(reviewer), { clipId, recipient: police, basis: { kind: 'warrant', ref: 'w-tx' } }), /log_entries insert refused/);
    } finally {
      await restore();
    }
    assert.deepEqual(await counts(getDb()), before);
    assert.deepEqual(await t.services.disclosure.listByBasis('warrant', 'w-tx'), [], 'no release row');
  });

  test('a recipient read whose access-log entry cannot be written is not served', async () => {
    const [d] = await t.services.disclosure.listByBasis('consent', 'req-tx');
    assert.ok(d, 'made by the first test');
    const before = await counts(getDb());
    const restore = await refuseInserts(getDb(), 'access_log');
    try {
      await assert.rejects(t.services.disclosure.openDisclosedClip(actorOf(officer, AGENCY), d.id, undefined), /access_log insert refused/);
    } finally {
      await restore();
    }
    assert.deepEqual(await counts(getDb()), before);
    const read = await t.services.disclosure.openDisclosedClip(actorOf(officer, AGENCY), d.id, undefined);
    read.body.resume();
    assert.equal((await counts(getDb())).access, before.access + 1);
  });
});
