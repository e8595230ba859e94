// Web push through the outbox against a push service running in the test
// process: the message arrives encrypted for the browser (RFC 8291), signed
// with the server's VAPID key (RFC 8292), and decrypts to the payload.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDecipheriv, createECDH, createPublicKey, hkdfSync, randomBytes, verify } from 'node:crypto';
import { after, before, test } from 'node:test';
import { forEachEngine } from '../helpers/db.ts';
import { as, buildTestApp, createResident, type TestApp, type TestUser } from '../helpers/app.ts';
import { enqueue } from '../../src/platform/outbox/outbox.ts';
import { pushEndpointProblem } from '../../src/platform/outbox/push.ts';

interface Received { path: string; headers: http.IncomingHttpHeaders; body: Buffer }

/** RFC 8291 §3.4 / RFC 8188: decrypts one aes128gcm record with the browser's keys. */
function decrypt(body: Buffer, ua: ReturnType<typeof createECDH>, auth: Buffer): string {
  const salt = body.subarray(0, 16);
  const idlen = body[20];
  const asPublic = body.subarray(21, 21 + idlen);
  const ciphertext = body.subarray(21 + idlen);
  const shared = ua.computeSecret(asPublic);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), ua.getPublicKey(), asPublic]);
  const ikm = Buffer.from(hkdfSync('sha256', shared, auth, keyInfo, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const d = createDecipheriv('aes-128-gcm', cek, nonce);
  d.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const plain = Buffer.concat([d.update(ciphertext.subarray(0, ciphertext.length - 16)), d.final()]);
  return plain.subarray(0, plain.lastIndexOf(2)).toString('utf8');
}

/** Checks the VAPID JWT (ES256) against the server's public key; returns its claims. */
function checkVapid(header: string, publicKey: string): Record<string, unknown> {
  const m = /^vapid t=([^,]+), k=(.+)$/.exec(header);
  assert.ok(m, header);
  assert.equal(m[2], publicKey);
  const [h, p, s] = m[1].split('.');
  const raw = Buffer.from(publicKey, 'base64url');
  const key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'), y: raw.subarray(33).toString('base64url') }, format: 'jwk' });
  assert.ok(verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url')), 'VAPID signature');
  return JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
}

forEachEngine('outbox: web push', (getDb) => {
  let t: TestApp;
  let ann: TestUser;
  let server: http.Server;
  let origin: string;
  const received: Received[] = [];
  const ua = createECDH('prime256v1');
  ua.generateKeys();
  const auth = randomBytes(16);

  before(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(req.url?.startsWith('/gone') ? 410 : 201).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    t = await buildTestApp(getDb(), { WEB_PUSH_ORIGINS: origin });
    ann = await createResident(t);
  });
  after(async () => {
    await t.app.close();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const subscribe = (user: TestUser | null, endpoint: string) => as(t, user, {
    method: 'POST', url: '/api/v1/me/push-subscriptions',
    payload: { endpoint, expirationTime: null, keys: { p256dh: ua.getPublicKey().toString('base64url'), auth: auth.toString('base64url') } },
  });

  test('only push services (and listed origins) are accepted as endpoints', async () => {
    assert.equal(pushEndpointProblem('https://fcm.googleapis.com/fcm/send/abc', []), null);
    assert.equal(pushEndpointProblem('https://updates.push.services.mozilla.com/wpush/v2/x', []), null);
    assert.match(pushEndpointProblem('https://169.254.169.254/latest', []) ?? '', /push service/);
    assert.match(pushEndpointProblem('http://fcm.googleapis.com/x', []) ?? '', /https/);
    assert.match(pushEndpointProblem('https://evil.example/fcm.googleapis.com', []) ?? '', /push service/);
    assert.equal((await subscribe(ann, 'https://internal.example/admin')).statusCode, 400);
    assert.equal((await subscribe(null, `${origin}/push/a`)).statusCode, 401);
    assert.equal((await as(t, ann, { method: 'POST', url: '/api/v1/me/push-subscriptions', payload: { endpoint: `${origin}/x`, keys: { p256dh: 'short', auth: 'x' } } })).statusCode, 400);
  });

  test('a push message reaches the browser encrypted, with a valid VAPID signature, and decrypts to the payload', async () => {
    const sub = await subscribe(ann, `${origin}/push/ann`);
    assert.equal(sub.statusCode, 201, sub.body);
    const { publicKey } = (await t.app.inject({ method: 'GET', url: '/api/v1/push/vapid-key' })).json();
    const id = await t.ctx.db.kysely.transaction().execute((tx) => enqueue(tx, { channel: 'push', userId: ann.id, kind: 'test.push', payload: { title: 'Hello', body: 'A request' } }, t.clock.now()));
    await t.ctx.workers.runAll('outbox');
    const row = await t.ctx.db.kysely.selectFrom('outbox_messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    assert.notEqual(row.delivered_at, null, row.last_error ?? '');
    const msg = received.find((r) => r.path === '/push/ann');
    assert.ok(msg);
    assert.equal(msg.headers['content-encoding'], 'aes128gcm');
    assert.ok(Number(msg.headers.ttl) > 0);
    const claims = checkVapid(String(msg.headers.authorization), publicKey);
    assert.equal(claims.aud, origin);
    assert.match(String(claims.sub), /^mailto:/);
    assert.deepEqual(JSON.parse(decrypt(msg.body, ua, auth)), { title: 'Hello', body: 'A request' });
    assert.ok(!msg.body.includes(Buffer.from('A request')), 'the push service sees only ciphertext');
  });

  test('a subscription the push service reports gone (410) is removed; only its owner can delete one', async () => {
    const sub = (await subscribe(ann, `${origin}/gone/1`)).json();
    const other = await createResident(t);
    assert.equal((await as(t, other, { method: 'DELETE', url: `/api/v1/me/push-subscriptions/${sub.id}` })).statusCode, 404);
    await t.ctx.db.kysely.transaction().execute((tx) => enqueue(tx, { channel: 'push', userId: ann.id, kind: 'test.push', payload: {} }, t.clock.now()));
    await t.ctx.workers.runAll('outbox');
    assert.equal(await t.ctx.db.kysely.selectFrom('push_subscriptions').select('id').where('id', '=', sub.id).executeTakeFirst(), undefined);
    const keep = (await subscribe(ann, `${origin}/push/ann`)).json();
    assert.equal((await as(t, ann, { method: 'DELETE', url: `/api/v1/me/push-subscriptions/${keep.id}` })).statusCode, 204);
  });

  test('a user with no browser subscribed: the push message is simply done', async () => {
    const bob = await createResident(t);
    const id = await t.ctx.db.kysely.transaction().execute((tx) => enqueue(tx, { channel: 'push', userId: bob.id, kind: 'test.push', payload: {} }, t.clock.now()));
    await t.ctx.workers.runAll('outbox');
    const row = await t.ctx.db.kysely.selectFrom('outbox_messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    assert.notEqual(row.delivered_at, null);
  });
});
