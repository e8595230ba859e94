// Crash test: `porchlight frigate run` as its own process, SIGKILLed (the node
// process itself, checked gone) in the middle of an upload, twice, and
// restarted: every event is uploaded exactly once.
//
// A TCP relay sits between the bridge and the real Porchlight server so that
// the kills land at the two moments that matter: (1) while the clip is on its
// way (the server never stores it), and (2) after the server stored the clip
// and answered 201, before the bridge could record it (the answer is held).
// The relay forwards bytes unchanged; it is not a stand-in for the server.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { freshTarget } from '../helpers/db.ts';
import { openDatabase, type Db } from '../../src/platform/db/db.ts';
import { as, buildTestApp, createResident, type TestApp, type TestUser } from '../helpers/app.ts';
import { killServer, NODE, ROOT } from '../helpers/server.ts';
import { endedAgo, enrolledCamera, eventMessage, fakeFrigate, publisher, startBroker, uniquePrefix, until, writeConfig, type EventSpec, type FakeFrigate } from './frigate-kit.ts';

type Trigger = { on: 'request' | 'created'; fire: () => void } | null;

/** A byte relay to `port` that, when armed, holds one clip upload (or its 201 answer) and fires. */
async function relay(port: number): Promise<{ port: number; arm(t: Trigger): void; close(): Promise<void> }> {
  let trigger: Trigger = null;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    sockets.add(client).add(upstream);
    let held = false;
    const fire = () => {
      held = true;
      const t = trigger!;
      trigger = null;
      t.fire();
    };
    client.on('data', (d: Buffer) => {
      if (held) return;
      if (trigger?.on === 'request' && d.includes('POST /api/v1/clips')) return fire();
      upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => {
      if (held) return;
      if (trigger?.on === 'created' && d.subarray(0, 12).toString() === 'HTTP/1.1 201') return fire();
      client.write(d);
    });
    client.on('close', () => upstream.destroy()).on('error', () => {});
    upstream.on('close', () => client.destroy()).on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    arm: (t) => void (trigger = t),
    close: () => new Promise((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
}

let db: Db;
let drop: () => Promise<void>;
let t: TestApp;
let ann: TestUser;
let broker: Awaited<ReturnType<typeof startBroker>>;
let frigate: FakeFrigate;
before(async () => {
  const fresh = await freshTarget('sqlite');
  drop = fresh.drop;
  db = await openDatabase(fresh.target);
  t = await buildTestApp(db);
  t.clock.set(Date.now());
  ann = await createResident(t);
  broker = await startBroker();
  frigate = await fakeFrigate();
});
after(async () => {
  await frigate.close();
  await broker.stop();
  await t.app.close();
  await db.close();
  await drop();
});

test('kill -9 of the bridge mid-upload, twice, then a restart: every event is uploaded exactly once', async () => {
  const server = await t.app.listen({ port: 0, host: '127.0.0.1' });
  const hop = await relay(Number(new URL(server).port));
  const cam = await enrolledCamera(t, ann, server);
  const agentFile = path.join(cam.state, 'state.json');
  fs.writeFileSync(agentFile, JSON.stringify({ ...JSON.parse(fs.readFileSync(agentFile, 'utf8')), server: `http://127.0.0.1:${hop.port}` }), { mode: 0o600 });
  const prefix = uniquePrefix();
  const config = writeConfig({
    mqtt: { url: broker.url, topicPrefix: prefix, clientId: `pl-crash-${Date.now().toString(36)}` },
    frigate: { url: frigate.url }, cameras: { front_door: { agentState: cam.state } },
  });
  const pub = await publisher(broker.url);
  let output = '';
  let bridge: ChildProcess | null = null;
  const start = async () => {
    const child = spawn(NODE, ['src/main.ts', 'frigate', 'run', '--config', config], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const mark = output.length;
    child.stdout!.on('data', (b) => (output += b));
    child.stderr!.on('data', (b) => (output += b));
    bridge = child;
    await until(() => output.slice(mark).includes('catch-up:'), 'the bridge to connect');
  };
  const kill = () => killServer({ child: bridge!, base: '', stdout: () => output, stderr: () => output });
  const clipStarts = async () => ((await as(t, ann, { method: 'GET', url: `/api/v1/clips?cameraId=${cam.cameraId}` })).json().items as { startedAt: string }[]).map((c) => Date.parse(c.startedAt)).sort();
  const events: EventSpec[] = [];
  const publish = async (n: number) => {
    for (let i = 0; i < n; i++) {
      const e = { id: `${Math.floor(Date.now() / 1000)}.${String(events.length).padStart(6, '0')}-crash${events.length}`, camera: 'front_door', ...endedAgo(200 - events.length) };
      events.push(e);
      frigate.add(e, events.length % 2 ? 'clip.mp4' : 'clip-faststart.mp4');
      await pub.send(`${prefix}/events`, eventMessage('end', e));
    }
  };
  try {
    // 1. Killed while the first clip is on its way to the server.
    let killed: Promise<void> | null = null;
    hop.arm({ on: 'request', fire: () => void (killed = kill()) });
    await start();
    await publish(3);
    await until(() => killed !== null, 'the first upload to start');
    await killed;
    assert.deepEqual(await clipStarts(), [], 'nothing stored by the cut-off upload');

    // Events that arrive while the bridge is down wait for it (persistent session, then the catch-up).
    await publish(2);
    killed = null;
    // 2. Killed after the server stored a clip and answered 201, before the bridge heard it.
    hop.arm({ on: 'created', fire: () => void (killed = kill()) });
    await start();
    await until(() => killed !== null, 'the first 201');
    await killed;
    assert.equal((await clipStarts()).length, 1, 'the server stored that one clip');

    // 3. A clean run to the end.
    await publish(1);
    await start();
    await until(async () => (await clipStarts()).length >= events.length, 'every event uploaded', 120_000);
    await until(() => {
      const s = JSON.parse(fs.readFileSync(path.join(path.dirname(config), 'state/bridge-state.json'), 'utf8'));
      return s.queue.length === 0 && Object.keys(s.done).length === events.length;
    }, 'the state file to record every event');
    await new Promise((r) => setTimeout(r, 300)); // room for a duplicate to show up
    assert.deepEqual(await clipStarts(), events.map((e) => Math.round(e.startS * 1000)).sort(), `each event exactly once\n${output}`);
    assert.match(output, /uploaded as clip \w+ \(the server had it already/, 'the retry after the held 201 got the stored clip back');
  } finally {
    if (bridge) await kill();
    await pub.endAsync();
    await hop.close();
  }
});
