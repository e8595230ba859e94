// The camera agent in end-to-end mode, over a real socket: `porchlight camera
// upload` refuses until the owner has a key, then seals the clip (zones burned
// in with ffmpeg first) so the server stores an envelope only the owner opens,
// and a retry returns the same clip.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { forEachEngine, tempDir } from '../helpers/db.ts';
import { as, buildTestApp, createResident, fixturePath, type TestApp, type TestUser } from '../helpers/app.ts';
import { runCameraCli } from '../../src/cameras/agent.ts';
import { enrolOwnerKey, fixture } from '../clips/helpers.ts';
import { checkEnvelope, envelopeRangeFor, importContentKey, openEnvelopeRange } from '../../src/platform/sealed/envelope.ts';
import { openSecret } from '../../src/platform/sealed/hpke.ts';
import { captureIo } from './agent-io.ts';

const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

forEachEngine('camera agent: end-to-end mode', (getDb) => {
  let t: TestApp;
  let ann: TestUser;
  let server: string;
  before(async () => {
    t = await buildTestApp(getDb());
    t.clock.set(Date.now());
    ann = await createResident(t);
    server = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => t.app.close());

  test('no key: refused with a clear message; with a key: the envelope is stored, the zone burned in, and only the owner opens it', async () => {
    const zone = [[0, 0], [0.5, 0], [0.5, 0.5], [0, 0.5]];
    const cam = (await as(t, ann, { method: 'POST', url: '/api/v1/cameras', payload: { name: 'Door', location: { lat: 1, lon: 2 }, kind: 'doorbell', e2ee: true, privacyZones: [zone] } }));
    assert.equal(cam.statusCode, 201, cam.body);
    const cameraId = cam.json().id;
    const { code } = (await as(t, ann, { method: 'POST', url: `/api/v1/cameras/${cameraId}/enrolment-code` })).json();
    const state = path.join(tempDir(), 'agent');
    assert.equal(await runCameraCli(['enroll', '--server', server, '--code', code, '--state', state], captureIo()), 0);
    const args = ['upload', fixturePath('clip.mp4'), '--started', new Date(Date.now() - 60_000).toISOString(), '--ended', new Date(Date.now() - 59_000).toISOString(), '--kind', 'motion', '--state', state];

    const early = captureIo();
    assert.notEqual(await runCameraCli(args, early), 0);
    assert.match(early.errors.join('\n'), /has not set up an end-to-end key/);

    const key = await enrolOwnerKey(t, ann);
    const io = captureIo();
    assert.equal(await runCameraCli(args, io), 0, io.errors.join('\n'));
    assert.match(io.lines.join('\n'), /1 privacy zone burned in before sealing/);
    const again = captureIo();
    assert.equal(await runCameraCli(args, again), 0, again.errors.join('\n'));
    const clips = (await as(t, ann, { method: 'GET', url: `/api/v1/clips?cameraId=${cameraId}` })).json().items;
    assert.equal(clips.length, 1, 'the retry returned the stored clip');

    const sealed = (await as(t, ann, { method: 'GET', url: `/api/v1/clips/${clips[0].id}/sealed-key` })).json();
    const envelope = (await as(t, ann, { method: 'GET', url: `/api/v1/clips/${clips[0].id}/video` })).rawPayload;
    assert.equal(envelope.indexOf(Buffer.from('ftyp')), -1);
    const header = checkEnvelope(b64(sealed.envelopeHeader), envelope.length);
    const secret = await openSecret(key.pair, header.bytes, b64(sealed.sealedKey));
    const r = envelopeRangeFor(header.plainSize, 0, header.plainSize - 1);
    const plain = Buffer.from(await openEnvelopeRange(await importContentKey(secret.contentKey), header, 0, header.plainSize - 1, envelope.subarray(r.start, r.end + 1)));
    assert.equal(plain.subarray(4, 8).toString(), 'ftyp');
    assert.notDeepEqual(plain, fixture('clip.mp4'), 'the zone was burned in, so the bytes differ from the original');
  });
});
