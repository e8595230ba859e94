// Notification channels (issue 14 §4) on both engines: each kind goes out on
// the channels its owner chose, through the real outbox to a real SMTP server;
// no choice keeps today's channels; legal notices cannot be switched off.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachEngine } from '../helpers/db.ts';
import { as, buildTestApp, createStaff, type TestApp, type TestUser } from '../helpers/app.ts';
import { startSmtp, type TestSmtp } from '../helpers/smtp.ts';
import { agencyMember, createAgency, offset, ownerAt, requestBody } from '../requests/helpers.ts';
import { post, residentAt } from '../feed/helpers.ts';

const URL = '/api/v1/me/notification-settings';
const EMAIL_ONLY = { inapp: false, email: true, push: false };

forEachEngine('control center: notification channels', (getDb) => {
  let t: TestApp;
  let smtp: TestSmtp;
  let reviewer: TestUser;

  const inbox = async (who: TestUser, kind: string) => (await as(t, who, { method: 'GET', url: '/api/v1/me/notifications?limit=200' })).json().filter((n: { kind: string }) => n.kind === kind);
  const mailTo = (who: TestUser, text: string) => smtp.received.filter((m) => m.to.includes(who.email) && m.raw.includes(text));
  const put = (who: TestUser, payload: object) => as(t, who, { method: 'PUT', url: URL, payload });

  before(async () => {
    smtp = await startSmtp();
    t = await buildTestApp(getDb(), { SMTP_URL: smtp.url, MAIL_FROM: 'Porchlight Test <noreply@porchlight.test>' });
    reviewer = await createStaff(t, 'reviewer');
  });
  after(async () => {
    await t.app.close();
    await smtp.close();
  });

  test('routes: 401 anonymous, 403 for staff', async () => {
    assert.equal((await t.app.inject({ method: 'GET', url: URL })).statusCode, 401);
    assert.equal((await t.app.inject({ method: 'PUT', url: URL, payload: {} })).statusCode, 401);
    assert.equal((await as(t, reviewer, { method: 'GET', url: URL })).statusCode, 403);
    assert.equal((await put(reviewer, { requests: EMAIL_ONLY })).statusCode, 403);
  });

  test('the default is today\'s channels; notices switched off entirely are refused, naming the kind, and nothing is written', async () => {
    const ann = await residentAt(t);
    const defaults = (await as(t, ann, { method: 'GET', url: URL })).json();
    assert.deepEqual(defaults, {
      requests: { inapp: true, email: true, push: true },
      notices: { inapp: true, email: true, push: false },
      feed_replies: { inapp: true, email: false, push: false },
      feed_posts: { inapp: true, email: false, push: false },
    });
    const res = await put(ann, { requests: EMAIL_ONLY, notices: { inapp: false, email: false, push: false } });
    assert.equal(res.statusCode, 400, res.body);
    assert.match(res.json().detail, /^notices: legal notices/);
    assert.deepEqual(res.json().errors.map((e: { field: string }) => e.field), ['body.notices']);
    assert.deepEqual((await as(t, ann, { method: 'GET', url: URL })).json(), defaults, 'not even the valid kind was saved');
    assert.equal((await getDb().kysely.selectFrom('notification_settings').select('kind').where('user_id', '=', ann.id).execute()).length, 0);
    for (const bad of [{ requests: { inapp: true } }, { requests: { ...EMAIL_ONLY, sms: true } }, { weather: EMAIL_ONLY }, { requests: { inapp: 'yes', email: true, push: false } }]) {
      assert.equal((await put(ann, bad)).statusCode, 400, JSON.stringify(bad));
    }
    // One channel is enough for notices; feed push set here also sets the feed's own switch.
    const ok = await put(ann, { notices: { inapp: false, email: false, push: true }, feed_posts: { inapp: true, email: false, push: true } });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual(ok.json().notices, { inapp: false, email: false, push: true });
    assert.equal((await as(t, ann, { method: 'GET', url: '/api/v1/me/feed-settings' })).json().push.posts, true);
  });

  test('requests switched to e-mail only: a real e-mail, no in-app notice; an owner who chose nothing gets both', async () => {
    const agency = await createAgency(t, reviewer);
    const officer = await agencyMember(t, agency.id);
    const cara = await ownerAt(t, offset(30, 30));
    const dan = await ownerAt(t, offset(-30, -30));
    const saved = await put(cara, { requests: EMAIL_ONLY });
    assert.equal(saved.statusCode, 200, saved.body);
    assert.deepEqual(saved.json().requests, EMAIL_ONLY);
    const res = await as(t, officer, { method: 'POST', url: `/api/v1/agencies/${agency.id}/requests`, payload: requestBody(t) });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal((await as(t, reviewer, { method: 'POST', url: `/api/v1/review/requests/${res.json().id}/decision`, payload: { decision: 'approve' } })).statusCode, 200);
    await t.ctx.workers.runAll('outbox');
    assert.equal(mailTo(cara, 'asks neighbours for camera footage').length, 1, 'cara got the e-mail');
    assert.deepEqual(await inbox(cara, 'request.new'), [], 'and no in-app notice');
    assert.equal(mailTo(dan, 'asks neighbours for camera footage').length, 1);
    assert.equal((await inbox(dan, 'request.new')).length, 1);
  });

  test('feed replies switched to e-mail only: the author gets an e-mail instead of the in-app notice', async () => {
    const ann = await residentAt(t);
    const bob = await residentAt(t, 300, 0);
    assert.equal((await put(ann, { feed_replies: EMAIL_ONLY })).statusCode, 200);
    const p = await post(t, ann, { title: 'Lost cat on Alder St' });
    assert.equal((await as(t, bob, { method: 'POST', url: `/api/v1/feed/posts/${p.id}/comments`, payload: { body: 'Saw it by the park' } })).statusCode, 201);
    await t.ctx.workers.runAll('outbox');
    assert.equal(mailTo(ann, 'A reply to your post').length, 1);
    assert.deepEqual(await inbox(ann, 'feed.reply'), []);
    // Nobody chose e-mail for nearby posts: none is sent (the default), the in-app notice is.
    assert.equal(smtp.received.filter((m) => m.to.includes(bob.email) && m.raw.includes('Nearby on Porchlight')).length, 0);
    assert.equal((await inbox(bob, 'feed.post')).length, 1);
  });
});
