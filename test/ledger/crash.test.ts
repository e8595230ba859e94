// Crash safety: SIGKILL the real server again and again while entries are being
// appended and integrated, then check that every checkpoint it ever served is
// consistent with every later one (and no two differ at one size), and that no
// committed entry is lost or duplicated (history.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseVerifierKey } from '../../src/ledger/note.ts';
import { tempDir } from '../helpers/db.ts';
import { assertHistory, checkpointWatcher, exited, sleep, startAppender } from './history.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const ROUNDS = process.env.DEEP ? 20 : 6;

interface Server { proc: ChildProcess; url: string }

async function startServer(dataDir: string): Promise<Server> {
  const proc = spawn(process.execPath, ['src/main.ts', 'serve', '--init'], {
    cwd: repoRoot,
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', DEMO: 'false', LOG_LEVEL: 'silent', LOG_BATCH_MS: '20', LOG_BATCH_SIZE: '16', LOG_ORIGIN: 'crash.test/log', DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    proc.once('exit', (code) => reject(new Error(`server exited (${code}) before listening: ${out}`)));
  });
  return { proc, url };
}

test('SIGKILL during integration never yields inconsistent checkpoints or loses an entry', { timeout: 240_000 }, async (t) => {
  const dataDir = tempDir('porchlight-crash-');
  let server = await startServer(dataDir);
  const key = parseVerifierKey(await (await fetch(`${server.url}/log/key`)).text());
  const appender = startAppender(path.join(dataDir, 'porchlight.db'));
  const { committed } = appender;
  const watch = checkpointWatcher(key);

  for (let round = 0; round < ROUNDS; round++) {
    const until = Date.now() + 150 + Math.floor(Math.random() * 500);
    while (Date.now() < until) {
      await watch.observe(server.url);
      await sleep(5);
    }
    server.proc.kill('SIGKILL');
    await exited(server.proc);
    server = await startServer(dataDir);
  }
  await appender.stop();
  assert.ok(committed.size > 50, `the appender committed ${committed.size} entries`);
  const leaves = await assertHistory(server.url, key, watch, committed);
  t.diagnostic(`${ROUNDS} kills, ${committed.size} committed entries, ${watch.seen.size} checkpoints served, final size ${leaves}`);

  server.proc.kill('SIGTERM');
  await exited(server.proc);
  fs.rmSync(dataDir, { recursive: true, force: true });
});
