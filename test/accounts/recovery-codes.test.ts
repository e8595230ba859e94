// TOTP recovery codes (issue 14, item 5): ten shown once at enrolment, stored
// only as hashes, each good for one sign-in in place of a TOTP code, replaced
// as a set by regeneration.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachEngine } from '../helpers/db.ts';
import { as, buildTestApp, createResident, createStaff, login, PASSWORD, type TestApp } from '../helpers/app.ts';
import { totpCode } from '../../src/accounts/totp.ts';

forEachEngine('TOTP recovery codes', (getDb) => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp(getDb());
  });
  after(async () => t.app.close());

  const signIn = (email: string, totp?: string) =>
    t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: PASSWORD, ...(totp === undefined ? {} : { totp }) } });

  /** A reviewer enrolled through the routes, with the codes the verify step answered. */
  async function enrolled() {
    const user = await createStaff(t, 'reviewer', { enrolTotp: false });
    const enrol = await as(t, user, { method: 'POST', url: '/api/v1/auth/totp/enroll' });
    const secret = enrol.json().secret as string;
    const verify = await as(t, user, { method: 'POST', url: '/api/v1/auth/totp/verify', payload: { code: totpCode(secret, t.clock.now()) } });
    assert.equal(verify.statusCode, 200, verify.body);
    return { user, secret, codes: verify.json().recoveryCodes as string[], body: verify.json() };
  }

  test('enrolment answers ten distinct codes once, and the database holds only their hashes', async () => {
    const { user, codes, body } = await enrolled();
    assert.equal(body.totpEnabled, true);
    assert.equal(codes.length, 10);
    assert.equal(new Set(codes).size, 10);
    for (const c of codes) assert.match(c, /^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/);
    const rows = await getDb().kysely.selectFrom('recovery_codes').selectAll().where('user_id', '=', user.id).execute();
    assert.equal(rows.length, 10);
    const stored = JSON.stringify(rows);
    for (const c of codes) {
      assert.ok(!stored.includes(c) && !stored.includes(c.replace(/-/g, '')), 'no plaintext code is stored');
    }
  });

  test('a recovery code signs in once; the second use and a wrong code fail', async () => {
    const { user, codes } = await enrolled();
    const first = await signIn(user.email, codes[0]);
    assert.equal(first.statusCode, 200, first.body);
    assert.ok(first.json().token);
    // The session passed the second factor: staff routes work.
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/me/sessions', headers: { authorization: `Bearer ${first.json().token}` } })).statusCode, 200);
    const again = await signIn(user.email, codes[0]);
    assert.equal(again.statusCode, 401);
    assert.match(again.json().detail, /recovery code/);
    const wrong = await signIn(user.email, 'aaaa-bbbb-cccc');
    assert.equal(wrong.statusCode, 401);
    // Typed in another case, without dashes: still the same code.
    const typed = await signIn(user.email, codes[1]!.toUpperCase().replace(/-/g, ' '));
    assert.equal(typed.statusCode, 200, typed.body);
  });

  test('two concurrent sign-ins with one code: exactly one succeeds', async () => {
    const { user, codes } = await enrolled();
    const both = await Promise.all([signIn(user.email, codes[2]), signIn(user.email, codes[2])]);
    assert.deepEqual(both.map((r) => r.statusCode).sort(), [200, 401]);
  });

  test('wrong recovery codes are throttled like wrong TOTP codes', async () => {
    const { user, codes } = await enrolled();
    let last = 0;
    for (let i = 0; i < 30 && last !== 429; i++) last = (await signIn(user.email, `zzzz-zzzz-zz${'234567'[i % 6]}${'234567'[Math.floor(i / 6) % 6]}`)).statusCode;
    assert.equal(last, 429, 'repeated wrong codes end in 429');
    assert.equal((await signIn(user.email, codes[0])).statusCode, 429, 'even a right code waits out the throttle');
  });

  test('regenerating needs the password or a TOTP code and invalidates every old code', async () => {
    const { user, secret, codes } = await enrolled();
    const url = '/api/v1/auth/totp/recovery-codes';
    assert.equal((await as(t, user, { method: 'POST', url, payload: {} })).statusCode, 400);
    assert.equal((await as(t, user, { method: 'POST', url, payload: { password: 'not-the-password' } })).statusCode, 400);
    assert.equal((await as(t, user, { method: 'POST', url, payload: { totp: '000000' } })).statusCode, 400);
    const byPassword = await as(t, user, { method: 'POST', url, payload: { password: PASSWORD } });
    assert.equal(byPassword.statusCode, 200, byPassword.body);
    const fresh = byPassword.json().recoveryCodes as string[];
    assert.equal(fresh.length, 10);
    assert.equal((await signIn(user.email, codes[3])).statusCode, 401, 'an old code stops working');
    t.clock.advance(30_000);
    const byTotp = await as(t, user, { method: 'POST', url, payload: { totp: totpCode(secret, t.clock.now()) } });
    assert.equal(byTotp.statusCode, 200, byTotp.body);
    assert.equal((await signIn(user.email, fresh[0])).statusCode, 401, 'the previous set is gone too');
    assert.equal((await signIn(user.email, byTotp.json().recoveryCodes[0])).statusCode, 200);
  });

  test('the regenerate route: 401 signed out, 403 before staff TOTP, 409 without TOTP', async () => {
    const url = '/api/v1/auth/totp/recovery-codes';
    assert.equal((await t.app.inject({ method: 'POST', url, payload: { password: PASSWORD } })).statusCode, 401);
    const staff = await createStaff(t, 'admin', { enrolTotp: false });
    assert.equal((await as(t, staff, { method: 'POST', url, payload: { password: PASSWORD } })).statusCode, 403);
    const resident = await createResident(t);
    assert.equal((await as(t, resident, { method: 'POST', url, payload: { password: PASSWORD } })).statusCode, 409);
    const signedIn = await login(t, resident.email);
    assert.equal((await as(t, signedIn, { method: 'POST', url, payload: { password: PASSWORD } })).statusCode, 409);
  });
});
