// `porchlight witness` as a real process: init, key, serve, one witness per
// state directory, and SIGKILL while it cosigns: every cosignature it handed
// out is in its state after the restart (persisted before answering).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseCosignerVerifierKey } from '../../src/ledger/cosignature.ts';
import { formatVerifierKey } from '../../src/ledger/note.ts';
import { originHash } from '../../src/witness/store.ts';
import { MemoryLog, tmp } from './helpers.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
const cli = (...args: string[]) => run(process.execPath, ['src/main.ts', 'witness', ...args], { cwd: repoRoot }).then(
  (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
  (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
);

const log = new MemoryLog('cli.test/log', new Uint8Array(32).fill(5), 'main').grow(400);

async function serve(dir: string, logsFile: string): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(process.execPath, ['src/main.ts', 'witness', 'serve', '--state', dir, '--logs', logsFile, '--host', '127.0.0.1', '--port', '0'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = /LISTENING \d+ (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    proc.once('exit', (code) => reject(new Error(`witness exited (${code}) before listening: ${out}`)));
  });
  return { proc, url };
}

const exited = (p: ChildProcess) => (p.exitCode !== null || p.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => p.once('exit', () => r())));
const post = async (url: string, body: string) => {
  const res = await fetch(`${url}/add-checkpoint`, { method: 'POST', body });
  return { status: res.status, text: await res.text() };
};

test('init makes a key once; key prints it; serve refuses a second process on the same state', { timeout: 120_000 }, async () => {
  const dir = path.join(tmp('porchlight-witness-cli-'), 'state');
  const init = await cli('init', '--state', dir, '--name', 'cli.test/w');
  assert.equal(init.code, 0, init.err);
  const vkey = parseCosignerVerifierKey(init.out.trim());
  assert.equal(vkey.name, 'cli.test/w');
  assert.equal(fs.statSync(path.join(dir, 'witness.key')).mode & 0o777, 0o600);
  assert.equal((await cli('key', '--state', dir)).out, init.out);
  const again = await cli('init', '--state', dir, '--name', 'cli.test/w');
  assert.equal(again.code, 1);
  assert.match(again.err, /already exists/);
  assert.equal((await cli('serve', '--state', dir)).code, 2, 'serve needs --logs, --host and --port');
  const logsFile = path.join(dir, 'logs.json');
  fs.writeFileSync(logsFile, JSON.stringify({ logs: [{ origin: log.signer.name, vkey: formatVerifierKey(log.signer) }] }));
  const first = await serve(dir, logsFile);
  try {
    assert.equal((await post(first.url, log.body(0, 10))).status, 200);
    const second = await cli('serve', '--state', dir, '--logs', logsFile, '--host', '127.0.0.1', '--port', '0');
    assert.equal(second.code, 1);
    assert.match(second.err, /another witness is running/);
  } finally {
    first.proc.kill('SIGTERM');
    await exited(first.proc);
  }
});

test('SIGKILL mid-stream: every acknowledged checkpoint is in the state after a restart', { timeout: 120_000 }, async () => {
  const dir = path.join(tmp('porchlight-witness-cli-'), 'state');
  assert.equal((await cli('init', '--state', dir, '--name', 'cli.test/k')).code, 0);
  const logsFile = path.join(dir, 'logs.json');
  fs.writeFileSync(logsFile, JSON.stringify({ logs: [{ origin: log.signer.name, vkey: formatVerifierKey(log.signer) }] }));
  const bodies = Array.from({ length: 200 }, (_, i) => log.body(i * 2, i * 2 + 2));
  let w = await serve(dir, logsFile);
  let acked = 0;
  const killAt = 60 + Math.floor(Math.random() * 80);
  for (let i = 0; i < bodies.length; i++) {
    if (i === killAt) w.proc.kill('SIGKILL');
    let res;
    try {
      res = await post(w.url, bodies[i]);
    } catch {
      break; // the process is gone
    }
    if (res.status !== 200) break;
    acked = i * 2 + 2;
  }
  await exited(w.proc);
  assert.equal(w.proc.signalCode, 'SIGKILL');
  assert.ok(acked > 0);
  w = await serve(dir, logsFile);
  try {
    const res = await post(w.url, log.body(0, 0));
    assert.equal(res.status, 409);
    const size = Number(res.text);
    // Persisted before answering: never behind what was acknowledged, at most the one in flight ahead.
    assert.ok(size === acked || size === acked + 2, `state ${size}, acknowledged ${acked}`);
    const monitor = await (await fetch(`${w.url}/${originHash(log.signer.name)}/checkpoint`)).text();
    assert.equal(monitor.split('\n')[1], String(size));
    assert.equal((await post(w.url, log.body(size, 400))).status, 200, 'it goes on from there');
  } finally {
    w.proc.kill('SIGTERM');
    await exited(w.proc);
  }
});
