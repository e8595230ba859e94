// Issue 14, item 1: an owner's export is streamed and built to a temp file,
// never in memory, so the server's RSS stays under 300 MB for an owner with
// 5 GB of clips. One real server; the owner's clips are uploaded through the
// device API, then exported and downloaded through the owner's API.
// Baselines from the same run: the server's idle RSS, and the upload of the same
// bytes through the same server (export MB/s against ingest MB/s).
// EXPORT_BENCH_GB sets the owner's footage (default 5), in 256 MB clips.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fmt, repoRoot, writeResult } from './lib.ts';
import { MB, makeClip, restartServer, rssMiB, sha256File, startServer, stopServer, uploadTo, type Server } from './server.ts';

const CLIP_MB = 256;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function api(s: Server, method: string, url: string, body?: unknown) {
  const res = await fetch(s.base + url, { method, headers: { authorization: `Bearer ${s.session}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<{ id: string; status: string; done: number; total: number; size: number | null; downloadUrl: string | null; error: string | null }>;
}

/** Streams the download and counts its bytes, holding none of them. */
function download(s: Server, url: string): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    http.get(s.base + url, { headers: { authorization: `Bearer ${s.session}` } }, (res) => {
      let bytes = 0;
      res.on('data', (b: Buffer) => (bytes += b.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

export async function run() {
  const gb = Number(process.env.EXPORT_BENCH_GB ?? 5);
  const clips = Math.max(1, Math.round((gb * 1024) / CLIP_MB));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'porchlight-bench-export-'));
  let s = await startServer(work, 'export-data');
  const agent = new http.Agent({ keepAlive: false });
  try {
    // Each clip its own random bytes (one source file at a time, to spare the disk).
    const file = path.join(work, 'clip.mp4');
    let uploadMs = 0;
    for (let i = 0; i < clips; i++) {
      makeClip(file, CLIP_MB * MB);
      const t = performance.now();
      const status = await uploadTo(s, agent, { file, size: CLIP_MB * MB, sha256: sha256File(file) }, `export-${i}`);
      uploadMs += performance.now() - t;
      if (status !== 201) throw new Error(`upload ${i} answered ${status}`);
    }
    fs.rmSync(file);
    const footageMB = clips * CLIP_MB;
    // Upload buffers leave the heap large; the export is measured on a restarted
    // server (the same data), as an owner exporting years of footage would meet it.
    s = await restartServer(s, work, 'export-data');
    const pid = s.child.pid!;
    await sleep(2000);
    const idle = rssMiB(pid);
    let peak = idle;
    const timer = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 20);
    const t0 = performance.now();
    let job = await api(s, 'POST', '/api/v1/me/export', { password: s.account.password });
    while (job.status === 'running') {
      await sleep(250);
      job = (await api(s, 'GET', '/api/v1/me/export'))!;
    }
    if (job.status !== 'ready' || !job.downloadUrl) throw new Error(`export ended ${job.status}: ${job.error}`);
    const builtMs = performance.now() - t0;
    const buildPeak = peak;
    const got = await download(s, job.downloadUrl);
    const totalMs = performance.now() - t0;
    clearInterval(timer);
    if (got.status !== 200 || got.bytes !== job.size) throw new Error(`download answered ${got.status} with ${got.bytes} of ${job.size} bytes`);
    const exportMBs = footageMB / (totalMs / 1000);
    const ingestMBs = footageMB / (uploadMs / 1000);
    console.log(`export of ${fmt(footageMB / 1024, 2)} GiB of footage (${clips} clips of ${CLIP_MB} MB)`);
    console.log(`  built in ${fmt(builtMs / 1000, 1)} s, downloaded ${fmt(got.bytes / MB, 0)} MB, ${fmt(totalMs / 1000, 1)} s in all: ${fmt(exportMBs, 0)} MB/s against ingest of the same bytes at ${fmt(ingestMBs, 0)} MB/s (ratio ${fmt(exportMBs / ingestMBs, 2)})`);
    console.log(`  server RSS idle ${fmt(idle, 0)} MiB, peak ${fmt(buildPeak, 0)} MiB while the ZIP is built, ${fmt(peak, 0)} MiB over build and download (goal < 300 MiB) ${peak < 300 ? 'MET' : 'NOT MET'}`);
    const result = { goal: 'peak RSS < 300 MiB', clips, footageMB, zipBytes: got.bytes, buildSeconds: builtMs / 1000, totalSeconds: totalMs / 1000, exportMBs, ingestMBs, idleRssMiB: idle, buildPeakRssMiB: buildPeak, peakRssMiB: peak };
    const out = writeResult('export', result);
    console.log(`  wrote ${path.relative(repoRoot, out)}`);
    return result;
  } finally {
    agent.destroy();
    await stopServer(s);
    fs.rmSync(work, { recursive: true, force: true });
  }
}
