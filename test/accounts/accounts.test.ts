import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachEngine } from '../helpers/db.ts';
import { as, buildTestApp, createResident, createStaff, login, PASSWORD, type TestApp } from '../helpers/app.ts';
import { totpCode } from '../../src/accounts/totp.ts';

const home = { lat: 45.5, lon: -122.6 };

forEachEngine('accounts over HTTP', (getDb) => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp(getDb());
  });
  after(async () => t.app.close());

  const register = (payload: unknown) => t.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: payload as object });

  test('register, login, me, logout (happy path)', async () => {
    const reg = await register({ email: 'Ann@Example.test', password: PASSWORD, displayName: 'Ann', home });
    assert.equal(reg.statusCode, 201);
    assert.equal(reg.json().email, 'ann@example.test');
    assert.equal(reg.json().role, 'resident');
    assert.equal('password_hash' in reg.json(), false);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'ann@example.test', password: PASSWORD } });
    assert.equal(res.statusCode, 200);
    const { token } = res.json();
    assert.match(token, /^pls_/);
    const cookie = res.cookies.find((c) => c.name === 'porchlight_session');
    assert.ok(cookie?.httpOnly);
    assert.equal(cookie?.sameSite, 'Lax');
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
    assert.equal(me.statusCode, 200);
    assert.deepEqual(me.json().home, home);
    const out = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { authorization: `Bearer ${token}` } });
    assert.equal(out.statusCode, 204);
    const again = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
    assert.equal(again.statusCode, 401);
  });

  test('session token is stored only as a hash', async () => {
    const u = await createResident(t);
    const rows = await getDb().kysely.selectFrom('sessions').select('token_hash').where('user_id', '=', u.id).execute();
    assert.ok(rows.length > 0);
    for (const r of rows) assert.notEqual(r.token_hash, u.token);
  });

  test('bad input answers 4xx problem JSON', async () => {
    const cases: [unknown, number, RegExp][] = [
      [{ email: 'x@example.test', password: 'short', displayName: 'X', home }, 400, /at least 12/],
      [{ email: 'y@example.test', password: 'password1234', displayName: 'Y', home }, 400, /too common/],
      [{ email: 'z@example.test', password: PASSWORD, displayName: 'Z', home: { lat: 91, lon: 0 } }, 400, /home\.lat/],
      [{ email: 'z@example.test', password: PASSWORD, displayName: 'Z', home: { lat: 0, lon: -181 } }, 400, /home\.lon/],
      [{ email: 'z@example.test', password: PASSWORD, displayName: 'Z', home: { lat: '10', lon: 0 } }, 400, /home\.lat/],
      [{ email: 'z@example.test', password: PASSWORD, displayName: 'Z', home, admin: true }, 400, /admin/],
      [{ email: 'not-an-email', password: PASSWORD, displayName: 'Z', home }, 400, /email/],
      [{ password: PASSWORD, displayName: 'Z', home }, 400, /email/],
    ];
    for (const [payload, status, detail] of cases) {
      const res = await register(payload);
      assert.equal(res.statusCode, status, JSON.stringify(payload));
      assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.match(res.body, detail);
    }
    const malformed = await t.app.inject({ method: 'POST', url: '/api/v1/auth/register', headers: { 'content-type': 'application/json' }, payload: '{"email":' });
    assert.equal(malformed.statusCode, 400);
    const huge = await t.app.inject({ method: 'POST', url: '/api/v1/auth/register', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ email: 'a@b.test', password: 'x'.repeat(100_000) }) });
    assert.equal(huge.statusCode, 413);
    const wrongType = await t.app.inject({ method: 'POST', url: '/api/v1/auth/register', headers: { 'content-type': 'text/plain' }, payload: 'hello' });
    assert.equal(wrongType.statusCode, 415);
    const count = await getDb().kysely.selectFrom('users').select('email').where('email', 'in', ['x@example.test', 'y@example.test', 'z@example.test']).execute();
    assert.equal(count.length, 0, 'no partial writes');
  });

  test('an e-mail already taken is 409', async () => {
    await register({ email: 'dup@example.test', password: PASSWORD, displayName: 'D', home });
    const res = await register({ email: 'DUP@example.test', password: PASSWORD, displayName: 'D', home });
    assert.equal(res.statusCode, 409);
  });

  test('401 without a session or with a bad token', async () => {
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/me' })).statusCode, 401);
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: 'Bearer pls_nope' } })).statusCode, 401);
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: 'Basic abc' } })).statusCode, 401);
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/me/sessions' })).statusCode, 401);
    assert.equal((await t.app.inject({ method: 'POST', url: '/api/v1/me/password', payload: {} })).statusCode, 401);
  });

  test('an expired session is refused', async () => {
    const u = await createResident(t);
    t.clock.advance(31 * 24 * 3_600_000);
    try {
      assert.equal((await as(t, u, { method: 'GET', url: '/api/v1/me' })).statusCode, 401);
    } finally {
      t.clock.advance(-31 * 24 * 3_600_000);
    }
  });

  test('TOTP is mandatory for staff: 403 everywhere but enrolment until enrolled', async () => {
    const admin = await createStaff(t, 'admin', { enrolTotp: false });
    const blocked = await as(t, admin, { method: 'GET', url: '/api/v1/me/sessions' });
    assert.equal(blocked.statusCode, 403);
    assert.match(blocked.json().detail, /TOTP/);
    assert.equal((await as(t, admin, { method: 'GET', url: '/api/v1/me' })).statusCode, 200);
    const enrol = await as(t, admin, { method: 'POST', url: '/api/v1/auth/totp/enroll' });
    assert.equal(enrol.statusCode, 200);
    assert.match(enrol.json().otpauthUri, /^otpauth:\/\/totp\//);
    const bad = await as(t, admin, { method: 'POST', url: '/api/v1/auth/totp/verify', payload: { code: '000000' } });
    assert.equal(bad.statusCode, 400);
    const code = totpCode(enrol.json().secret, t.clock.now());
    assert.equal((await as(t, admin, { method: 'POST', url: '/api/v1/auth/totp/verify', payload: { code } })).statusCode, 200);
    assert.equal((await as(t, admin, { method: 'GET', url: '/api/v1/me/sessions' })).statusCode, 200);
    // Signing in now needs a code; the enrolment code itself is spent (replay).
    const noCode = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: admin.email, password: PASSWORD } });
    assert.equal(noCode.statusCode, 401);
    assert.match(noCode.json().detail, /TOTP code required/);
    const replay = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: admin.email, password: PASSWORD, totp: code } });
    assert.equal(replay.statusCode, 401);
    t.clock.advance(30_000);
    const next = totpCode(enrol.json().secret, t.clock.now());
    const ok = await login(t, admin.email, { totp: next });
    assert.ok(ok.token);
    const replayed = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: admin.email, password: PASSWORD, totp: next } });
    assert.equal(replayed.statusCode, 401, 'a replayed TOTP code is refused');
  });

  test('the second factor belongs to the session: password-only sessions end when the user enrols', async () => {
    const member = await createStaff(t, 'agency', { enrolTotp: false });
    const other = await login(t, member.email);
    assert.equal((await as(t, other, { method: 'GET', url: '/api/v1/me/sessions' })).statusCode, 403);
    const enrol = await as(t, member, { method: 'POST', url: '/api/v1/auth/totp/enroll' });
    const code = totpCode(enrol.json().secret, t.clock.now());
    assert.equal((await as(t, member, { method: 'POST', url: '/api/v1/auth/totp/verify', payload: { code } })).statusCode, 200);
    assert.equal((await as(t, member, { method: 'GET', url: '/api/v1/me/sessions' })).statusCode, 200, 'the enrolling session passed TOTP');
    assert.equal((await as(t, other, { method: 'GET', url: '/api/v1/me/sessions' })).statusCode, 401, 'the password-only session is gone');
  });

  test('TOTP secrets are stored sealed under the master key, bound to their user', async () => {
    const reviewer = await createStaff(t, 'reviewer');
    const other = await createStaff(t, 'reviewer');
    const rows = await getDb().kysely.selectFrom('users').select(['id', 'totp_secret']).where('id', 'in', [reviewer.id, other.id]).execute();
    const mine = rows.find((r) => r.id === reviewer.id)!.totp_secret!;
    assert.ok(!mine.includes(reviewer.totpSecret!), 'the plain secret is not in the database');
    // A sealed secret copied onto another user does not open there: signing in fails, it does not fall back.
    await getDb().kysely.updateTable('users').set({ totp_secret: mine }).where('id', '=', other.id).execute();
    t.clock.advance(60_000);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: other.email, password: PASSWORD, totp: totpCode(other.totpSecret!, t.clock.now()) } });
    assert.equal(res.statusCode, 401);
    assert.match(res.json().detail, /cannot be checked for this account/);
  });

  test('only agency members belong to an agency', async () => {
    const admin = await createStaff(t, 'admin');
    const res = await as(t, admin, { method: 'POST', url: '/api/v1/admin/users', payload: { email: 'inside@example.test', password: PASSWORD, displayName: 'Inside', role: 'reviewer', agencyId: 'some-agency' } });
    assert.equal(res.statusCode, 400);
    assert.match(res.json().detail, /cannot belong to an agency/);
  });

  const attempt = (email: string, password: string, remoteAddress = '127.0.0.1') =>
    t.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress, payload: { email, password } });

  test('issue 17 defect 5: a guesser backs off exponentially, is told when to retry, and never locks the owner out at a known address', async () => {
    const u = await createResident(t); // signed in from 127.0.0.1: a known address for this account
    for (let i = 0; i < 3; i++) assert.equal((await attempt(u.email, 'wrong-password-123', '10.1.1.1')).statusCode, 401);
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await attempt(u.email, 'wrong-password-123', '10.1.1.1');
      assert.equal(r.statusCode, 429);
      assert.match(r.json().detail, /try again in \d+ seconds?/);
      waits.push(Number(r.headers['retry-after']));
      t.clock.advance(waits[i] * 1000);
      assert.equal((await attempt(u.email, 'wrong-password-123', '10.1.1.1')).statusCode, 401, 'after the wait, the attempt is checked');
    }
    assert.deepEqual(waits, [1, 2, 4, 8]);
    // Guesses spread over many addresses raise the account-wide count: a new device waits, the owner's known address does not.
    for (let i = 0; i < 12; i++) await attempt(u.email, 'wrong-password-123', `10.2.0.${i}`);
    const fresh = await attempt(u.email, PASSWORD, '10.3.3.3');
    assert.equal(fresh.statusCode, 429);
    assert.ok(Number(fresh.headers['retry-after']) > 0);
    assert.equal((await attempt(u.email, PASSWORD)).statusCode, 200, 'the right password from a known address always gets through');
    t.clock.advance(16 * 60_000);
    assert.equal((await attempt(u.email, PASSWORD, '10.3.3.3')).statusCode, 200, 'failures older than the window are forgotten');
  });

  test('the throttle is kept in the database: a restarted server still knows the failures', async () => {
    const u = await createResident(t);
    for (let i = 0; i < 3; i++) await attempt(u.email, 'wrong-password-123', '10.4.4.4');
    // The same database and data directory (so the same master key), as a restarted or second node would have.
    const restarted = await buildTestApp(getDb(), { DATA_DIR: t.dataDir });
    restarted.clock.advance(t.clock.now() - restarted.clock.now());
    try {
      const r = await restarted.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: '10.4.4.4', payload: { email: u.email, password: 'wrong-password-123' } });
      assert.equal(r.statusCode, 429, 'another process on the same database sees the same counts');
    } finally {
      await restarted.app.close();
    }
    const rows = await getDb().kysely.selectFrom('login_failures').select('key').execute();
    assert.ok(rows.length > 0 && rows.every((row) => !row.key.includes(u.email) && !row.key.includes('10.4.4.4')), 'keys are keyed hashes, not e-mails or addresses');
    t.clock.advance(16 * 60_000);
  });

  test('login is throttled per address across accounts', async () => {
    for (let i = 0; i < 30; i++) await attempt(`nobody${i}@example.test`, 'wrong-password-123', '10.9.9.9');
    const r = await attempt('other@example.test', 'wrong-password-123', '10.9.9.9');
    assert.equal(r.statusCode, 429);
    t.clock.advance(16 * 60_000);
  });

  test('sessions: list, revoke own, not others', async () => {
    const a = await createResident(t);
    const a2 = await login(t, a.email);
    const b = await createResident(t);
    const list = await as(t, a, { method: 'GET', url: '/api/v1/me/sessions' });
    assert.equal(list.statusCode, 200);
    assert.equal(list.json().length, 2);
    const other = list.json().find((s: { current: boolean }) => !s.current);
    assert.equal((await as(t, b, { method: 'DELETE', url: `/api/v1/me/sessions/${other.id}` })).statusCode, 404);
    assert.equal((await as(t, a, { method: 'DELETE', url: `/api/v1/me/sessions/${other.id}` })).statusCode, 204);
    assert.equal((await as(t, a2, { method: 'GET', url: '/api/v1/me' })).statusCode, 401);
    assert.equal((await as(t, a, { method: 'DELETE', url: '/api/v1/me/sessions/..%2F..%2Fetc' })).statusCode, 400);
  });

  test('password change checks the old one, the new one, and ends other sessions', async () => {
    const a = await createResident(t);
    const a2 = await login(t, a.email);
    assert.equal((await as(t, a, { method: 'POST', url: '/api/v1/me/password', payload: { currentPassword: 'wrong-password-1', newPassword: 'a-new-password-42' } })).statusCode, 400);
    assert.equal((await as(t, a, { method: 'POST', url: '/api/v1/me/password', payload: { currentPassword: PASSWORD, newPassword: 'short' } })).statusCode, 400);
    assert.equal((await as(t, a, { method: 'POST', url: '/api/v1/me/password', payload: { currentPassword: PASSWORD, newPassword: 'a-new-password-42' } })).statusCode, 204);
    assert.equal((await as(t, a2, { method: 'GET', url: '/api/v1/me' })).statusCode, 401);
    assert.equal((await as(t, a, { method: 'GET', url: '/api/v1/me' })).statusCode, 200);
  });

  test('cookie sessions need the CSRF token on unsafe methods', async () => {
    const u = await createResident(t);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: u.email, password: PASSWORD } });
    const cookies = { porchlight_session: res.json().token };
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/me', cookies })).statusCode, 200);
    const noToken = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', cookies });
    assert.equal(noToken.statusCode, 403);
    assert.match(noToken.json().detail, /CSRF/);
    const wrong = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', cookies, headers: { 'x-csrf-token': 'nope' } });
    assert.equal(wrong.statusCode, 403);
    const ok = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', cookies, headers: { 'x-csrf-token': res.json().csrfToken } });
    assert.equal(ok.statusCode, 204);
  });

  test('admin creates staff; other roles get 403', async () => {
    const admin = await createStaff(t, 'admin');
    const resident = await createResident(t);
    const reviewer = await createStaff(t, 'reviewer');
    const payload = { email: 'new-reviewer@example.test', password: PASSWORD, displayName: 'New', role: 'reviewer' };
    assert.equal((await as(t, null, { method: 'POST', url: '/api/v1/admin/users', payload })).statusCode, 401);
    assert.equal((await as(t, resident, { method: 'POST', url: '/api/v1/admin/users', payload })).statusCode, 403);
    assert.equal((await as(t, reviewer, { method: 'POST', url: '/api/v1/admin/users', payload })).statusCode, 403);
    assert.equal((await as(t, admin, { method: 'POST', url: '/api/v1/admin/users', payload: { ...payload, role: 'superuser' } })).statusCode, 400);
    const ok = await as(t, admin, { method: 'POST', url: '/api/v1/admin/users', payload });
    assert.equal(ok.statusCode, 201);
    assert.equal(ok.json().totpRequired, true);
  });

  test('security headers, problem 404s, operations routes', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-security-policy']), /default-src 'self'/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 200);
    const missing = await t.app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.headers['content-type'], 'application/problem+json; charset=utf-8');
    // Metrics are not public (issue 17, defect 4): the public app answers 404; test/app/metrics.test.ts covers their listener.
    assert.equal((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode, 404);
    const openapi = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(openapi.json().openapi, '3.1.0');
    assert.ok(openapi.json().paths['/api/v1/auth/login']);
    const docs = await t.app.inject({ method: 'GET', url: '/docs/' });
    assert.equal(docs.statusCode, 200);
  });
});
