// Issue 15's figures, in one process, each beside its baseline in the same run:
// - agent-side sealing (newEnvelope: chunked AES-256-GCM through the stream) vs
//   a bare AES-256-GCM loop over the same 64 KiB chunks (goal ≥ 0.8);
// - opening a 1 MB range of an envelope as the browser does (read the chunks,
//   WebCrypto AES-GCM) vs reading the same plaintext range (goal ≤ 2×), twice:
//   from a file, the strict floor with no network at all, and as the browser
//   meets it, a ranged fetch() from a local HTTP server (the worker's own path,
//   decrypt.worker.ts) against a ranged fetch() of the plaintext; the server's
//   own at-rest layer is left out on both sides;
// - re-wrapping a clip secret for an agency (HPKE open + seal) (goal ≤ 50 ms).
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createCipheriv, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import rangeParser from 'range-parser';
import { newEnvelope } from '../src/platform/sealed/envelope-seal.ts';
import { ENVELOPE_HEADER_SIZE, checkEnvelope, envelopeRangeFor, importContentKey, openEnvelopeRange } from '../src/platform/sealed/envelope.ts';
import { generateRawKeyPair, importKeyPair, rewrap, sealSecret } from '../src/platform/sealed/hpke.ts';
import { fmt, percentile, writeResult } from './lib.ts';

const CHUNK = 64 * 1024;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function bareLoop(chunks: Buffer[], key: Buffer): number {
  const t0 = performance.now();
  const nonce = Buffer.alloc(12);
  chunks.forEach((c, i) => {
    nonce.writeUInt32BE(i, 7);
    const ci = createCipheriv('aes-256-gcm', key, nonce);
    ci.update(c);
    ci.final();
    ci.getAuthTag();
  });
  return performance.now() - t0;
}

async function sealed(chunks: Buffer[], size: number): Promise<number> {
  const t0 = performance.now();
  const env = newEnvelope(size);
  await pipeline(Readable.from(chunks), env.stream, new Writable({ write: (_c, _e, cb) => cb() }));
  return performance.now() - t0;
}

export async function run() {
  const size = 64 * 1024 * 1024;
  const plain = randomBytes(size);
  const chunks = Array.from({ length: size / CHUNK }, (_, i) => plain.subarray(i * CHUNK, (i + 1) * CHUNK));
  const key = randomBytes(32);
  const seal: { bare: number; agent: number }[] = [];
  bareLoop(chunks, key);
  await sealed(chunks, size);
  for (let i = 0; i < 5; i++) seal.push({ bare: bareLoop(chunks, key), agent: await sealed(chunks, size) });
  const sealRatio = median(seal.map((r) => r.bare / r.agent));
  console.log('agent sealing of 64 MiB vs a bare AES-256-GCM loop over the same chunks');
  for (const r of seal) console.log(`  bare ${fmt(size / 1048576 / (r.bare / 1000), 0)} MiB/s | agent ${fmt(size / 1048576 / (r.agent / 1000), 0)} MiB/s | ratio ${fmt(r.bare / r.agent, 2)}`);
  console.log(`  median ratio ${fmt(sealRatio, 2)} (goal ≥ 0.8) ${sealRatio >= 0.8 ? 'MET' : 'NOT MET'}`);

  // A 192 MiB clip on disk, plaintext and envelope; 1 MiB read from the middle of each.
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'pl-bench-e2ee-'));
  const clip = 3 * size;
  const plainFile = path.join(dir, 'clip.mp4');
  const envFile = path.join(dir, 'clip.envelope');
  const body = Buffer.concat(Array.from({ length: clip / size }, () => plain));
  await fsp.writeFile(plainFile, body);
  const env = newEnvelope(clip);
  await pipeline(Readable.from(Array.from({ length: clip / CHUNK }, (_, i) => body.subarray(i * CHUNK, (i + 1) * CHUNK))), env.stream, fs.createWriteStream(envFile));
  const start = 96 * 1024 * 1024 + 12_345;
  const end = start + 1024 * 1024 - 1;
  const pf = await fsp.open(plainFile, 'r');
  const ef = await fsp.open(envFile, 'r');
  const headBuf = Buffer.alloc(ENVELOPE_HEADER_SIZE);
  await ef.read(headBuf, 0, ENVELOPE_HEADER_SIZE, 0);
  const header = checkEnvelope(headBuf, (await ef.stat()).size);
  const ck = await importContentKey(env.contentKey);
  const readPlain = async () => {
    const t0 = performance.now();
    const b = Buffer.alloc(end - start + 1);
    await pf.read(b, 0, b.length, start);
    return performance.now() - t0;
  };
  const readSealed = async () => {
    const t0 = performance.now();
    const r = envelopeRangeFor(header.plainSize, start, end);
    const b = Buffer.alloc(r.end - r.start + 1);
    await ef.read(b, 0, b.length, r.start);
    const out = await openEnvelopeRange(ck, header, start, end, b);
    if (out.length !== end - start + 1) throw new Error('short read');
    return performance.now() - t0;
  };
  // The same reads as the browser makes them: ranged GETs over loopback HTTP.
  const server = http.createServer((req, res) => {
    const file = req.url === '/plain' ? pf : ef;
    void file.stat().then(async (st) => {
      const r = rangeParser(st.size, req.headers.range ?? '');
      if (!Array.isArray(r) || r.length !== 1) return void res.writeHead(416).end();
      const b = Buffer.alloc(r[0].end - r[0].start + 1);
      await file.read(b, 0, b.length, r[0].start);
      res.writeHead(206, { 'content-length': b.length, 'content-type': 'application/octet-stream' }).end(b);
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const fetchPlain = async () => {
    const t0 = performance.now();
    const b = await (await fetch(`${base}/plain`, { headers: { range: `bytes=${start}-${end}` } })).arrayBuffer();
    if (b.byteLength !== end - start + 1) throw new Error('short read');
    return performance.now() - t0;
  };
  const fetchSealed = async () => {
    const t0 = performance.now();
    const r = envelopeRangeFor(header.plainSize, start, end);
    const b = new Uint8Array(await (await fetch(`${base}/envelope`, { headers: { range: `bytes=${r.start}-${r.end}` } })).arrayBuffer());
    const out = await openEnvelopeRange(ck, header, start, end, b);
    if (out.length !== end - start + 1) throw new Error('short read');
    return performance.now() - t0;
  };
  for (let i = 0; i < 5; i++) {
    await fetchPlain();
    await fetchSealed();
  }
  const seekHttp: { plain: number; sealed: number }[] = [];
  for (let i = 0; i < 30; i++) seekHttp.push({ plain: await fetchPlain(), sealed: await fetchSealed() });
  await new Promise((ok) => server.close(ok));
  const httpRatio = median(seekHttp.map((r) => r.sealed)) / median(seekHttp.map((r) => r.plain));

  const seek: { plain: number; sealed: number }[] = [];
  for (let i = 0; i < 5; i++) {
    await readPlain();
    await readSealed();
  }
  for (let i = 0; i < 30; i++) seek.push({ plain: await readPlain(), sealed: await readSealed() });
  await pf.close();
  await ef.close();
  await fsp.rm(dir, { recursive: true, force: true });
  const seekRatio = median(seek.map((r) => r.sealed)) / median(seek.map((r) => r.plain));
  console.log('1 MiB seek in a 192 MiB clip: envelope chunks + WebCrypto (the browser\'s code) vs a plaintext file read');
  console.log(`  plaintext median ${fmt(median(seek.map((r) => r.plain)), 2)} ms | envelope median ${fmt(median(seek.map((r) => r.sealed)), 2)} ms | ratio ${fmt(seekRatio, 2)}× (goal ≤ 2×) ${seekRatio <= 2 ? 'MET' : 'NOT MET'}`);
  console.log("the same seek as the browser's worker makes it: a ranged fetch() of the envelope + WebCrypto vs a ranged fetch() of the plaintext, loopback HTTP");
  console.log(`  plaintext median ${fmt(median(seekHttp.map((r) => r.plain)), 2)} ms | envelope median ${fmt(median(seekHttp.map((r) => r.sealed)), 2)} ms | ratio ${fmt(httpRatio, 2)}× (goal ≤ 2×) ${httpRatio <= 2 ? 'MET' : 'NOT MET'}`);

  const owner = await generateRawKeyPair();
  const agency = await generateRawKeyPair();
  const ownerPair = await importKeyPair(owner);
  const hdr = randomBytes(40);
  const sealedKey = await sealSecret(owner.publicKey, hdr, { contentKey: randomBytes(32), plainSha256: randomBytes(32), signature: randomBytes(64) });
  const times: number[] = [];
  for (let i = 0; i < 220; i++) {
    const t0 = performance.now();
    await rewrap(ownerPair, hdr, sealedKey, agency.publicKey);
    if (i >= 20) times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const p50 = percentile(times, 50);
  const p99 = percentile(times, 99);
  console.log('re-wrap a clip secret for an agency (HPKE open + seal), 200 runs');
  console.log(`  p50 ${fmt(p50, 2)} ms | p99 ${fmt(p99, 2)} ms (goal ≤ 50 ms) ${p99 <= 50 ? 'MET' : 'NOT MET'}`);
  writeResult('e2ee', { seal, sealRatio, seek, seekRatio, seekHttp, httpRatio, rewrap: { p50, p99 } });
}
