// Two real `porchlight serve` processes on one PostgreSQL database and one
// s3rver bucket, each with its own DATA_DIR (spool files only): a clip
// uploaded through A plays back through B, sessions made on one node work on
// the other, and a notification caused on A reaches an SSE client on B.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createHash } from 'node:crypto';
import { totpCode } from '../../src/accounts/totp.ts';
import { demoJurisdiction } from '../../src/demo/neighbourhood.ts';
import { fixturePath } from '../helpers/app.ts';
import { freshTarget, tempDir } from '../helpers/db.ts';
import { nodeKeys, PG_UP } from '../helpers/nodes.ts';
import { startS3, type TestS3 } from '../helpers/s3.ts';
import { killServer, runPorchlight, startServer, type Server } from '../helpers/server.ts';
import { offset, square } from '../requests/helpers.ts';

const PASSWORD = 'correct-horse-battery-9';
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function call(base: string, method: string, url: string, opts: { token?: string; json?: unknown; body?: Buffer; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | Blob | undefined = opts.body && new Blob([new Uint8Array(opts.body)]);
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  }
  const res = await fetch(base + url, { method, headers, body });
  const bytes = Buffer.from(await res.arrayBuffer());
  const json = res.headers.get('content-type')?.includes('json') ? JSON.parse(bytes.toString('utf8')) : null;
  return { status: res.status, headers: res.headers, json, bytes };
}

describe('two nodes on one PostgreSQL and one bucket', { skip: PG_UP ? false : 'no PostgreSQL' }, () => {
  let s3: TestS3;
  let drop: () => Promise<void>;
  let env: Record<string, string>;
  let a: Server;
  let b: Server;

  before(async () => {
    s3 = await startS3();
    const pg = await freshTarget('postgres');
    drop = pg.drop;
    env = { DATABASE_URL: pg.target.kind === 'postgres' ? pg.target.url : '', ...s3.env('two-nodes'), ...nodeKeys(), LOG_ORIGIN: 'two-nodes.test/log' };
    // One after the other: A migrates, B finds the schema in place.
    a = await startServer({ ...env, DATA_DIR: tempDir('porchlight-node-a-') });
    b = await startServer({ ...env, DATA_DIR: tempDir('porchlight-node-b-') });
  });
  after(async () => {
    for (const s of [a, b]) if (s) await killServer(s);
    await drop?.();
    await s3?.stop();
  });

  const signIn = async (base: string, email: string) => {
    const res = await call(base, 'POST', '/api/v1/auth/login', { json: { email, password: PASSWORD } });
    assert.equal(res.status, 200, res.bytes.toString());
    return res.json.token as string;
  };
  /** A staff member made with the CLI, signed in on `base`, with TOTP enrolled. */
  const staff = async (base: string, role: string, extra: string[] = []) => {
    const email = `${role}-${Math.random().toString(36).slice(2, 8)}@example.test`;
    const made = await runPorchlight(['admin', 'create-user', '--role', role, '--email', email, '--password', PASSWORD, '--name', role, '--init', ...extra], { ...env, DATA_DIR: tempDir('porchlight-cli-') });
    assert.equal(made.code, 0, made.stderr);
    const token = await signIn(base, email);
    const enrol = await call(base, 'POST', '/api/v1/auth/totp/enroll', { token });
    assert.equal(enrol.status, 200, enrol.bytes.toString());
    const ok = await call(base, 'POST', '/api/v1/auth/totp/verify', { token, json: { code: totpCode(enrol.json.secret as string, Date.now()) } });
    assert.equal(ok.status, 200, ok.bytes.toString());
    return token;
  };

  let owner: { email: string; onA: string; onB: string; cameraId: string };

  test('a clip uploaded through A plays back through B, ranges included', async () => {
    const email = `owner-${process.pid}@example.test`;
    const reg = await call(a.base, 'POST', '/api/v1/auth/register', { json: { email, password: PASSWORD, displayName: 'Owner', home: offset(50, 40) } });
    assert.equal(reg.status, 201, reg.bytes.toString());
    const onA = await signIn(a.base, email);
    const onB = await signIn(b.base, email);
    const cam = await call(a.base, 'POST', '/api/v1/cameras', { token: onA, json: { name: 'Porch', location: offset(50, 40), kind: 'doorbell' } });
    assert.equal(cam.status, 201, cam.bytes.toString());
    owner = { email, onA, onB, cameraId: cam.json.id };
    const clip = fs.readFileSync(fixturePath('clip.mp4'));
    const start = Date.now() - 2 * 3_600_000;
    const qs = new URLSearchParams({ cameraId: owner.cameraId, startedAt: new Date(start).toISOString(), endedAt: new Date(start + 10_000).toISOString(), kind: 'manual' });
    const up = await call(a.base, 'POST', `/api/v1/clips?${qs}`, { token: onA, body: clip, headers: { 'content-type': 'video/mp4' } });
    assert.equal(up.status, 201, up.bytes.toString());
    const id = up.json.id as string;
    const whole = await call(b.base, 'GET', `/api/v1/clips/${id}/video`, { token: onB });
    assert.equal(whole.status, 200);
    assert.equal(sha(whole.bytes), sha(clip));
    const part = await call(b.base, 'GET', `/api/v1/clips/${id}/video`, { token: onB, headers: { range: 'bytes=1000-70999' } });
    assert.equal(part.status, 206);
    assert.deepEqual(part.bytes, clip.subarray(1000, 71000));
    // A session made on B works on A, and the list agrees on both.
    const listA = await call(a.base, 'GET', '/api/v1/clips', { token: onB });
    assert.deepEqual(listA.json.items.map((c: { id: string }) => c.id), [id]);
  });

  test('a request approved on A reaches the owner on an SSE stream open on B', async () => {
    assert.ok(owner, 'the first test made the owner');
    const reviewer = await staff(a.base, 'reviewer');
    const agency = await call(a.base, 'POST', '/api/v1/agencies', {
      token: reviewer,
      json: { name: 'Riverside Police', type: 'law_enforcement', jurisdiction: demoJurisdiction(), description: 'City police' },
    });
    assert.equal(agency.status, 201, agency.bytes.toString());
    const officer = await staff(a.base, 'agency', ['--agency', agency.json.id]);

    const ctrl = new AbortController();
    const sse = await fetch(`${b.base}/api/v1/me/events`, { headers: { authorization: `Bearer ${owner.onB}` }, signal: ctrl.signal });
    assert.equal(sse.status, 200);
    const reader = sse.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const until = async (needle: string) => {
      const deadline = Date.now() + 20_000;
      while (!text.includes(needle)) {
        if (Date.now() > deadline) throw new Error(`no ${needle} on B's stream; got: ${text}`);
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        text += decoder.decode(value, { stream: true });
      }
    };
    await until('retry:');

    const now = Date.now();
    const req = await call(a.base, 'POST', `/api/v1/agencies/${agency.json.id}/requests`, {
      token: officer,
      json: {
        caseNumber: 'RPD-2026-0415', incidentType: 'burglary',
        description: 'A house on Alder St was broken into between 9 and 11. Looking for people walking by.',
        investigatorContact: 'Det. Lane, 555-0100, lane@riverside.example', area: square(500),
        window: { start: new Date(now - 3 * 3_600_000).toISOString(), end: new Date(now - 3_600_000).toISOString() },
      },
    });
    assert.equal(req.status, 201, req.bytes.toString());
    const decided = await call(a.base, 'POST', `/api/v1/review/requests/${req.json.id}/decision`, { token: reviewer, json: { decision: 'approve', note: 'In area.' } });
    assert.equal(decided.status, 200, decided.bytes.toString());
    await until('request.new');
    const frame = text.slice(text.lastIndexOf('id: ', text.indexOf('request.new')));
    const sseId = /^id: (\S+)\n/.exec(frame)![1]!;
    // The SSE id is the notification's (= the outbox row's) id, listed on either node.
    const listed = await call(a.base, 'GET', '/api/v1/me/notifications', { token: owner.onA });
    assert.ok(listed.json.some((n: { id: string; kind: string }) => n.id === sseId && n.kind === 'request.new'), JSON.stringify(listed.json));
    ctrl.abort();
  });

  test('sign-in failures spread over both nodes count together: the fourth attempt is throttled, on either node', async () => {
    assert.ok(owner, 'the first test made the owner');
    const wrong = (base: string) => call(base, 'POST', '/api/v1/auth/login', { json: { email: owner.email, password: 'not-the-password-1' } });
    assert.deepEqual([(await wrong(a.base)).status, (await wrong(b.base)).status, (await wrong(a.base)).status], [401, 401, 401]);
    const throttled = await wrong(b.base);
    assert.equal(throttled.status, 429, throttled.bytes.toString());
    assert.ok(Number(throttled.headers.get('retry-after')) >= 1);
    assert.match(throttled.headers.get('content-type') ?? '', /problem\+json/);
    assert.equal((await wrong(a.base)).status, 429);
  });
});
