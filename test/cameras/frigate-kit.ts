// What the Frigate bridge tests share: the real Mosquitto broker (the one on
// 127.0.0.1:1883, or one started on a free port when none answers), a small
// HTTP server that speaks Frigate's event and clip endpoints with the
// repository's fixture MP4s (Frigate itself cannot run here), Frigate-shaped
// MQTT messages built from the documented examples in test/fixtures/frigate,
// and an enrolled Porchlight camera agent per Frigate camera.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { as, fixturePath, type TestApp, type TestUser } from '../helpers/app.ts';
import { tempDir } from '../helpers/db.ts';
import { runCameraCli } from '../../src/cameras/agent.ts';
import { captureIo } from './agent-io.ts';

export const freePort = () => new Promise<number>((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const { port } = (s.address() as net.AddressInfo);
    s.close(() => resolve(port));
  });
});

const answers = (port: number) => new Promise<boolean>((resolve) => {
  const s = net.connect(port, '127.0.0.1');
  s.once('connect', () => (s.destroy(), resolve(true)));
  s.once('error', () => resolve(false));
});

/** Polls `check` until it holds; the limit only stops a hung test, it is not a timing assertion. */
export async function until(check: () => boolean | Promise<boolean>, what: string, limitMs = 60_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The MQTT broker's URL: Mosquitto on 1883 when it answers, else one started for these tests. */
export async function startBroker(): Promise<{ url: string; stop(): Promise<void> }> {
  if (await answers(1883)) return { url: 'mqtt://127.0.0.1:1883', stop: async () => {} };
  const port = await freePort();
  const child: ChildProcess = spawn('mosquitto', ['-p', String(port)], { stdio: 'ignore' });
  await until(() => answers(port), `mosquitto on port ${port}`, 10_000);
  return { url: `mqtt://127.0.0.1:${port}`, stop: async () => void child.kill('SIGTERM') };
}

/** A topic prefix of its own per test, so tests (and other users of the shared broker) never hear each other. */
export const uniquePrefix = () => `porchlight-test-${randomBytes(4).toString('hex')}/frigate`;

export async function publisher(url: string): Promise<MqttClient & { send(topic: string, payload: unknown, qos?: 0 | 1): Promise<void> }> {
  const c = await mqtt.connectAsync(url, { clientId: `pl-test-pub-${randomBytes(4).toString('hex')}`, clean: true });
  return Object.assign(c, {
    send: async (topic: string, payload: unknown, qos: 0 | 1 = 1) => void (await c.publishAsync(topic, typeof payload === 'string' ? payload : JSON.stringify(payload), { qos })),
  });
}

const DOC_EVENT = JSON.parse(fs.readFileSync(fixturePath('frigate/event-update.json'), 'utf8'));
const DOC_REVIEW = JSON.parse(fs.readFileSync(fixturePath('frigate/review-update.json'), 'utf8'));

export interface EventSpec {
  id: string;
  camera: string;
  label?: string;
  topScore?: number;
  startS: number;
  endS: number | null;
  hasClip?: boolean;
  falsePositive?: boolean;
  /** What Frigate's face recognition or plate reader attached: must never leave the bridge. */
  subLabel?: [string, number] | null;
  plate?: [string, number] | null;
}

/** A frigate/events message shaped as Frigate's documented example, with the given fields. */
export function eventMessage(type: 'new' | 'update' | 'end', s: EventSpec): Record<string, unknown> {
  const side = (base: Record<string, unknown>) => ({
    ...base, id: s.id, camera: s.camera, label: s.label ?? 'person', top_score: s.topScore ?? 0.958984375,
    start_time: s.startS, end_time: s.endS, has_clip: s.hasClip ?? true, false_positive: s.falsePositive ?? false,
    sub_label: s.subLabel === undefined ? base.sub_label : s.subLabel,
    ...(s.plate ? { recognized_license_plate: s.plate[0], recognized_license_plate_score: s.plate[1] } : {}),
  });
  return { type, before: side({ ...DOC_EVENT.before, end_time: null }), after: side(DOC_EVENT.after) };
}

/** A frigate/reviews message shaped as the documented example. */
export function reviewMessage(type: 'new' | 'update' | 'end', o: { id: string; camera: string; detections: string[]; endS: number | null }): Record<string, unknown> {
  const side = (base: { data: Record<string, unknown> }) => ({ ...base, id: o.id, camera: o.camera, end_time: o.endS, data: { ...base.data, detections: o.detections } });
  return { type, before: side(DOC_REVIEW.before), after: side(DOC_REVIEW.after) };
}

/** The event as Frigate's HTTP API answers it (GET /api/events/<id>; scores under `data` since 0.13). */
export function apiEvent(s: EventSpec): Record<string, unknown> {
  return {
    id: s.id, label: s.label ?? 'person', sub_label: s.subLabel ?? null, camera: s.camera, start_time: s.startS, end_time: s.endS,
    false_positive: s.falsePositive ?? false, zones: ['driveway'], thumbnail: null, has_clip: s.hasClip ?? true, has_snapshot: true,
    retain_indefinitely: false, plus_id: null, model_hash: null, detector_type: 'cpu', model_type: 'ssd',
    data: { box: [0.1, 0.2, 0.3, 0.4], region: [0, 0, 0.5, 0.5], score: s.topScore ?? 0.9, top_score: s.topScore ?? 0.9, attributes: [], type: 'object' },
    ...(s.plate ? { recognized_license_plate: s.plate[0] } : {}),
  };
}

export interface FakeFrigate {
  url: string;
  /** Events Frigate knows, with the bytes of each one's clip. */
  add(s: EventSpec, clip: Buffer | string): void;
  clipRequests: string[];
  close(): Promise<void>;
}

/** The MP4 with a top-level `free` box (size u32 BE, 'free', payload) naming the event appended. */
function withFreeBox(mp4: Buffer, tag: string): Buffer {
  const payload = Buffer.from(`frigate event ${tag}`);
  const box = Buffer.alloc(8 + payload.length);
  box.writeUInt32BE(box.length, 0);
  box.write('free', 4, 'latin1');
  payload.copy(box, 8);
  return Buffer.concat([mp4, box]);
}

/** A stand-in for Frigate's HTTP API: /api/events, /api/events/<id>, /api/events/<id>/clip.mp4. */
export async function fakeFrigate(): Promise<FakeFrigate> {
  const events = new Map<string, { spec: EventSpec; clip: Buffer }>();
  const clipRequests: string[] = [];
  const server = http.createServer((req, res) => {
    const u = new URL(req.url!, 'http://frigate');
    const clip = /^\/api\/events\/([^/]+)\/clip\.mp4$/.exec(u.pathname);
    const one = /^\/api\/events\/([^/]+)$/.exec(u.pathname);
    if (clip) {
      const e = events.get(decodeURIComponent(clip[1]));
      clipRequests.push(decodeURIComponent(clip[1]));
      if (!e) return res.writeHead(404, { 'content-type': 'application/json' }).end('{"success":false,"message":"Event not found"}');
      return res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': e.clip.length }).end(e.clip);
    }
    if (one) {
      const e = events.get(decodeURIComponent(one[1]));
      if (!e) return res.writeHead(404, { 'content-type': 'application/json' }).end('{"success":false,"message":"Event not found"}');
      return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(apiEvent(e.spec)));
    }
    if (u.pathname === '/api/events') {
      const after = Number(u.searchParams.get('after') ?? 0);
      const list = [...events.values()].map((e) => e.spec).filter((s) => s.startS > after && s.endS !== null && (s.hasClip ?? true));
      return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(list.map(apiEvent)));
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    // A named fixture gets a per-event `free` box, as each real event has its own clip; the same bytes twice would be one clip.
    add: (spec, clip) => void events.set(spec.id, { spec, clip: typeof clip === 'string' ? withFreeBox(fs.readFileSync(fixturePath(clip)), spec.id) : clip }),
    clipRequests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** A Porchlight camera with an enrolled agent state directory, as `porchlight camera enroll` makes it. */
export async function enrolledCamera(t: TestApp, owner: TestUser, server: string, extra: Record<string, unknown> = {}): Promise<{ cameraId: string; state: string }> {
  const cam = await as(t, owner, { method: 'POST', url: '/api/v1/cameras', payload: { name: 'Frigate cam', location: { lat: 45.5, lon: -122.6 }, kind: 'outdoor', ...extra } });
  assert.equal(cam.statusCode, 201, cam.body);
  const { code } = (await as(t, owner, { method: 'POST', url: `/api/v1/cameras/${cam.json().id}/enrolment-code` })).json();
  const state = path.join(tempDir(), 'agent');
  const io = captureIo();
  assert.equal(await runCameraCli(['enroll', '--server', server, '--code', code, '--state', state], io), 0, io.errors.join('\n'));
  return { cameraId: cam.json().id, state };
}

/** Writes a bridge config file into a fresh directory and returns its path. */
export function writeConfig(settings: Record<string, unknown>): string {
  const dir = tempDir('frigate-bridge-');
  const file = path.join(dir, 'bridge.json');
  fs.writeFileSync(file, JSON.stringify({ stateFile: 'state/bridge-state.json', labels: ['person', 'car'], minScore: 0.7, retry: { baseMs: 20, maxMs: 200 }, ...settings }, null, 2));
  return file;
}

/** Frigate event times for an event that ended `agoS` seconds ago and lasted 10 s. */
export const endedAgo = (agoS: number) => ({ startS: Date.now() / 1000 - agoS - 10, endS: Date.now() / 1000 - agoS });
