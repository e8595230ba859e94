// Contact sharing (issue 14 §3) on both engines: off by default; when on, the
// agency a neighbour shared with by consent sees the contact in its evidence
// locker, and the neighbour's access log records each showing; off again, it
// is gone from then on; bad input is refused and writes nothing; deleting the
// account removes it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachEngine } from '../helpers/db.ts';
import { PASSWORD, as, buildTestApp, createResident, createStaff, type TestApp, type TestUser } from '../helpers/app.ts';
import { times, upload, type Owner } from '../clips/helpers.ts';
import { agencyMember, createAgency, offset, ownerAt, requestBody } from '../requests/helpers.ts';
import { DELETE_CONFIRMATION } from '../../src/control/policy.ts';

const H = 3_600_000;
const URL = '/api/v1/me/contact-sharing';

forEachEngine('control center: contact sharing', (getDb) => {
  let t: TestApp;
  let reviewer: TestUser;
  let officer: TestUser;
  let agency: { id: string; name: string };
  let cara: Owner;
  let requestId: string;

  const locker = async () => {
    const res = await as(t, officer, { method: 'GET', url: `/api/v1/agencies/${agency.id}/requests/${requestId}/evidence` });
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as { neighbors: { pseudonym: string; contact: { name: string; phone: string | null; email: string | null } | null }[] };
  };
  const contactEntries = async () => {
    const log = (await as(t, cara, { method: 'GET', url: '/api/v1/me/access-log?limit=100' })).json();
    return log.items.filter((e: { purpose: string }) => /contact details/.test(e.purpose)) as { actor: string; purpose: string; clipId: string }[];
  };
  const put = (who: TestUser, payload: object) => as(t, who, { method: 'PUT', url: URL, payload });

  before(async () => {
    t = await buildTestApp(getDb());
    reviewer = await createStaff(t, 'reviewer');
    agency = await createAgency(t, reviewer);
    officer = await agencyMember(t, agency.id);
    cara = await ownerAt(t, offset(30, 30));
    const clip = (await upload(t, cara, times(t, 2 * H))).json().id;
    const res = await as(t, officer, { method: 'POST', url: `/api/v1/agencies/${agency.id}/requests`, payload: requestBody(t) });
    assert.equal(res.statusCode, 201, res.body);
    requestId = res.json().id;
    assert.equal((await as(t, reviewer, { method: 'POST', url: `/api/v1/review/requests/${requestId}/decision`, payload: { decision: 'approve' } })).statusCode, 200);
    const shared = await as(t, cara, { method: 'POST', url: `/api/v1/me/requests/${requestId}/response`, payload: { share: [clip] } });
    assert.equal(shared.statusCode, 200, shared.body);
    await t.ctx.workers.runAll('ledger.integrate');
  });
  after(async () => t.app.close());

  test('routes: 401 anonymous, 403 for agency members and staff', async () => {
    assert.equal((await t.app.inject({ method: 'GET', url: URL })).statusCode, 401);
    assert.equal((await t.app.inject({ method: 'PUT', url: URL, payload: { enabled: false } })).statusCode, 401);
    assert.equal((await as(t, officer, { method: 'GET', url: URL })).statusCode, 403);
    assert.equal((await put(reviewer, { enabled: false })).statusCode, 403);
  });

  test('off by default: the agency sees no contact and the access log has no showing', async () => {
    assert.deepEqual((await as(t, cara, { method: 'GET', url: URL })).json(), { enabled: false, name: null, phone: null, email: null, updatedAt: null });
    const l = await locker();
    assert.equal(l.neighbors.length, 1);
    assert.equal(l.neighbors[0].contact, null);
    assert.deepEqual(await contactEntries(), []);
  });

  test('bad input is refused with a 400 and writes nothing', async () => {
    const bad: [object, string][] = [
      [{ enabled: true, name: 'x'.repeat(101), phone: '555 0100 123' }, 'body.name'],
      [{ enabled: true, name: 'Cara\u0007', phone: '555 0100 123' }, 'body.name'],
      [{ enabled: true, name: 'Cara', email: 'not-an-address' }, 'body.email'],
      [{ enabled: true, name: 'Cara', email: 'a@b' }, 'body.email'],
      [{ enabled: true, name: 'Cara', phone: 'call me maybe' }, 'body.phone'],
      [{ enabled: true, name: 'Cara', phone: '12345' }, 'body.phone'],
      [{ enabled: true, name: 'Cara', phone: '1'.repeat(31) }, 'body.phone'],
      [{ enabled: true, name: 'Cara' }, 'body.phone'],
      [{ enabled: true, phone: '555 0100 123' }, 'body.name'],
      [{ enabled: true, name: 'Cara', phone: '555 0100 123', extra: 1 }, 'body'],
    ];
    for (const [payload, field] of bad) {
      const res = await put(cara, payload);
      assert.equal(res.statusCode, 400, `${JSON.stringify(payload)}: ${res.body}`);
      assert.ok(res.json().errors?.some((e: { field: string }) => e.field.startsWith(field)), `${JSON.stringify(payload)} names ${field}: ${res.body}`);
    }
    const rows = await getDb().kysely.selectFrom('contact_sharing').selectAll().where('user_id', '=', cara.id).execute();
    assert.deepEqual(rows, []);
  });

  test('on: the agency sees the contact, and each showing is in the access log; off again: no longer shown', async () => {
    const on = await put(cara, { enabled: true, name: '  Cara Lane ', phone: '+1 (503) 555-0100', email: 'cara@example.test' });
    assert.equal(on.statusCode, 200, on.body);
    assert.deepEqual({ ...(on.json() as object), updatedAt: undefined }, { enabled: true, name: 'Cara Lane', phone: '+1 (503) 555-0100', email: 'cara@example.test', updatedAt: undefined });
    assert.deepEqual((await locker()).neighbors[0].contact, { name: 'Cara Lane', phone: '+1 (503) 555-0100', email: 'cara@example.test' });
    await locker();
    const entries = await contactEntries();
    assert.equal(entries.length, 2, 'one entry per showing');
    assert.ok(entries[0].actor.includes(agency.name), entries[0].actor);
    assert.ok(entries[0].actor.includes(requestId), entries[0].actor);
    assert.equal(entries[0].purpose, 'saw the contact details you share: name, phone number, e-mail address');

    // Only a phone number: only it is shown, and the entry says so (a second later, so the log orders it first).
    t.clock.advance(1000);
    assert.equal((await put(cara, { enabled: true, name: 'Cara Lane', phone: '503 555 0100', email: null })).statusCode, 200);
    assert.deepEqual((await locker()).neighbors[0].contact, { name: 'Cara Lane', phone: '503 555 0100', email: null });
    assert.equal((await contactEntries())[0].purpose, 'saw the contact details you share: name, phone number');

    const off = await put(cara, { enabled: false, name: 'Cara Lane', phone: '503 555 0100' });
    assert.equal(off.statusCode, 200, off.body);
    assert.equal(off.json().enabled, false);
    assert.equal((await locker()).neighbors[0].contact, null);
    assert.equal((await contactEntries()).length, 3, 'no showing once it is off');
  });

  test('a resident who shared nothing with the agency is never shown, even with sharing on', async () => {
    const dan = await createResident(t);
    assert.equal((await put(dan, { enabled: true, name: 'Dan', email: 'dan@example.test' })).statusCode, 200);
    assert.equal((await locker()).neighbors.length, 1);
  });

  test('deleting the account removes the contact', async () => {
    assert.equal((await put(cara, { enabled: true, name: 'Cara Lane', email: 'cara@example.test' })).statusCode, 200);
    assert.notEqual((await locker()).neighbors[0].contact, null);
    const del = await as(t, cara, { method: 'POST', url: '/api/v1/me/deletion', payload: { password: PASSWORD, confirm: DELETE_CONFIRMATION } });
    assert.equal(del.statusCode, 200, del.body);
    const rows = await getDb().kysely.selectFrom('contact_sharing').selectAll().where('user_id', '=', cara.id).execute();
    assert.deepEqual(rows, []);
    for (const n of (await locker()).neighbors) assert.equal(n.contact, null);
  });
});
