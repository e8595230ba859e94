// A real `porchlight serve` child for the benchmarks that need one, set up
// through its public API, and the signed device upload they drive it with.
// Test clips are a fixture MP4 followed by a `free` box of random bytes, so
// they pass the structural check at any size.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { clipSigningPayload, exportDevicePublicKey, signClipPayload } from '../src/cameras/signature.ts';
import { SERVER_NODE_FLAGS } from '../scripts/node-flags.ts';
import { repoRoot } from './lib.ts';

export const MB = 1024 * 1024;

export function makeClip(file: string, size: number): void {
  const head = fs.readFileSync(path.join(repoRoot, 'test/fixtures/clip.mp4'));
  const block = randomBytes(MB);
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, head);
  const box = Buffer.alloc(8);
  box.writeUInt32BE(size - head.length);
  box.write('free', 4, 'latin1');
  fs.writeSync(fd, box);
  for (let left = size - head.length - 8; left > 0; left -= block.length) fs.writeSync(fd, block, 0, Math.min(left, block.length));
  fs.closeSync(fd);
}

export function sha256File(file: string): string {
  const h = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(4 * MB);
  for (let n; (n = fs.readSync(fd, buf)) > 0;) h.update(buf.subarray(0, n));
  fs.closeSync(fd);
  return h.digest('hex');
}


/** A server child with one resident (`account`, signed in as `session`) and one enrolled camera. */
export interface Server { child: ChildProcess; base: string; account: { email: string; password: string }; session: string; camera: string; device: string; key: KeyObject }

/** Starts `porchlight serve` on DATA_DIR and resolves with its address once it listens. */
async function serve(dataDir: string, nodeArgs: string[] = []): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(path.join(repoRoot, 'node_modules/.bin/node'), [...SERVER_NODE_FLAGS, ...nodeArgs, 'src/main.ts', 'serve', '--init'], {
    cwd: repoRoot,
    // 200 concurrent uploads from one device: the limiter runs but never trips.
    env: { RATE_LIMIT_PER_MINUTE: '1000000000', ...process.env, DATA_DIR: dataDir, PORT: '0', DEMO: 'false', LOG_LEVEL: 'warn', MAX_UPLOAD_BYTES: String(2 * 1024 * MB) },
    stdio: ['ignore', 'pipe', 'inherit'],
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
  return { child, base };
}

async function json(base: string, method: string, url: string, body?: unknown, token?: string) {
  const res = await fetch(base + url, { method, headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: body ? JSON.stringify(body) : undefined });
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<Record<string, string>>;
}

/** `nodeArgs` are extra V8/Node flags for the server process (a bench's heap snapshots, say). */
export async function startServer(work: string, name: string, nodeArgs: string[] = []): Promise<Server> {
  const { child, base } = await serve(path.join(work, name), nodeArgs);
  return { child, base, ...(await provision(base)) };
}

/** One resident, signed in, with one camera and its enrolled device, set up through the public API of the server at `base`. */
export async function provision(base: string, email = 'bench@example.test'): Promise<Omit<Server, 'child' | 'base'>> {
  const account = { email, password: 'bench-password-123' };
  await json(base, 'POST', '/api/v1/auth/register', { ...account, displayName: 'Bench', home: { lat: 45.5, lon: -122.6 } });
  const session = (await json(base, 'POST', '/api/v1/auth/login', account)).token;
  const camera = (await json(base, 'POST', '/api/v1/cameras', { name: 'Bench', location: { lat: 45.5, lon: -122.6 }, kind: 'outdoor' }, session)).id;
  const { code } = await json(base, 'POST', `/api/v1/cameras/${camera}/enrolment-code`, undefined, session);
  const keys = generateKeyPairSync('ed25519');
  const device = (await json(base, 'POST', '/api/v1/devices/enroll', { code, publicKey: exportDevicePublicKey(keys.publicKey) })).token;
  return { account, session, camera, device, key: keys.privateKey };
}

/** Stops the server and starts a fresh process on the same DATA_DIR, signed in again: a clean heap over the same data. */
export async function restartServer(s: Server, work: string, name: string): Promise<Server> {
  await stopServer(s);
  const { child, base } = await serve(path.join(work, name));
  const session = (await json(base, 'POST', '/api/v1/auth/login', s.account)).token;
  return { ...s, child, base, session };
}

export async function stopServer(s: Server) {
  if (s.child.exitCode !== null) return;
  const exited = new Promise((r) => s.child.once('exit', r));
  s.child.kill('SIGTERM');
  await exited;
}

/** A signed device upload; the body is a buffer or a file streamed from disk. */
export function uploadTo(s: Pick<Server, 'base' | 'key' | 'camera' | 'device'>, agent: http.Agent, body: { buf?: Buffer; file?: string; size: number; sha256: string }, key: string): Promise<number> {
  const startedAt = new Date(Date.now() - 120_000).toISOString();
  const endedAt = new Date(Date.now() - 60_000).toISOString();
  const sig = signClipPayload(s.key, clipSigningPayload({ cameraId: s.camera, sha256: body.sha256, startedAt, endedAt, kind: 'motion' }));
  const url = `${s.base}/api/v1/clips?${new URLSearchParams({ cameraId: s.camera, startedAt, endedAt, kind: 'motion' })}`;
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST',
      agent,
      headers: { authorization: `Bearer ${s.device}`, 'content-type': 'video/mp4', 'content-length': String(body.size), 'x-device-signature': sig, 'idempotency-key': key },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    if (body.buf) req.end(body.buf);
    else fs.createReadStream(body.file!, { highWaterMark: MB }).pipe(req);
  });
}

export function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}
