import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, test } from 'node:test';
import { forEachEngine } from '../helpers/db.ts';
import { as, buildTestApp, createResident, type TestApp, type TestUser } from '../helpers/app.ts';
import { ENROLMENT } from '../../src/cameras/policy.ts';
import { resolveDeviceToken } from '../../src/cameras/service.ts';
import { exportDevicePublicKey } from '../../src/cameras/signature.ts';
import { hashToken } from '../../src/platform/crypto.ts';

const porch = { name: 'Porch', location: { lat: 45.5231, lon: -122.6765 }, kind: 'doorbell' };
const newKey = () => exportDevicePublicKey(generateKeyPairSync('ed25519').publicKey);

forEachEngine('device enrolment and tokens over HTTP', (getDb) => {
  let t: TestApp;
  let ann: TestUser;
  before(async () => {
    t = await buildTestApp(getDb());
    ann = await createResident(t);
  });
  after(async () => t.app.close());

  const camera = async () => (await as(t, ann, { method: 'POST', url: '/api/v1/cameras', payload: porch })).json() as { id: string };
  const code = async (id: string) => {
    const res = await as(t, ann, { method: 'POST', url: `/api/v1/cameras/${id}/enrolment-code` });
    assert.equal(res.statusCode, 201, res.body);
    return res.json() as { code: string; expiresAt: string };
  };
  const enroll = (payload: object) => t.app.inject({ method: 'POST', url: '/api/v1/devices/enroll', payload });
  const device = (token: string, url = '/api/v1/devices/me', method: 'GET' | 'POST' = 'GET') =>
    t.app.inject({ method, url, headers: { authorization: `Bearer ${token}` } });

  test('a code is exchanged once for a token; the key is registered; the token works', async () => {
    const cam = await camera();
    const c = await code(cam.id);
    assert.match(c.code, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    assert.equal(c.expiresAt, new Date(t.clock.now() + ENROLMENT.ttlMs).toISOString());
    const publicKey = newKey();
    const res = await enroll({ code: c.code.toLowerCase(), publicKey });
    assert.equal(res.statusCode, 201, res.body);
    const { cameraId, token } = res.json();
    assert.equal(cameraId, cam.id);
    assert.match(token, /^pld_[A-Za-z0-9_-]{43}$/);

    const me = await device(token);
    assert.equal(me.statusCode, 200, me.body);
    assert.equal(me.json().id, cam.id);
    assert.deepEqual(me.json().device, { enrolled: true, publicKey });
    assert.deepEqual((await as(t, ann, { method: 'GET', url: `/api/v1/cameras/${cam.id}` })).json().device, { enrolled: true, publicKey });

    const replay = await enroll({ code: c.code, publicKey: newKey() });
    assert.equal(replay.statusCode, 401);
    assert.match(replay.json().detail, /already been used/);
    assert.equal((await device(token)).statusCode, 200, 'a replay does not disturb the enrolled device');

    // Codes and tokens are stored only as hashes.
    const tokens = await getDb().kysely.selectFrom('device_tokens').selectAll().where('camera_id', '=', cam.id).execute();
    assert.deepEqual(tokens.map((r) => r.token_hash), [hashToken(token)]);
    const codes = await getDb().kysely.selectFrom('device_enrolments').select('code_hash').where('camera_id', '=', cam.id).execute();
    assert.ok(codes.every((r) => !r.code_hash.includes(c.code.replaceAll('-', ''))));

    const actor = await resolveDeviceToken(getDb(), token);
    assert.deepEqual(actor, { kind: 'device', cameraId: cam.id, ownerId: ann.id, tokenId: tokens[0].id });
    assert.equal(await resolveDeviceToken(getDb(), token.slice(0, -1)), null);
    assert.equal(await resolveDeviceToken(getDb(), 'pls_' + token.slice(4)), null);
  });

  test('an expired code is refused, and so is an unknown or malformed one', async () => {
    const cam = await camera();
    const c = await code(cam.id);
    t.clock.advance(ENROLMENT.ttlMs);
    const late = await enroll({ code: c.code, publicKey: newKey() });
    assert.equal(late.statusCode, 401);
    assert.match(late.json().detail, /expired/);
    for (const bad of ['ZZZZ-ZZZZ-ZZZZ', 'hello', '', 'ABCD-EFGH-JKMU']) {
      const res = await enroll({ code: bad, publicKey: newKey() });
      assert.ok([400, 401].includes(res.statusCode), bad);
      assert.ok(res.json().detail, 'says why');
    }
    const camAfter = (await as(t, ann, { method: 'GET', url: `/api/v1/cameras/${cam.id}` })).json();
    assert.equal(camAfter.device.enrolled, false);
  });

  test('a new code ends the earlier unused one', async () => {
    const cam = await camera();
    const first = await code(cam.id);
    const second = await code(cam.id);
    assert.equal((await enroll({ code: first.code, publicKey: newKey() })).statusCode, 401);
    assert.equal((await enroll({ code: second.code, publicKey: newKey() })).statusCode, 201);
  });

  test('bad enrolment bodies are 400 and use up nothing', async () => {
    const cam = await camera();
    const c = await code(cam.id);
    const bad: object[] = [
      { code: c.code }, { publicKey: newKey() }, { code: c.code, publicKey: 'not a key' },
      { code: c.code, publicKey: Buffer.alloc(31).toString('base64') }, { code: c.code, publicKey: newKey(), cameraId: cam.id },
      { code: 42, publicKey: newKey() },
    ];
    for (const payload of bad) assert.equal((await enroll(payload)).statusCode, 400, JSON.stringify(payload));
    assert.equal((await enroll({ code: c.code, publicKey: newKey() })).statusCode, 201, 'the code is still good');
  });

  test('two devices racing with one code: exactly one wins', async () => {
    const cam = await camera();
    const c = await code(cam.id);
    const results = await Promise.all(Array.from({ length: 5 }, () => enroll({ code: c.code, publicKey: newKey() })));
    assert.deepEqual(results.map((r) => r.statusCode).sort(), [201, 401, 401, 401, 401]);
  });

  test('a device token cannot use owner routes (403) and is not accepted from a cookie', async () => {
    const cam = await camera();
    const { token } = (await enroll({ code: (await code(cam.id)).code, publicKey: newKey() })).json();
    assert.equal((await device(token, '/api/v1/cameras')).statusCode, 403);
    assert.equal((await device(token, `/api/v1/cameras/${cam.id}`)).statusCode, 403);
    assert.equal((await device(token, `/api/v1/cameras/${cam.id}/enrolment-code`, 'POST')).statusCode, 403);
    assert.equal((await device(token, `/api/v1/cameras/${cam.id}/device-token/rotate`, 'POST')).statusCode, 403);
    const viaCookie = await t.app.inject({ method: 'GET', url: '/api/v1/devices/me', cookies: { porchlight_session: token } });
    assert.equal(viaCookie.statusCode, 401);
    assert.equal((await as(t, ann, { method: 'GET', url: '/api/v1/devices/me' })).statusCode, 403, 'an owner session is not a device');
  });

  test('rotation issues a new token and the old one stops working; the key stays', async () => {
    const cam = await camera();
    const rotateEarly = await as(t, ann, { method: 'POST', url: `/api/v1/cameras/${cam.id}/device-token/rotate` });
    assert.equal(rotateEarly.statusCode, 409, 'nothing to rotate before a device enrols');
    const publicKey = newKey();
    const old = (await enroll({ code: (await code(cam.id)).code, publicKey })).json().token;
    const rot = await as(t, ann, { method: 'POST', url: `/api/v1/cameras/${cam.id}/device-token/rotate` });
    assert.equal(rot.statusCode, 201, rot.body);
    const fresh = rot.json().token;
    assert.notEqual(fresh, old);
    assert.equal(rot.json().cameraId, cam.id);
    assert.equal((await device(old)).statusCode, 401);
    const me = await device(fresh);
    assert.equal(me.statusCode, 200);
    assert.equal(me.json().device.publicKey, publicKey);
  });

  test('a device rotates its own token; the calling token stops working, the key stays', async () => {
    const cam = await camera();
    const publicKey = newKey();
    const old = (await enroll({ code: (await code(cam.id)).code, publicKey })).json().token;
    const rot = await device(old, '/api/v1/devices/me/token/rotate', 'POST');
    assert.equal(rot.statusCode, 201, rot.body);
    assert.equal(rot.json().cameraId, cam.id);
    const fresh = rot.json().token;
    assert.equal((await device(old)).statusCode, 401);
    assert.equal((await device(old, '/api/v1/devices/me/token/rotate', 'POST')).statusCode, 401, 'an old token cannot mint a new one');
    assert.equal((await device(fresh)).json().device.publicKey, publicKey);
    assert.equal((await as(t, ann, { method: 'POST', url: '/api/v1/devices/me/token/rotate' })).statusCode, 403, 'an owner session is not a device');
    assert.equal((await t.app.inject({ method: 'POST', url: '/api/v1/devices/me/token/rotate' })).statusCode, 401);
  });

  test('revocation: the token stops working until the device enrols again', async () => {
    const cam = await camera();
    const token = (await enroll({ code: (await code(cam.id)).code, publicKey: newKey() })).json().token;
    const del = await as(t, ann, { method: 'DELETE', url: `/api/v1/cameras/${cam.id}/device-token` });
    assert.equal(del.statusCode, 204);
    assert.equal((await device(token)).statusCode, 401);
    assert.equal((await as(t, ann, { method: 'DELETE', url: `/api/v1/cameras/${cam.id}/device-token` })).statusCode, 204, 'idempotent');
    const publicKey = newKey();
    const again = (await enroll({ code: (await code(cam.id)).code, publicKey })).json().token;
    assert.equal((await device(again)).json().device.publicKey, publicKey);
  });

  test('enrolling again replaces the device: the earlier token is revoked, the new key registered', async () => {
    const cam = await camera();
    const first = (await enroll({ code: (await code(cam.id)).code, publicKey: newKey() })).json().token;
    const publicKey = newKey();
    const second = (await enroll({ code: (await code(cam.id)).code, publicKey })).json().token;
    assert.equal((await device(first)).statusCode, 401);
    assert.equal((await device(second)).json().device.publicKey, publicKey);
  });

  test('removing a camera ends its device token', async () => {
    const cam = await camera();
    const token = (await enroll({ code: (await code(cam.id)).code, publicKey: newKey() })).json().token;
    assert.equal((await as(t, ann, { method: 'DELETE', url: `/api/v1/cameras/${cam.id}` })).statusCode, 204);
    assert.equal((await device(token)).statusCode, 401);
  });
});
