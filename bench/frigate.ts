// Issue 18's bridge figure: 100 Frigate events published in one burst on the
// real MQTT broker, bridged to the real server (a child process) by the Frigate
// bridge in this process: duplicates (goal 0) and events per second, beside a
// baseline from the same run, the same 100 clips uploaded one after another
// through the camera agent's own code path (`porchlight camera upload`'s
// uploadClip), with no MQTT, no Frigate fetch and no state file.
//
// Frigate itself does not run here: a small HTTP server stands in for its clip
// endpoint (/api/events/<id>/clip.mp4) and its event list (for the catch-up),
// serving the repository's fixture MP4.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { runCameraCli } from '../src/cameras/agent.ts';
import { loadState } from '../src/cameras/agent-state.ts';
import { uploadClip } from '../src/cameras/agent-upload.ts';
import { canonicalTime } from '../src/cameras/signature.ts';
import { runFrigateCli } from '../src/cameras/frigate.ts';
import { fmt, repoRoot, writeResult } from './lib.ts';

const EVENTS = 100;
const CLIP = path.join(repoRoot, 'test/fixtures/clip.mp4');

const answers = (port: number) => new Promise<boolean>((resolve) => {
  const s = net.connect(port, '127.0.0.1');
  s.once('connect', () => (s.destroy(), resolve(true)));
  s.once('error', () => resolve(false));
});

async function broker(): Promise<{ url: string; child: ChildProcess | null }> {
  if (await answers(1883)) return { url: 'mqtt://127.0.0.1:1883', child: null };
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = spawn('mosquitto', ['-p', String(port)], { stdio: 'ignore' });
  for (let i = 0; i < 200 && !(await answers(port)); i++) await new Promise((r) => setTimeout(r, 25));
  return { url: `mqtt://127.0.0.1:${port}`, child };
}

async function server(work: string): Promise<{ child: ChildProcess; base: string; session: string }> {
  const child = spawn(path.join(repoRoot, 'node_modules/.bin/node'), ['src/main.ts', 'serve', '--init'], {
    cwd: repoRoot, env: { ...process.env, DATA_DIR: path.join(work, 'data'), PORT: '0', DEMO: 'false', LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b) => {
      out += b;
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  const account = { email: 'bench@example.test', password: 'bench-password-123' };
  await post(base, '/api/v1/auth/register', { ...account, displayName: 'Bench', home: { lat: 45.5, lon: -122.6 } });
  return { child, base, session: (await post(base, '/api/v1/auth/login', account)).token };
}

async function post(base: string, url: string, body?: unknown, token?: string): Promise<Record<string, string>> {
  const res = await fetch(base + url, { method: 'POST', headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: body ? JSON.stringify(body) : undefined });
  if (res.status >= 300) throw new Error(`POST ${url}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<Record<string, string>>;
}

/** A camera enrolled with `porchlight camera enroll`; returns its id and agent state directory. */
async function camera(s: { base: string; session: string }, work: string, name: string) {
  const id = (await post(s.base, '/api/v1/cameras', { name, location: { lat: 45.5, lon: -122.6 }, kind: 'outdoor' }, s.session)).id;
  const { code } = await post(s.base, `/api/v1/cameras/${id}/enrolment-code`, undefined, s.session);
  const state = path.join(work, `agent-${name}`);
  const code0 = await runCameraCli(['enroll', '--server', s.base, '--code', code, '--state', state], { out: () => {}, err: (l) => console.error(l), tty: null });
  if (code0 !== 0) throw new Error('enrolment failed');
  return { id, state };
}

async function clipsOf(s: { base: string; session: string }, cameraId: string): Promise<{ startedAt: string }[]> {
  const all: { startedAt: string }[] = [];
  for (let cursor: string | null = null; ;) {
    const q = new URLSearchParams({ cameraId, limit: '100', ...(cursor ? { cursor } : {}) });
    const page = (await (await fetch(`${s.base}/api/v1/clips?${q}`, { headers: { authorization: `Bearer ${s.session}` } })).json()) as { items: { startedAt: string }[]; nextCursor: string | null };
    all.push(...page.items);
    if (!page.nextCursor) return all;
    cursor = page.nextCursor;
  }
}

/** Frigate's clip endpoint and event list, serving the fixture for every event. */
async function fakeFrigate(): Promise<{ url: string; close(): void }> {
  const clip = fs.readFileSync(CLIP);
  const srv = http.createServer((req, res) => {
    if (/^\/api\/events\/[^/]+\/clip\.mp4$/.test(req.url!)) return res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': clip.length }).end(clip);
    if (req.url!.startsWith('/api/events?')) return res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(srv.address() as net.AddressInfo).port}`, close: () => srv.close() };
}

/** Frigate's documented `frigate/events` end message (docs/docs/integrations/mqtt.md), reduced to its fields. */
const endMessage = (id: string, startS: number) => JSON.stringify({
  type: 'end',
  before: { id, camera: 'front_door', label: 'person', sub_label: null, top_score: 0.95, false_positive: false, start_time: startS, end_time: null, has_clip: true },
  after: { id, camera: 'front_door', label: 'person', sub_label: null, top_score: 0.95, false_positive: false, start_time: startS, end_time: startS + 10, has_clip: true, current_zones: [], entered_zones: [], attributes: {} },
});

export async function run() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-bench-frigate-'));
  const mq = await broker();
  const s = await server(work);
  const frigate = await fakeFrigate();
  try {
    const t0s = Math.floor(Date.now() / 1000) - 3600;

    // Baseline: the same clips through uploadClip, one after another.
    const direct = await camera(s, work, 'direct');
    const { state, key } = loadState(direct.state);
    const target = { server: state.server, cameraId: state.cameraId, token: state.token, key, ffmpegPath: 'ffmpeg' };
    let t = performance.now();
    for (let i = 0; i < EVENTS; i++) {
      const r = await uploadClip(target, { file: CLIP, startedAt: canonicalTime((t0s + i * 20) * 1000), endedAt: canonicalTime((t0s + i * 20 + 10) * 1000), kind: 'motion' });
      if (r.status !== 201) throw new Error(`baseline upload answered ${r.status}`);
    }
    const directS = (performance.now() - t) / 1000;

    // The bridge: 100 end messages in one burst.
    const bridged = await camera(s, work, 'bridged');
    const prefix = `porchlight-bench-${process.pid}/frigate`;
    const config = path.join(work, 'bridge.json');
    fs.writeFileSync(config, JSON.stringify({
      mqtt: { url: mq.url, topicPrefix: prefix, clientId: `pl-bench-${process.pid}` }, frigate: { url: frigate.url },
      cameras: { front_door: { agentState: bridged.state } }, labels: ['person'], minScore: 0.5, stateFile: 'bridge-state.json', queueLimit: 1000,
    }));
    const ac = new AbortController();
    let uploaded = 0;
    let connected = false;
    const io = { out: (l: string) => void (/uploaded as clip/.test(l) ? uploaded++ : l.startsWith('catch-up:') && (connected = true)), err: (l: string) => console.error(`  bridge: ${l}`), tty: null, signal: ac.signal };
    const done = runFrigateCli(['run', '--config', config], io);
    while (!connected) await new Promise((r) => setTimeout(r, 10));
    const pub = await mqtt.connectAsync(mq.url, { clientId: `pl-bench-pub-${process.pid}` });
    t = performance.now();
    await Promise.all(Array.from({ length: EVENTS }, (_, i) => pub.publishAsync(`${prefix}/events`, endMessage(`${t0s + i * 20}.000000-bench${i}`, t0s + i * 20 + 0.5), { qos: 1 })));
    while (uploaded < EVENTS) await new Promise((r) => setTimeout(r, 5));
    const bridgeS = (performance.now() - t) / 1000;
    await new Promise((r) => setTimeout(r, 500)); // room for a duplicate to show up
    ac.abort();
    await done;
    await pub.endAsync();
    const clips = await clipsOf(s, bridged.id);
    const duplicates = clips.length - new Set(clips.map((c) => c.startedAt)).size;

    const bridgeRate = EVENTS / bridgeS;
    const directRate = EVENTS / directS;
    console.log(`${EVENTS} Frigate events in one burst → ${clips.length} clips, ${duplicates} duplicates (goal 0) ${duplicates === 0 && clips.length === EVENTS ? 'MET' : 'NOT MET'}`);
    console.log(`  bridge ${fmt(bridgeRate)} events/s (${fmt(bridgeS, 2)} s) | baseline uploadClip ${fmt(directRate)} clips/s (${fmt(directS, 2)} s) | ratio ${fmt(bridgeRate / directRate, 2)}`);
    console.log(`  wrote ${writeResult('frigate', { events: EVENTS, clips: clips.length, duplicates, bridgeEventsPerSecond: bridgeRate, baselineClipsPerSecond: directRate, ratio: bridgeRate / directRate, clipBytes: fs.statSync(CLIP).size })}`);
  } finally {
    frigate.close();
    s.child.kill('SIGTERM');
    mq.child?.kill('SIGTERM');
    fs.rmSync(work, { recursive: true, force: true });
  }
}
