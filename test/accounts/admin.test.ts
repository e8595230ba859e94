// User administration (issue 14, item 7): administrators find accounts,
// suspend and unsuspend them, reset TOTP and invite, each with a reason that
// lands in the audit trail in the same transaction; bad input writes nothing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachEngine } from '../helpers/db.ts';
import { as, buildTestApp, createResident, createStaff, login, PASSWORD, type TestApp, type TestUser } from '../helpers/app.ts';

forEachEngine('user administration', (getDb) => {
  let t: TestApp;
  let admin: TestUser;
  before(async () => {
    t = await buildTestApp(getDb());
    admin = await createStaff(t, 'admin');
  });
  after(async () => t.app.close());

  const db = () => getDb().kysely;
  // Two actions in one millisecond share created_at; the action name breaks the tie (suspend sorts before unsuspend).
  const audits = (subjectId: string) => db().selectFrom('review_audit').selectAll().where('subject_id', '=', subjectId).orderBy('created_at').orderBy('action').execute();
  const post = (url: string, payload: unknown) => as(t, admin, { method: 'POST', url, payload: payload as object });
  const signIn = (email: string, totp?: string) =>
    t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: PASSWORD, ...(totp ? { totp } : {}) } });

  test('lists and finds accounts by e-mail or name prefix, paged, with only standing fields', async () => {
    const r = await createResident(t);
    const found = await as(t, admin, { method: 'GET', url: `/api/v1/admin/users?q=${encodeURIComponent(r.email.slice(0, 12))}` });
    assert.equal(found.statusCode, 200, found.body);
    const users = found.json().users as Record<string, unknown>[];
    assert.deepEqual(users.map((u) => u.id), [r.id]);
    assert.deepEqual(Object.keys(users[0]!).sort(), ['agencyId', 'createdAt', 'displayName', 'email', 'id', 'lastSeenAt', 'role', 'status', 'totpEnrolled']);
    assert.equal(users[0]!.status, 'active');
    assert.equal(users[0]!.totpEnrolled, false);
    assert.ok(users[0]!.lastSeenAt, 'the resident signed in');
    // Name prefix, case-insensitive; a LIKE wildcard in q matches only itself.
    const byName = await as(t, admin, { method: 'GET', url: `/api/v1/admin/users?q=${encodeURIComponent('RESIDENT')}&role=resident&limit=200` });
    assert.ok((byName.json().users as { id: string }[]).some((u) => u.id === r.id));
    assert.equal((await as(t, admin, { method: 'GET', url: '/api/v1/admin/users?q=%25' })).json().users.length, 0);
    // Pages follow one another without overlap.
    await createResident(t);
    const p1 = await as(t, admin, { method: 'GET', url: '/api/v1/admin/users?limit=1' });
    const p2 = await as(t, admin, { method: 'GET', url: `/api/v1/admin/users?limit=1&cursor=${p1.json().nextCursor}` });
    assert.notEqual(p1.json().users[0].id, p2.json().users[0].id);
    assert.equal((await as(t, admin, { method: 'GET', url: '/api/v1/admin/users?cursor=bogus!' })).statusCode, 400);
    // No settings or personal fields anywhere in the answer.
    for (const field of ['home', 'retentionDays', 'totpRequired', 'password', 'totpSecret', 'clips']) assert.ok(!found.body.includes(`"${field}"`), field);
  });

  test('suspension ends sessions and refuses sign-in; unsuspension restores it; both audited', async () => {
    const r = await createResident(t);
    const res = await post(`/api/v1/admin/users/${r.id}/suspend`, { reason: 'reported for harassment, case 12' });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().status, 'suspended');
    assert.equal((await as(t, r, { method: 'GET', url: '/api/v1/me' })).statusCode, 401, 'the old session is gone');
    assert.equal((await db().selectFrom('sessions').select('id').where('user_id', '=', r.id).execute()).length, 0);
    const refused = await signIn(r.email);
    assert.equal(refused.statusCode, 403);
    assert.match(refused.json().detail, /This account is suspended/);
    assert.equal((await post(`/api/v1/admin/users/${r.id}/suspend`, { reason: 'again' })).statusCode, 409);
    const back = await post(`/api/v1/admin/users/${r.id}/unsuspend`, { reason: 'appeal upheld' });
    assert.equal(back.statusCode, 200, back.body);
    assert.equal(back.json().status, 'active');
    assert.equal((await signIn(r.email)).statusCode, 200);
    const rows = await audits(r.id);
    assert.deepEqual(rows.map((a) => [a.action, a.actor_id, a.subject_kind, a.reason]), [
      ['user.suspend', admin.id, 'user', 'reported for harassment, case 12'],
      ['user.unsuspend', admin.id, 'user', 'appeal upheld'],
    ]);
  });

  test('an administrator cannot suspend themselves; unknown users are 404', async () => {
    const self = await post(`/api/v1/admin/users/${admin.id}/suspend`, { reason: 'testing' });
    assert.equal(self.statusCode, 409);
    assert.equal((await db().selectFrom('users').select('suspended_at').where('id', '=', admin.id).executeTakeFirstOrThrow()).suspended_at, null);
    assert.equal((await post('/api/v1/admin/users/nobody/suspend', { reason: 'x' })).statusCode, 404);
    assert.equal((await post('/api/v1/admin/users/nobody/reset-totp', { reason: 'x' })).statusCode, 404);
    assert.equal((await audits(admin.id)).length, 0);
  });

  test('a missing, blank or over-long reason is 400 and writes nothing', async () => {
    const r = await createResident(t);
    for (const payload of [{}, { reason: '' }, { reason: '   ' }, { reason: 'x'.repeat(501) }, { reason: 'ok', extra: 1 }]) {
      const res = await post(`/api/v1/admin/users/${r.id}/suspend`, payload);
      assert.equal(res.statusCode, 400, JSON.stringify(payload));
      assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
    }
    assert.equal((await db().selectFrom('users').select('suspended_at').where('id', '=', r.id).executeTakeFirstOrThrow()).suspended_at, null);
    assert.equal((await audits(r.id)).length, 0);
    assert.equal((await as(t, r, { method: 'GET', url: '/api/v1/me' })).statusCode, 200, 'the session still works');
  });

  test('reset TOTP: codes and sessions gone, password-only sign-in, then enrolment comes first', async () => {
    const reviewer = await createStaff(t, 'reviewer');
    const res = await post(`/api/v1/admin/users/${reviewer.id}/reset-totp`, { reason: 'lost phone, identity checked in person' });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().totpEnrolled, false);
    assert.equal((await as(t, reviewer, { method: 'GET', url: '/api/v1/me' })).statusCode, 401);
    const u = await db().selectFrom('users').selectAll().where('id', '=', reviewer.id).executeTakeFirstOrThrow();
    assert.equal(u.totp_secret, null);
    assert.equal(u.totp_enabled, 0);
    assert.equal((await db().selectFrom('recovery_codes').select('code_hash').where('user_id', '=', reviewer.id).execute()).length, 0);
    const again = await login(t, reviewer.email);
    const blocked = await as(t, again, { method: 'GET', url: '/api/v1/review/queues' });
    assert.equal(blocked.statusCode, 403);
    assert.match(blocked.json().detail, /TOTP/);
    assert.equal((await post(`/api/v1/admin/users/${reviewer.id}/reset-totp`, { reason: 'twice' })).statusCode, 409);
    assert.deepEqual((await audits(reviewer.id)).map((a) => a.action), ['user.reset_totp']);
  });

  test('invitations create the account, e-mail the invitee and are audited', async () => {
    const email = `invited-${process.pid}@example.test`;
    const res = await post('/api/v1/admin/invitations', { email, displayName: 'Invited Neighbour', role: 'resident', reason: 'block captain asked' });
    assert.equal(res.statusCode, 201, res.body);
    const { user, initialPassword } = res.json();
    assert.equal(user.role, 'resident');
    const mail = await db().selectFrom('outbox_messages').selectAll().where('user_id', '=', user.id).execute();
    assert.deepEqual(mail.map((m) => [m.channel, m.kind]), [['email', 'user.invited']]);
    assert.ok(!JSON.stringify(mail).includes(initialPassword), 'the password is handed over, not e-mailed');
    assert.equal((await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: initialPassword } })).statusCode, 200);
    assert.deepEqual((await audits(user.id)).map((a) => a.action), ['user.invite']);
    assert.equal((await post('/api/v1/admin/invitations', { email, displayName: 'Again', role: 'resident', reason: 'dup' })).statusCode, 409);
    const noAgency = await post('/api/v1/admin/invitations', { email: `m-${process.pid}@example.test`, displayName: 'M', role: 'agency', agencyId: 'no-such-agency', reason: 'x' });
    assert.equal(noAgency.statusCode, 404);
    assert.equal((await db().selectFrom('users').select('id').where('email', '=', `m-${process.pid}@example.test`).execute()).length, 0);
  });
});

test('suspension policy: never oneself, never the last active administrator', async () => {
  const { suspensionRefusal, checkReason } = await import('../../src/accounts/admin-policy.ts');
  assert.match(suspensionRefusal('a', { id: 'a', role: 'admin', suspended: false }, 3)!, /your own/);
  assert.match(suspensionRefusal('a', { id: 'b', role: 'admin', suspended: false }, 1)!, /last active administrator/);
  assert.equal(suspensionRefusal('a', { id: 'b', role: 'admin', suspended: false }, 2), null);
  assert.equal(suspensionRefusal('a', { id: 'b', role: 'resident', suspended: false }, 1), null);
  assert.match(suspensionRefusal('a', { id: 'b', role: 'resident', suspended: true }, 1)!, /already/);
  assert.deepEqual(checkReason('  why  '), { ok: true, value: 'why' });
  assert.equal(checkReason('x'.repeat(501)).ok, false);
});
