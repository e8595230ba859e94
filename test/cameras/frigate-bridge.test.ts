// The Frigate bridge end to end, in process: the real Mosquitto broker, a
// stand-in for Frigate's HTTP API serving the fixture MP4s (Frigate cannot run
// here), and the real Porchlight app over a socket. Messages are built from
// Frigate's documented examples (frigate-kit.ts). SQLite only: the bridge is a
// client of the server's HTTP API, whose storage is tested on both engines.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { freshTarget } from '../helpers/db.ts';
import { openDatabase, type Db } from '../../src/platform/db/db.ts';
import { as, buildTestApp, createResident, type TestApp, type TestUser } from '../helpers/app.ts';
import { runFrigateCli } from '../../src/cameras/frigate.ts';
import { enrolOwnerKey } from '../clips/helpers.ts';
import { captureIo } from './agent-io.ts';
import { endedAgo, enrolledCamera, eventMessage, fakeFrigate, freePort, publisher, reviewMessage, startBroker, uniquePrefix, until, writeConfig, type FakeFrigate } from './frigate-kit.ts';

describe('frigate bridge [sqlite]', () => {
  let db: Db;
  let drop: () => Promise<void>;
  let dbFile: string;
  let t: TestApp;
  let ann: TestUser;
  let server: string;
  let broker: Awaited<ReturnType<typeof startBroker>>;
  // A Frigate of its own per test: the catch-up lists every event Frigate has.
  let frigate: FakeFrigate;
  const frigates: FakeFrigate[] = [];
  let pub: Awaited<ReturnType<typeof publisher>>;
  before(async () => {
    const fresh = await freshTarget('sqlite');
    drop = fresh.drop;
    dbFile = fresh.target.kind === 'sqlite' ? fresh.target.file : '';
    db = await openDatabase(fresh.target);
    t = await buildTestApp(db);
    t.clock.set(Date.now()); // event times are real times
    ann = await createResident(t);
    server = await t.app.listen({ port: 0, host: '127.0.0.1' });
    broker = await startBroker();
    pub = await publisher(broker.url);
  });
  after(async () => {
    await pub.endAsync();
    for (const f of frigates) await f.close();
    await broker.stop();
    await t.app.close();
    await db.close();
    await drop();
  });

  const clipsOf = async (cameraId: string) => (await as(t, ann, { method: 'GET', url: `/api/v1/clips?cameraId=${cameraId}` })).json().items as { id: string; sha256: string; signed: boolean; startedAt: string; kind: string }[];
  let seq = 0;
  const newId = () => `${Math.floor(Date.now() / 1000)}.${String(++seq).padStart(6, '0')}-${Math.random().toString(36).slice(2, 8)}`;

  /** Starts `porchlight frigate run` in process; stop() aborts it and returns its exit code. */
  const running: AbortController[] = [];
  // A failed test must not leave its bridge running (and the test file hanging).
  afterEach(() => running.splice(0).forEach((ac) => ac.abort()));
  const startBridge = (configFile: string) => {
    const ac = new AbortController();
    running.push(ac);
    const io = captureIo(ac.signal);
    const done = runFrigateCli(['run', '--config', configFile], io);
    return { io, done, all: () => [...io.lines, ...io.errors].join('\n'), stop: async () => (ac.abort(), await done) };
  };
  const setup = async (extra: Record<string, unknown> = {}, camera: Record<string, unknown> = {}) => {
    const cam = await enrolledCamera(t, ann, server, camera);
    frigate = await fakeFrigate();
    frigates.push(frigate);
    const prefix = uniquePrefix();
    const config = writeConfig({
      mqtt: { url: broker.url, topicPrefix: prefix, clientId: `pl-bridge-${Math.random().toString(36).slice(2, 10)}` },
      frigate: { url: frigate.url }, cameras: { front_door: { agentState: cam.state } }, ignoreCameras: ['garage'], ...extra,
    });
    const stateFile = path.join(path.dirname(config), 'state/bridge-state.json');
    return { ...cam, prefix, config, stateFile, events: `${prefix}/events`, reviews: `${prefix}/reviews` };
  };

  test('forwards finished events with clips, signed as the camera; skips the rest; face and plate data never leave', async () => {
    const s = await setup();
    const bridge = startBridge(s.config);
    await until(() => bridge.io.lines.some((l) => l.startsWith('catch-up:')), 'the bridge to connect');
    const named = { id: newId(), camera: 'front_door', ...endedAgo(60), subLabel: ['John Smith', 0.79] as [string, number] };
    const car = { id: newId(), camera: 'front_door', label: 'car', ...endedAgo(50), plate: ['ABC123', 0.93] as [string, number], subLabel: ['ABC123', 0.93] as [string, number] };
    const plate = { id: newId(), camera: 'front_door', label: 'license_plate', ...endedAgo(45), subLabel: ['ABC123', 0.9] as [string, number] };
    const face = { id: newId(), camera: 'front_door', label: 'face', ...endedAgo(44), subLabel: ['John Smith', 0.9] as [string, number] };
    const dog = { id: newId(), camera: 'front_door', label: 'dog', ...endedAgo(40) };
    const weak = { id: newId(), camera: 'front_door', topScore: 0.5, ...endedAgo(35) };
    const noClip = { id: newId(), camera: 'front_door', hasClip: false, ...endedAgo(30) };
    const ignored = { id: newId(), camera: 'garage', ...endedAgo(25) };
    for (const e of [named, car, plate, face, dog, weak, ignored]) frigate.add(e, 'clip.mp4');
    // new and update come first, as Frigate sends them; only the end counts.
    await pub.send(s.events, eventMessage('new', { ...named, endS: null }));
    await pub.send(s.events, eventMessage('update', { ...named, endS: null }));
    for (const e of [named, car, plate, face, dog, weak, noClip, ignored]) await pub.send(s.events, eventMessage('end', e));
    await until(async () => (await clipsOf(s.cameraId)).length === 2 && bridge.io.lines.some((l) => l.includes(ignored.id)), 'two uploads');
    await new Promise((r) => setTimeout(r, 200)); // room for a wrong third upload to show up
    assert.equal(await bridge.stop(), 0, bridge.all());

    const clips = await clipsOf(s.cameraId);
    assert.equal(clips.length, 2, bridge.all());
    assert.ok(clips.every((c) => c.signed && c.kind === 'motion'));
    assert.deepEqual(clips.map((c) => Date.parse(c.startedAt)).sort(), [Math.round(named.startS * 1000), Math.round(car.startS * 1000)].sort());
    assert.deepEqual(frigate.clipRequests.filter((id) => [plate.id, face.id, dog.id, weak.id, ignored.id].includes(id)), [], 'skipped clips were never fetched');
    for (const [e, why] of [[plate, /license_plate" is never forwarded/], [face, /"face" is never forwarded/], [dog, /not in "labels"/], [weak, /under minScore/], [ignored, /is ignored/]] as const) {
      assert.match(bridge.all(), new RegExp(`${e.id.replace('.', '\\.')}.*${why.source}`));
    }
    // The names and the plate appear nowhere the bridge writes or Porchlight keeps.
    const kept = [fs.readFileSync(s.stateFile, 'utf8'), bridge.all(), JSON.stringify(await clipsOf(s.cameraId))];
    for (const file of [...walk(t.dataDir), ...walk(path.dirname(dbFile))]) kept.push(fs.readFileSync(file).toString('latin1'));
    for (const secret of ['John Smith', 'ABC123']) assert.ok(!kept.some((k) => k.includes(secret)), `${secret} was kept`);
    const state = JSON.parse(fs.readFileSync(s.stateFile, 'utf8'));
    assert.deepEqual(Object.keys(state.done).sort(), [named.id, car.id].sort());

    // A restart (and its catch-up from Frigate's API) uploads nothing twice.
    const again = startBridge(s.config);
    await until(() => again.io.lines.some((l) => l.startsWith('catch-up:')), 'the second catch-up');
    assert.equal(await again.stop(), 0);
    assert.match(again.all(), /catch-up: \d+ events with clips in the last 24 h, 0 newly queued/);
    assert.equal((await clipsOf(s.cameraId)).length, 2);
  });

  test('bad input: malformed messages, an unknown camera, a clip that is not an MP4 or too big: a clear error and no state change', async () => {
    const s = await setup({ maxClipBytes: 6000 });
    const bridge = startBridge(s.config);
    await until(() => bridge.io.lines.some((l) => l.startsWith('catch-up:')), 'the bridge to connect');
    const unknown = { id: newId(), camera: 'back_yard', ...endedAgo(30) };
    const text = { id: newId(), camera: 'front_door', ...endedAgo(20) };
    const big = { id: newId(), camera: 'front_door', ...endedAgo(10) };
    frigate.add(unknown, 'clip.mp4');
    frigate.add(text, 'text.txt');
    frigate.add(big, 'clip.mp4'); // about 7,000 bytes, over the 6,000 limit
    await pub.send(s.events, 'this is not JSON');
    await pub.send(s.events, { type: 'end' });
    await pub.send(s.events, eventMessage('end', { ...text, id: '../../../etc/passwd' }));
    await pub.send(s.reviews, { type: 'end', after: { id: 'r1', camera: 'front_door' } });
    await pub.send(s.events, eventMessage('end', unknown));
    await pub.send(s.events, eventMessage('end', text));
    await pub.send(s.events, eventMessage('end', big));
    await until(() => bridge.io.errors.some((l) => l.includes(big.id) && /over the limit/.test(l)), 'the oversized clip to be refused');
    assert.equal(await bridge.stop(), 0);
    const errors = bridge.io.errors.join('\n');
    assert.match(errors, /malformed message on .*\/events: payload is not JSON; ignored, nothing recorded/);
    assert.match(errors, /malformed message on .*\/events: after is missing/);
    assert.match(errors, /malformed message on .*\/events: after\.id is missing or not a Frigate event id/);
    assert.match(errors, /malformed message on .*\/reviews: after\.data\.detections/);
    assert.match(errors, new RegExp(`${unknown.id.replace('.', '\\.')}.*unknown camera "back_yard"`));
    assert.match(errors, new RegExp(`${text.id.replace('.', '\\.')}.*not an MP4 Porchlight takes`));
    assert.match(errors, new RegExp(`${big.id.replace('.', '\\.')}.*is \\d+ bytes, over the limit of 6000 \\(maxClipBytes\\)`));
    assert.equal(fs.existsSync(s.stateFile) ? JSON.parse(fs.readFileSync(s.stateFile, 'utf8')).queue.length + Object.keys(JSON.parse(fs.readFileSync(s.stateFile, 'utf8')).done).length : 0, 0, 'nothing recorded');
    assert.equal((await clipsOf(s.cameraId)).length, 0);
  });

  test('a broker that is down at start: a clear error, exit 1, no state file', async () => {
    const s = await setup({ connectTimeoutMs: 2000 });
    const config = JSON.parse(fs.readFileSync(s.config, 'utf8'));
    fs.writeFileSync(s.config, JSON.stringify({ ...config, mqtt: { ...config.mqtt, url: `mqtt://127.0.0.1:${await freePort()}` } }));
    const io = captureIo();
    assert.equal(await runFrigateCli(['run', '--config', s.config], io), 1);
    assert.match(io.errors.join('\n'), /cannot reach the MQTT broker at mqtt:\/\/127\.0\.0\.1:\d+: .*nothing was changed/);
    assert.equal(fs.existsSync(s.stateFile), false);
  });

  test('Porchlight down: events wait in the queue with backoff, a full queue says so, and all are uploaded once it is back', async () => {
    const port = await freePort();
    const s = await setup({ queueLimit: 2 });
    // The agent points at an address where no Porchlight listens yet.
    const agentFile = path.join(s.state, 'state.json');
    fs.writeFileSync(agentFile, JSON.stringify({ ...JSON.parse(fs.readFileSync(agentFile, 'utf8')), server: `http://127.0.0.1:${port}` }), { mode: 0o600 });
    const bridge = startBridge(s.config);
    await until(() => bridge.io.lines.some((l) => l.startsWith('catch-up:')), 'the bridge to connect');
    const events = [0, 1, 2, 3].map((i) => ({ id: newId(), camera: 'front_door', ...endedAgo(100 - i) }));
    for (const e of events) frigate.add(e, 'clip.mp4');
    for (const e of events) await pub.send(s.events, eventMessage('end', e));
    await until(() => bridge.io.errors.filter((l) => /retrying in/.test(l)).length >= 3, 'retries');
    assert.equal(bridge.io.errors.filter((l) => /^queue full: 2 events wait for Porchlight/.test(l)).length, 2, bridge.all());
    const second = await buildTestApp(db);
    second.clock.set(Date.now());
    await second.app.listen({ port, host: '127.0.0.1' });
    try {
      // The two queued go first; the two refused come back through the catch-up once the queue drains.
      await until(async () => (await clipsOf(s.cameraId)).length === 4, 'all four uploads', 120_000);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(await bridge.stop(), 0);
    } finally {
      await second.app.close();
    }
    const clips = await clipsOf(s.cameraId);
    assert.deepEqual(clips.map((c) => Date.parse(c.startedAt)).sort(), events.map((e) => Math.round(e.startS * 1000)).sort(), 'each event exactly once');
    assert.match(bridge.all(), /Porchlight|network|cannot reach/);
  });

  test('reviews: the tracked objects of a finished review are looked up and forwarded when the events topic missed them', async () => {
    const s = await setup();
    const bridge = startBridge(s.config);
    await until(() => bridge.io.lines.some((l) => l.startsWith('catch-up:')), 'the bridge to connect');
    const a = { id: newId(), camera: 'front_door', ...endedAgo(20) };
    const b = { id: newId(), camera: 'front_door', label: 'car', ...endedAgo(15) };
    frigate.add(a, 'clip.mp4');
    frigate.add(b, 'clip-faststart.mp4');
    await pub.send(s.reviews, reviewMessage('update', { id: `${a.id}-review`, camera: 'front_door', detections: [a.id], endS: null }));
    await pub.send(s.reviews, reviewMessage('end', { id: `${a.id}-review`, camera: 'front_door', detections: [a.id, b.id], endS: b.endS }));
    await until(async () => (await clipsOf(s.cameraId)).length === 2, 'both uploads');
    assert.equal(await bridge.stop(), 0);
    assert.match(bridge.all(), /from review/);
  });

  test('end-to-end camera: the bridge uploads the sealed envelope, as `camera upload` does', async () => {
    const key = await enrolOwnerKey(t, ann);
    assert.ok(key.keyId);
    const s = await setup({}, { e2ee: true });
    const bridge = startBridge(s.config);
    await until(() => bridge.io.lines.some((l) => l.startsWith('catch-up:')), 'the bridge to connect');
    const e = { id: newId(), camera: 'front_door', ...endedAgo(20) };
    frigate.add(e, 'clip.mp4');
    await pub.send(s.events, eventMessage('end', e));
    await until(async () => (await clipsOf(s.cameraId)).length === 1, 'the sealed upload');
    assert.equal(await bridge.stop(), 0);
    const [clip] = await clipsOf(s.cameraId);
    const sealed = await as(t, ann, { method: 'GET', url: `/api/v1/clips/${clip.id}/sealed-key` });
    assert.equal(sealed.statusCode, 200, 'stored as an end-to-end envelope with a sealed key');
    const stored = (await as(t, ann, { method: 'GET', url: `/api/v1/clips/${clip.id}/video` })).rawPayload;
    assert.equal(stored.indexOf(Buffer.from('ftyp')), -1, 'the server holds no plaintext MP4');
  });
});

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(path.join(dir, d.name)) : [path.join(dir, d.name)]));
}
