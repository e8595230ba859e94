import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { AddressInfo } from 'node:net';
import { forEachEngine } from '../helpers/db.ts';
import { as, buildTestApp, createResident, type TestApp, type TestUser } from '../helpers/app.ts';
import { startSmtp, type TestSmtp } from '../helpers/smtp.ts';
import { enqueue, enqueueMany, backoffMs, OUTBOX } from '../../src/platform/outbox/outbox.ts';
import { OUTBOX_WORKER } from '../../src/platform/outbox/service.ts';

forEachEngine('outbox', (getDb) => {
  let t: TestApp;
  let smtp: TestSmtp;
  let ann: TestUser;
  let bob: TestUser;
  before(async () => {
    smtp = await startSmtp();
    t = await buildTestApp(getDb(), { SMTP_URL: smtp.url, MAIL_FROM: 'Porchlight Test <noreply@porchlight.test>' });
    ann = await createResident(t);
    bob = await createResident(t);
  });
  after(async () => {
    await t.app.close();
    await smtp.close();
  });

  const db = () => t.ctx.db.kysely;
  const row = (id: string) => db().selectFrom('outbox_messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const deliver = () => t.ctx.workers.runAll(OUTBOX_WORKER);

  test('a message is written in the caller transaction: a rollback leaves nothing', async () => {
    const before = await db().selectFrom('outbox_messages').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    await assert.rejects(db().transaction().execute(async (tx) => {
      await enqueue(tx, { channel: 'inapp', userId: ann.id, kind: 'test.rollback', payload: {} }, t.clock.now());
      throw new Error('abort the approval');
    }), /abort the approval/);
    const afterCount = await db().selectFrom('outbox_messages').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    assert.equal(Number(afterCount.n), Number(before.n));
  });

  test('an e-mail message without subject and text is a programming error', async () => {
    await assert.rejects(db().transaction().execute((tx) => enqueue(tx, { channel: 'email', userId: ann.id, kind: 'x', payload: { text: 'no subject' } }, t.clock.now())), /subject/);
  });

  test('e-mail goes over SMTP to the account address; in-app lands in the inbox', async () => {
    const [mailId, appId] = await db().transaction().execute(async (tx) => [
      await enqueue(tx, { channel: 'email', userId: ann.id, kind: 'test.hello', payload: { subject: 'Hello from the outbox', text: 'A neighbourly message.' } }, t.clock.now()),
      await enqueue(tx, { channel: 'inapp', userId: ann.id, kind: 'test.hello', payload: { title: 'Hello' } }, t.clock.now()),
    ]);
    await deliver();
    const mail = smtp.received.find((m) => m.raw.includes('Hello from the outbox'));
    assert.ok(mail, 'the SMTP server received the message');
    assert.deepEqual(mail.to, [ann.email]);
    assert.equal(mail.from, 'noreply@porchlight.test');
    assert.match(mail.raw, /A neighbourly message\./);
    assert.match(mail.raw, new RegExp(`Message-ID: <${mailId}@`, 'i'));
    assert.notEqual((await row(mailId)).delivered_at, null);
    assert.equal((await row(appId)).attempts, 1);

    const inbox = await as(t, ann, { method: 'GET', url: '/api/v1/me/notifications' });
    assert.equal(inbox.statusCode, 200);
    const item = inbox.json().find((n: { id: string }) => n.id === appId);
    assert.deepEqual({ kind: item.kind, payload: item.payload, read: item.read }, { kind: 'test.hello', payload: { title: 'Hello' }, read: false });
    assert.ok((await as(t, bob, { method: 'GET', url: '/api/v1/me/notifications' })).json().every((n: { id: string }) => n.id !== appId));

    assert.equal((await as(t, bob, { method: 'POST', url: `/api/v1/me/notifications/${appId}/read` })).statusCode, 404);
    assert.equal((await as(t, ann, { method: 'POST', url: `/api/v1/me/notifications/${appId}/read` })).statusCode, 204);
    assert.equal((await as(t, ann, { method: 'GET', url: '/api/v1/me/notifications' })).json().find((n: { id: string }) => n.id === appId).read, true);
  });

  test('a refused delivery is retried with exponential backoff, then delivered', async () => {
    smtp.refuse(1);
    const id = await db().transaction().execute((tx) => enqueue(tx, { channel: 'email', userId: bob.id, kind: 'test.retry', payload: { subject: 'Retry me', text: 'second time lucky' } }, t.clock.now()));
    await deliver();
    let r = await row(id);
    assert.equal(r.delivered_at, null);
    assert.equal(r.attempts, 1);
    assert.match(r.last_error ?? '', /451|try again/i);
    assert.equal(r.next_attempt_at, t.clock.now() + backoffMs(1));
    // Not due yet: another run leaves it alone.
    await deliver();
    assert.equal((await row(id)).attempts, 1);
    t.clock.advance(backoffMs(1));
    await deliver();
    r = await row(id);
    assert.notEqual(r.delivered_at, null);
    assert.equal(r.attempts, 2);
    assert.equal(smtp.received.filter((m) => m.raw.includes('Retry me')).length, 1);
  });

  test('backoff doubles and is capped; a message is given up after the last attempt', async () => {
    assert.equal(backoffMs(2), 2 * backoffMs(1));
    assert.equal(backoffMs(40), OUTBOX.maxDelayMs);
    const id = await db().transaction().execute((tx) => enqueue(tx, { channel: 'email', userId: ann.id, kind: 'test.dead', payload: { subject: 'Never', text: 'x' } }, t.clock.now()));
    smtp.refuse(OUTBOX.maxAttempts);
    for (let i = 0; i < OUTBOX.maxAttempts; i++) {
      await deliver();
      t.clock.advance(OUTBOX.maxDelayMs);
    }
    const r = await row(id);
    assert.equal(r.attempts, OUTBOX.maxAttempts);
    assert.notEqual(r.dead_at, null);
    assert.equal(r.delivered_at, null);
  });

  test('a message for a deleted account is given up, not retried forever', async () => {
    const id = await db().transaction().execute((tx) => enqueue(tx, { channel: 'email', userId: 'no-such-user', kind: 'test.gone', payload: { subject: 's', text: 't' } }, t.clock.now()));
    await deliver();
    const r = await row(id);
    assert.notEqual(r.dead_at, null);
    assert.equal(r.attempts, 1);
  });

  test('a restart loses nothing: a new process delivers what the old one committed, and a dead worker lease runs out', async () => {
    await db().transaction().execute((tx) => enqueueMany(tx, [
      { channel: 'inapp', userId: ann.id, kind: 'test.restart', payload: { n: 1 } },
      { channel: 'email', userId: ann.id, kind: 'test.restart', payload: { subject: 'After the restart', text: 'still here' } },
    ], t.clock.now()));
    const ids = await db().selectFrom('outbox_messages').select('id').where('kind', '=', 'test.restart').execute();
    assert.equal(ids.length, 2);
    // The "old process" claimed the rows and died before delivering.
    await db().updateTable('outbox_messages').set({ locked_until: t.clock.now() + OUTBOX.leaseMs }).where('kind', '=', 'test.restart').execute();
    const second = await buildTestApp(getDb(), { SMTP_URL: smtp.url });
    try {
      second.clock.set(t.clock.now());
      await second.ctx.workers.runAll(OUTBOX_WORKER);
      for (const { id } of ids) assert.equal((await row(id)).delivered_at, null, 'a leased row is left to its worker');
      second.clock.advance(OUTBOX.leaseMs);
      await second.ctx.workers.runAll(OUTBOX_WORKER);
      for (const { id } of ids) assert.notEqual((await row(id)).delivered_at, null);
      assert.ok(smtp.received.some((m) => m.raw.includes('After the restart')));
    } finally {
      await second.app.close();
    }
  });

  test('without SMTP_URL e-mail goes to the log in dev mode and counts as delivered', async () => {
    const dev = await buildTestApp(getDb());
    try {
      assert.equal(dev.services.outbox.mailer.mode, 'dev-log');
      dev.clock.set(t.clock.now());
      const id = await db().transaction().execute((tx) => enqueue(tx, { channel: 'email', userId: bob.id, kind: 'test.dev', payload: { subject: 'Dev', text: 'logged' } }, t.clock.now()));
      const before = smtp.received.length;
      await dev.ctx.workers.runAll(OUTBOX_WORKER);
      assert.notEqual((await row(id)).delivered_at, null);
      assert.equal(smtp.received.length, before);
    } finally {
      await dev.app.close();
    }
  });

  test('GET /api/v1/me/events streams notifications live and replays after Last-Event-ID', async () => {
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/me/events' })).statusCode, 401);
    assert.equal((await as(t, ann, { method: 'GET', url: '/api/v1/me/notifications?limit=0' })).statusCode, 400);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (t.app.server.address() as AddressInfo).port;
    const ctrl = new AbortController();
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/me/events`, { headers: ann.auth, signal: ctrl.signal });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', 'the hijacked stream keeps the security headers');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        text += decoder.decode(value, { stream: true });
      }
    };
    await readUntil('retry:');
    const id = await db().transaction().execute((tx) => enqueue(tx, { channel: 'inapp', userId: ann.id, kind: 'test.live', payload: { live: true } }, t.clock.now()));
    await db().transaction().execute((tx) => enqueue(tx, { channel: 'inapp', userId: bob.id, kind: 'test.not-for-ann', payload: {} }, t.clock.now()));
    await deliver();
    await readUntil(`id: ${id}\n`);
    await readUntil('\n\n');
    const frame = text.slice(text.indexOf(`id: ${id}`));
    const data = JSON.parse(/data: (.*)\n/.exec(frame)![1]);
    assert.deepEqual({ id: data.id, kind: data.kind, payload: data.payload }, { id, kind: 'test.live', payload: { live: true } });
    assert.ok(!text.includes('test.not-for-ann'));
    ctrl.abort();

    // Reconnecting with the last id seen replays only what came after it.
    const later = await db().transaction().execute((tx) => enqueue(tx, { channel: 'inapp', userId: ann.id, kind: 'test.missed', payload: {} }, t.clock.now() + 1));
    await deliver();
    const ctrl2 = new AbortController();
    const res2 = await fetch(`http://127.0.0.1:${port}/api/v1/me/events`, { headers: { ...ann.auth, 'last-event-id': id }, signal: ctrl2.signal });
    const reader2 = res2.body!.getReader();
    let text2 = '';
    while (!text2.includes(`id: ${later}`)) {
      const { value, done } = await reader2.read();
      if (done) break;
      text2 += decoder.decode(value, { stream: true });
    }
    assert.ok(text2.includes(`id: ${later}`));
    assert.ok(!text2.includes(`id: ${id}\n`));
    ctrl2.abort();
  });
});
