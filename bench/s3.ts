// S3 ingest beside the local-disk store, in the same run: a 200 MB clip spooled
// (hash, seal) and committed through the vault into FsBlobStore, then into
// S3BlobStore over s3rver (a child process, so its own memory is not counted
// here), alternating, 3 rounds each. Then the RSS of this process while a 1 GB
// upload goes to S3: the sealed spool is streamed up in 8 MiB parts, 4 at once,
// so memory should stay flat. On one 2-core machine with s3rver writing to the
// same disk, the ratio shows overhead, not what a real bucket would give.
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { FsBlobStore } from '../src/platform/blobs/fs.ts';
import { S3BlobStore, s3Client } from '../src/platform/blobs/s3.ts';
import type { BlobStore } from '../src/platform/blobs/store.ts';
import { Vault } from '../src/platform/sealed/vault.ts';
import { fmt, repoRoot, writeResult } from './lib.ts';

const MB = 1024 * 1024;

function makeFile(file: string, bytes: number): void {
  const fd = fs.openSync(file, 'w');
  const chunk = randomBytes(8 * MB);
  for (let done = 0; done < bytes; done += chunk.length) fs.writeSync(fd, chunk, 0, Math.min(chunk.length, bytes - done));
  fs.closeSync(fd);
}

async function ingest(store: BlobStore, file: string, id: string): Promise<number> {
  const vault = new Vault(store, randomBytes(32));
  const t = performance.now();
  const spool = await vault.spool(id, fs.createReadStream(file, { highWaterMark: MB }), Number.MAX_SAFE_INTEGER);
  await vault.commit(spool, `clips/${id.slice(0, 2)}/${id}`);
  return performance.now() - t;
}

async function startS3rver(dir: string): Promise<{ endpoint: string; stop(): void }> {
  const bin = path.join(repoRoot, 'node_modules/s3rver/bin/s3rver.js');
  const child = spawn(process.execPath, [bin, '-d', dir, '-a', '127.0.0.1', '-p', '0', '--configure-bucket', 'bench'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on .*?:(\d+)|port[^\d]*(\d+)/i.exec(out);
      if (m) resolve(`http://127.0.0.1:${m[1] ?? m[2]}`);
    });
    child.once('exit', (code) => reject(new Error(`s3rver exited with ${code}: ${out}`)));
  });
  return { endpoint, stop: () => void child.kill('SIGTERM') };
}

export async function run(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'porchlight-bench-s3-'));
  const s3rver = await startS3rver(path.join(work, 's3rver'));
  const client = s3Client({ endpoint: s3rver.endpoint, region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });
  try {
    const opts = { partSize: 8 * MB, queueSize: 4, staleUploadMs: 24 * 3600_000, settleMs: 3600_000, now: Date.now };
    const fsStore = new FsBlobStore(path.join(work, 'fs'));
    const s3Store = new S3BlobStore(client, { bucket: 'bench', prefix: 'run' }, 'clips', path.join(work, 's3-tmp'), opts);
    const clip = path.join(work, 'clip-200.mp4');
    makeFile(clip, 200 * MB);
    await ingest(fsStore, clip, 'warmup0');
    const rounds: { fsMs: number; s3Ms: number }[] = [];
    for (let i = 0; i < 3; i++) rounds.push({ fsMs: await ingest(fsStore, clip, `fs0000${i}`), s3Ms: await ingest(s3Store, clip, `s30000${i}`) });
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const fsMs = median(rounds.map((r) => r.fsMs));
    const s3Ms = median(rounds.map((r) => r.s3Ms));
    console.log(`200 MB ingest: local disk ${fmt(fsMs, 0)} ms (${fmt((200 / fsMs) * 1000)} MB/s), S3 (s3rver) ${fmt(s3Ms, 0)} ms (${fmt((200 / s3Ms) * 1000)} MB/s); S3 takes ${fmt(s3Ms / fsMs, 2)}× the local store`);

    const big = path.join(work, 'clip-1g.mp4');
    makeFile(big, 1024 * MB);
    fs.rmSync(clip);
    const idle = process.memoryUsage().rss;
    let peak = idle;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const bigMs = await ingest(s3Store, big, 'big00001');
    clearInterval(sampler);
    console.log(`1 GB upload to S3: ${fmt(bigMs / 1000)} s, RSS peak ${fmt(peak / MB, 0)} MiB (idle ${fmt(idle / MB, 0)} MiB); goal < 300 MiB`);
    const file = writeResult('s3', { rounds, fsMs, s3Ms, ratio: s3Ms / fsMs, oneGiB: { ms: bigMs, rssPeakMiB: peak / MB, rssIdleMiB: idle / MB }, server: 's3rver 3.7 (child process, same disk)' });
    console.log(`wrote ${path.relative(repoRoot, file)}`);
  } finally {
    client.destroy();
    s3rver.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
