// Everything as real processes, as an operator runs it: `porchlight serve` with
// LOG_WITNESSES, two `porchlight witness serve`, entries appended from another
// process, and `porchlight log verify --witness … --min-witnesses N` from a
// third. Then one witness is killed: the log keeps integrating and publishing,
// with one cosignature, and a verifier requiring two says so.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { openCosignedCheckpoint, parseCosignerVerifierKey } from '../../src/ledger/cosignature.ts';
import { formatVerifierKey, signerFromSeed } from '../../src/ledger/note.ts';
import { tmp } from './helpers.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
const porchlight = (...args: string[]) => run(process.execPath, ['src/main.ts', ...args], { cwd: repoRoot }).then(
  (r) => ({ code: 0, out: r.stdout + r.stderr }),
  (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
);
const ORIGIN = 'processes.test/log';
const SEED_HEX = '33'.repeat(32);
const logKey = signerFromSeed(ORIGIN, Buffer.from(SEED_HEX, 'hex'));
const children: ChildProcess[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function start(args: string[], env: Record<string, string>, ready: RegExp): Promise<{ proc: ChildProcess; match: RegExpExecArray }> {
  const proc = spawn(process.execPath, ['src/main.ts', ...args], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(proc);
  let out = '';
  proc.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = ready.exec(out);
      if (m) resolve({ proc, match: m });
    });
    proc.once('exit', (code) => reject(new Error(`${args.join(' ')} exited (${code}): ${out}`)));
  });
}
const exited = (p: ChildProcess) => (p.exitCode !== null || p.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => p.once('exit', () => r())));
after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  await Promise.all(children.map(exited));
});

async function witness(name: string): Promise<{ proc: ChildProcess; url: string; vkey: string }> {
  const dir = path.join(tmp('porchlight-proc-witness-'), 'state');
  const init = await porchlight('witness', 'init', '--state', dir, '--name', name);
  assert.equal(init.code, 0, init.out);
  const logs = path.join(dir, 'logs.json');
  fs.writeFileSync(logs, JSON.stringify({ logs: [{ origin: ORIGIN, vkey: formatVerifierKey(logKey) }] }));
  const { proc, match } = await start(['witness', 'serve', '--state', dir, '--logs', logs, '--host', '127.0.0.1', '--port', '0'], {}, /LISTENING \d+ (http:\/\/\S+)/);
  return { proc, url: match[1], vkey: init.out.trim() };
}

/** Polls the log's checkpoint until `pred` holds for it (the workers run on timers here). */
async function until(url: string, pred: (size: number, cosigners: string[]) => boolean, what: string): Promise<{ size: number; cosigners: string[] }> {
  const keys = witnesses.map((w) => parseCosignerVerifierKey(w.vkey));
  for (let i = 0; i < 300; i++) {
    const c = openCosignedCheckpoint(await (await fetch(`${url}/log/checkpoint`)).text(), logKey, keys);
    const got = { size: c.checkpoint.size, cosigners: c.cosignatures.map((x) => x.name).sort() };
    if (pred(got.size, got.cosigners)) return got;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

let witnesses: { proc: ChildProcess; url: string; vkey: string }[] = [];

test('serve + two witness processes + log verify, then one witness killed', { timeout: 180_000 }, async () => {
  witnesses = [await witness('processes.test/w1'), await witness('processes.test/w2')];
  const dataDir = tmp('porchlight-proc-log-');
  const { match } = await start(['serve', '--init'], {
    DATA_DIR: dataDir, PORT: '0', DEMO: 'false', LOG_LEVEL: 'silent', LOG_BATCH_MS: '50', LOG_ORIGIN: ORIGIN, LOG_SIGNING_KEY: SEED_HEX, DATABASE_URL: '',
    LOG_WITNESSES: witnesses.map((w) => `${w.url} ${w.vkey}`).join(','),
  }, /running at (http:\/\/\S+)/);
  const url = match[1];
  const appender = spawn(process.execPath, ['test/ledger/fixtures/appender.ts', path.join(dataDir, 'porchlight.db'), '0'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(appender);
  await until(url, (size, c) => size >= 300 && c.length === 2, 'a checkpoint past 300 entries cosigned by both');
  appender.kill('SIGTERM');
  await exited(appender);
  await sleep(500); // entries appended just before the stop are integrated and cosigned
  const both = await until(url, (_s, c) => c.length === 2, 'the last checkpoint cosigned by both');

  const verify = (...extra: string[]) => porchlight('log', 'verify', '--url', url, '--key', formatVerifierKey(logKey), ...extra);
  const all = witnesses.flatMap((w) => ['--witness', w.vkey]);
  let r = await verify(...all, '--min-witnesses', '2');
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, new RegExp(`OK ${ORIGIN}: \\d+ entries`));
  assert.match(r.out, /cosigned by 2 of 2 witnesses/);

  witnesses[1].proc.kill('SIGKILL');
  await exited(witnesses[1].proc);
  const more = spawn(process.execPath, ['test/ledger/fixtures/appender.ts', path.join(dataDir, 'porchlight.db'), '100000'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(more);
  const one = await until(url, (size, c) => size > both.size + 50 && c.length === 1, 'integration going on with one witness');
  more.kill('SIGTERM');
  await exited(more);
  assert.deepEqual(one.cosigners, ['processes.test/w1']);
  await sleep(500);
  r = await verify(...all, '--min-witnesses', '2');
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /1 valid cosignature \(processes\.test\/w1\), 2 required/);
  r = await verify(...all, '--min-witnesses', '1');
  assert.equal(r.code, 0, r.out);
});
