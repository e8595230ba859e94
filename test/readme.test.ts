// Issue 17 §3: every command in the README is true. Each ```sh block is run here
// as written, against live servers, with only the README's own placeholders
// (VKEY, W1_VKEY, porchlight.example, db.internal, …) swapped for live values,
// or it is listed in NOT_RUN with the reason. A new block fails this test until
// it is given one or the other.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, test } from 'node:test';
import { totpCode } from '../src/accounts/totp.ts';
import { DEMO_PASSWORD, DEMO_STAFF } from '../src/demo/seed.ts';
import { freshTarget, postgresAvailable, tempDir } from './helpers/db.ts';
import { startS3 } from './helpers/s3.ts';
import { ROOT } from './helpers/server.ts';

interface Block { line: number; text: string }

function shBlocks(md: string): Block[] {
  const out: Block[] = [];
  const lines = md.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '```sh') continue;
    const start = i + 1;
    while (lines[++i] !== '```') if (i >= lines.length) throw new Error(`unclosed block at README line ${start}`);
    out.push({ line: start, text: lines.slice(start, i).join('\n') });
  }
  return out;
}

/** Blocks that are not run here, each with why. */
const NOT_RUN: Record<string, string> = {
  'npm install && npm start': 'installs and serves on a fixed port; .ci/run runs npm ci and npm test on a fresh clone, and test/cli covers serve',
};

const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const blocks = shBlocks(README);
const block = (firstLineStart: string): Block => {
  const b = blocks.find((x) => x.text.startsWith(firstLineStart));
  assert.ok(b, `the README has no block starting "${firstLineStart}"`);
  // In a clone, `npx porchlight` runs the package's own bin; the work directory is outside the clone, so the bin is on PATH.
  return { ...b, text: b.text.replaceAll('npx porchlight', 'porchlight') };
};
/** The blocks run here, by how each begins. */
const RUN = {
  verify: 'npx porchlight log verify --url http://127.0.0.1:8080',
  dataDir: 'porchlight admin create-user --role admin',
  witness: '# On the witness',
  verifyWitnessed: 'npx porchlight log verify --url https://porchlight.example',
  recount: 'npx porchlight report recount',
  scaleOut: 'porchlight keys > node.env',
};

/** The block's commands: comments dropped, backslash continuations joined. */
const commands = (text: string) => text.replace(/\\\n\s*/g, '').split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter((l) => l && !l.startsWith('#'));

const work = tempDir('porchlight-readme-');
const bin = path.join(work, 'bin');
fs.mkdirSync(bin);
fs.symlinkSync(path.join(ROOT, 'bin/porchlight.js'), path.join(bin, 'porchlight'));
const PATH = `${bin}:${path.join(ROOT, 'node_modules/.bin')}:${process.env.PATH}`;
const running: ChildProcess[] = [];

after(async () => {
  for (const c of running) if (c.exitCode === null && c.signalCode === null) {
    const gone = once(c, 'exit');
    process.kill(-c.pid!, 'SIGKILL');
    await gone;
  }
  fs.rmSync(work, { recursive: true, force: true });
});

const baseEnv = (env: Record<string, string>) => ({ ...process.env, PATH, LOG_LEVEL: 'warn', ...env });

/** Runs a shell script to its end in `cwd` (the work directory). */
async function exec(script: string, env: Record<string, string> = {}, cwd = work): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn('bash', ['-euo', 'pipefail', '-c', script], { cwd, env: baseEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (b) => (out += b));
  child.stderr.on('data', (b) => (err += b));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, out, err };
}

/** The same, and it must succeed; resolves with its stdout. */
async function sh(script: string, env: Record<string, string> = {}): Promise<string> {
  const r = await exec(script, env);
  assert.equal(r.code, 0, `${script}\nexited ${r.code}\nstdout: ${r.out}\nstderr: ${r.err}`);
  return r.out;
}

/** Starts a long-running command (its own process group, killed at the end) and waits for `ready` on its stdout. */
async function background(script: string, ready: RegExp, env: Record<string, string> = {}): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  const child = spawn('bash', ['-c', script], { cwd: work, env: baseEnv(env), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  running.push(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (b) => (err += b));
  const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script}: no ${ready} within 120 s\nstdout: ${out}\nstderr: ${err}`)), 120_000);
    child.stdout!.on('data', (b) => {
      out += b;
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    child.once('exit', (code) => reject(new Error(`${script}: exited ${code}\nstdout: ${out}\nstderr: ${err}`)));
  });
  child.stdout!.resume();
  return { child, match };
}

async function stop(child: ChildProcess): Promise<void> {
  const gone = once(child, 'exit');
  process.kill(-child.pid!, 'SIGTERM');
  await gone;
}

async function freePort(): Promise<number> {
  const s = net.createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as net.AddressInfo).port;
  s.close();
  return port;
}

const SERVING = /running at (http:\/\/\S+)/;

async function json(url: string, init: RequestInit = {}): Promise<unknown> {
  const res = await fetch(url, init);
  assert.ok(res.ok, `${url}: ${res.status} ${await res.clone().text()}`);
  return res.json();
}

async function signIn(base: string, email: string, totp?: string): Promise<Record<string, string>> {
  const { token } = (await json(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: DEMO_PASSWORD, totp }) })) as { token: string };
  return { authorization: `Bearer ${token}` };
}

/** A demo resident's receipts and the demo agency's evidence package, as the README's offline commands take them. */
async function fetchReceiptAndEvidence(base: string): Promise<void> {
  let found = false;
  for (let i = 1; i <= 30 && !found; i++) {
    const body = (await json(`${base}/api/v1/me/receipts`, { headers: await signIn(base, `resident${i}@demo.porchlight.invalid`) })) as { receipts: unknown[] };
    if (body.receipts.length === 0) continue;
    fs.writeFileSync(path.join(work, 'receipt.json'), JSON.stringify(body));
    found = true;
  }
  assert.ok(found, 'a demo resident has a receipt');
  const officer = DEMO_STAFF.find((s) => s.key === 'officer')!;
  // The seeding used this time step's code; the next one is still accepted (RFC 6238 §5.2) and unused.
  const auth = await signIn(base, officer.email, totpCode(officer.totp, Date.now() + 30_000));
  const me = (await json(`${base}/api/v1/me`, { headers: auth })) as { agencyId: string };
  const requests = (await json(`${base}/api/v1/agencies/${me.agencyId}/requests`, { headers: auth })) as { id: string }[];
  for (const r of requests) {
    const res = await fetch(`${base}/api/v1/agencies/${me.agencyId}/requests/${r.id}/evidence.zip`, { headers: auth });
    if (res.status !== 200) continue;
    const zip = Buffer.from(await res.arrayBuffer());
    if (zip.length < 1024) continue; // a package with no clip proves little
    fs.writeFileSync(path.join(work, 'evidence.zip'), zip);
    return;
  }
  assert.fail('the demo agency has an evidence package with clips');
}

test('every sh block of the README is either run here or listed with why it is not', () => {
  for (const b of blocks) {
    const first = b.text.split('\n')[0]!;
    const known = Object.values(RUN).some((r) => first.startsWith(r)) || Object.keys(NOT_RUN).some((r) => first.startsWith(r));
    assert.ok(known, `README line ${b.line}: "${first}" is neither run by test/readme.test.ts nor listed in NOT_RUN`);
  }
});

test('the README\'s data-directory commands: a command refuses a fresh ./data, and serve --init creates one', async () => {
  const [refused, init] = commands(block(RUN.dataDir).text);
  const empty = path.join(work, 'empty');
  fs.mkdirSync(empty);
  // "..." stands for the account's details.
  const r = await exec(refused!.replace('...', "--email admin@example.test --password 'a long admin password 7' --name Admin"), { DATA_DIR: '' }, empty);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /--init/);
  assert.deepEqual(fs.readdirSync(empty), [], 'nothing created');
  const dir = path.join(work, 'srv');
  const { child } = await background(init!.replace('/srv/porchlight', dir), SERVING, { PORT: '0', DEMO: 'false' });
  assert.ok(fs.existsSync(path.join(dir, 'porchlight.db')));
  await stop(child);
});

test('the README\'s log, receipt, evidence, witness and recount commands work as written against a live demo server', { timeout: 600_000 }, async () => {
  const dataDir = path.join(work, 'data');
  const first = await background('porchlight serve --init', SERVING, { DATA_DIR: dataDir, PORT: '0', DEMO: 'true' });
  const base = first.match[1]!;
  const key = (await (await fetch(`${base}/log/key`)).text()).trim();
  const origin = (await (await fetch(`${base}/log/checkpoint`)).text()).split('\n')[0]!;
  await fetchReceiptAndEvidence(base);
  const live = (text: string) =>
    text.replaceAll('http://127.0.0.1:8080', base).replaceAll('https://porchlight.example', base).replaceAll('"origin":"porchlight.example/log"', `"origin":"${origin}"`).replace(/\bVKEY\b|\bLOG_VKEY\b/g, key);

  const verify = commands(live(block(RUN.verify).text));
  assert.equal(verify.length, 3);
  assert.match(await sh(verify[0]!), /\d+ entries/);
  assert.ok(fs.existsSync(path.join(work, 'log-state.txt')), '--state writes the verified checkpoint');
  await sh(verify[1]!);
  await sh(verify[2]!);
  assert.match(await sh(commands(live(block(RUN.recount).text)).join('\n')), /^OK all \d+ figures match at tree size \d+/m);

  // Two witnesses, each set up by the README's three lines, then the server restarted with LOG_WITNESSES.
  const witness = commands(live(block(RUN.witness).text));
  assert.equal(witness.length, 4);
  const witnesses: { url: string; vkey: string }[] = [];
  for (const n of [1, 2]) {
    const port = await freePort();
    const mine = (line: string) => line.replaceAll('./witness', `./witness-${n}`).replaceAll('witness.example/w1', `witness.example/w${n}`).replace('--port 8081', `--port ${port}`);
    const vkey = (await sh(mine(witness[0]!))).trim();
    await sh(mine(witness[1]!));
    await background(mine(witness[2]!), /LISTENING/);
    witnesses.push({ url: `http://127.0.0.1:${port}`, vkey });
  }
  await stop(first.child);
  const listed = witness[3]!.replace('https://w1.example W1_VKEY,https://w2.example W2_VKEY', witnesses.map((w) => `${w.url} ${w.vkey}`).join(','));
  assert.notEqual(listed, witness[3], 'the README names its witnesses as this test expects');
  const second = await background(listed, SERVING, { DATA_DIR: dataDir, PORT: '0' });
  const base2 = second.match[1]!;
  // Each witness cosigns the latest checkpoint from the log's witness worker.
  for (let i = 0; ; i++) {
    const cp = await (await fetch(`${base2}/log/checkpoint`)).text();
    if (cp.includes('witness.example/w1') && cp.includes('witness.example/w2')) break;
    assert.ok(i < 120, `no cosignatures from both witnesses after 60 s:\n${cp}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const withWitnesses = live(block(RUN.verifyWitnessed).text).replaceAll(base, base2).replace('W1_VKEY', witnesses[0]!.vkey).replace('W2_VKEY', witnesses[1]!.vkey);
  assert.match(await sh(commands(withWitnesses).join('\n')), /\d+ entries/);
});

test('the README\'s scale-out recipe starts two nodes on one PostgreSQL database and one bucket', { timeout: 300_000, skip: !(await postgresAvailable()) && process.env.CI !== 'true' && 'PostgreSQL is not reachable' }, async () => {
  const db = await freshTarget('postgres');
  const s3 = await startS3();
  after(async () => {
    await db.drop();
    await s3.stop();
  });
  assert.equal(db.target.kind, 'postgres');
  const s3env = s3.env();
  const [portA, portB] = [await freePort(), await freePort()];
  const recipe = block(RUN.scaleOut).text
    .replace('postgres://porchlight@db.internal/porchlight', db.target.kind === 'postgres' ? db.target.url : '')
    .replace(/s3:\/\/porch-clips\/city AWS_REGION=us-east-1/, `${s3env.BLOB_URL} AWS_REGION=${s3env.AWS_REGION}`)
    .replace('https://watch.example.org', `http://127.0.0.1:${portA}`)
    .replace('PORT=8081', `PORT=${portA}`)
    .replace('PORT=8082', `PORT=${portB}`);
  // The recipe leaves both nodes running in the background; its process group is killed at the end.
  const env = { AWS_ENDPOINT_URL: s3env.AWS_ENDPOINT_URL!, AWS_ACCESS_KEY_ID: s3env.AWS_ACCESS_KEY_ID!, AWS_SECRET_ACCESS_KEY: s3env.AWS_SECRET_ACCESS_KEY! };
  const child = spawn('bash', ['-euo', 'pipefail', '-c', `${recipe}\nwait`], { cwd: work, env: baseEnv(env), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  running.push(child);
  let err = '';
  child.stderr.on('data', (b) => (err += b));
  child.stdout.resume();
  for (const port of [portA, portB]) {
    for (let i = 0; ; i++) {
      const ok = await fetch(`http://127.0.0.1:${port}/log/checkpoint`).then((r) => r.ok, () => false);
      if (ok) break;
      assert.ok(i < 240 && child.exitCode === null, `node on port ${port} did not come up: ${err}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  // One log: both nodes serve the same checkpoint's origin and key.
  const [a, b] = await Promise.all([portA, portB].map(async (p) => (await fetch(`http://127.0.0.1:${p}/log/key`)).text()));
  assert.equal(a, b);
  await stop(child);
});
