// The camera agent's upload: hash the file, sign the hash and metadata with the
// device key, then stream the bytes to POST /api/v1/clips; or, for a camera in
// end-to-end mode, seal it first (agent-e2ee.ts). Nothing is read into memory
// whole: the file is read once to hash and once to send.
//
// Retries are safe because every attempt for the same clip carries the same
// Idempotency-Key (see agent-clip.ts): the server answers a retry with the clip
// it already stored.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { KeyObject } from 'node:crypto';
import { hashFile, idempotencyKey } from './agent-clip.ts';
import { canonicalTime, clipSigningPayload, signClipPayload } from './signature.ts';
import { fetchMode, prepareSealed, SealRefused } from './agent-e2ee.ts';

export interface UploadTarget {
  server: string;
  cameraId: string;
  token: string;
  key: KeyObject;
  /** ffmpeg for burning privacy zones in before sealing (end-to-end cameras with zones). */
  ffmpegPath: string;
}

export interface UploadRequest {
  file: string;
  startedAt: string;
  endedAt: string;
  kind: string;
  /** Called as bytes leave, with the running total and the file size. */
  onProgress?: (sent: number, total: number) => void;
  signal?: AbortSignal;
}

export interface UploadResult {
  status: number;
  sha256: string;
  idempotencyKey: string;
  /** The parsed JSON answer (201 { id, sha256 }, or a problem document). */
  body: Record<string, unknown> | null;
  /** The server answered with the clip an earlier attempt with this Idempotency-Key stored (header Idempotent-Replayed). */
  replayed: boolean;
  /** What the agent did to the clip before it left (end-to-end mode: zones burned in). */
  notes: string[];
}

/** Whether an answer or failure is worth trying again later: the server or the network, not the clip. */
export function isRetryable(status: number | null): boolean {
  return status === null || status === 408 || status === 409 || status === 425 || status === 429 || status >= 500;
}

/** Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff and Jitter"). */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** A network failure, as distinct from an answer the server gave. */
export class NetworkError extends Error {}

export async function uploadClip(target: UploadTarget, req: UploadRequest): Promise<UploadResult> {
  const startedAt = canonicalTime(req.startedAt);
  const endedAt = canonicalTime(req.endedAt);
  let mode;
  try {
    mode = await fetchMode(target.server, target.token, req.signal);
  } catch (err) {
    if (err instanceof SealRefused) throw err;
    throw new NetworkError((err as Error).message);
  }
  const url = new URL('/api/v1/clips', target.server);
  url.search = new URLSearchParams({ cameraId: target.cameraId, startedAt, endedAt, kind: req.kind }).toString();
  let prepared: { headers: Record<string, string>; size: number; open: () => Readable; sha256: string; notes: string[]; dispose: () => Promise<void> };
  if (mode.e2ee) {
    // End-to-end mode: the envelope and the sealed key leave, never the clip (agent-e2ee.ts).
    const sealed = await prepareSealed({ file: req.file, cameraId: target.cameraId, startedAt, endedAt, kind: req.kind, deviceKey: target.key, ffmpegPath: target.ffmpegPath }, mode);
    prepared = { ...sealed, sha256: '' };
  } else {
    const size = (await fs.promises.stat(req.file)).size;
    const sha256 = await hashFile(req.file);
    const fields = { cameraId: target.cameraId, sha256, startedAt, endedAt, kind: req.kind };
    prepared = {
      size, sha256, notes: [], dispose: async () => {}, open: () => fs.createReadStream(req.file),
      headers: {
        'content-type': 'video/mp4',
        'content-length': String(size),
        'idempotency-key': idempotencyKey(fields),
        'x-device-signature': signClipPayload(target.key, clipSigningPayload(fields)),
      },
    };
  }
  try {
    const res = await send(url, { authorization: `Bearer ${target.token}`, ...prepared.headers }, prepared.open(), prepared.size, req);
    // The server's hash is of what it stored: for an envelope, the ciphertext.
    const sha256 = prepared.sha256 || (typeof res.body?.sha256 === 'string' ? res.body.sha256 : '');
    return { ...res, sha256, idempotencyKey: prepared.headers['idempotency-key'], notes: prepared.notes };
  } finally {
    await prepared.dispose();
  }
}

async function send(url: URL, headers: Record<string, string>, source: Readable, size: number, req: UploadRequest): Promise<{ status: number; body: Record<string, unknown> | null; replayed: boolean }> {
  const { status, text, replayed } = await new Promise<{ status: number; text: string; replayed: boolean }>((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const request = client.request(url, { method: 'POST', headers, signal: req.signal });
    let answered = false;
    request.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), replayed: res.headers['idempotent-replayed'] === 'true' }));
      res.on('error', (err) => reject(new NetworkError(err.message)));
    });
    request.on('error', (err) => {
      // A server that refuses early (413) may close the socket while we still
      // write; its answer, when it came, is what counts.
      if (!answered) reject(new NetworkError(err.message));
    });
    let sent = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        sent += chunk.length;
        req.onProgress?.(sent, size);
        done(null, chunk);
      },
    });
    pipeline(source, counter, request).catch((err: Error) => {
      if (!answered) request.destroy(err);
    });
  });

  let body: Record<string, unknown> | null = null;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
  } catch {
    body = null;
  }
  return { status, body, replayed };
}

/** One line describing a failed answer, from its problem document when there is one. */
export function describeFailure(r: UploadResult): string {
  const detail = r.body && typeof r.body.detail === 'string' ? r.body.detail : r.body && typeof r.body.title === 'string' ? r.body.title : '';
  return `server answered ${r.status}${detail ? `: ${detail}` : ''}`;
}

/** A progress bar for a terminal: "[#####.....]  50%  1.2/2.4 MB". */
export function renderProgress(sent: number, total: number, width = 30): string {
  const frac = total > 0 ? Math.min(1, sent / total) : 1;
  const filled = Math.round(frac * width);
  const mb = (n: number) => (n / 1_048_576).toFixed(1);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(frac * 100)).padStart(3)}%  ${mb(sent)}/${mb(total)} MB`;
}

/** Resolves after `ms`, or at once when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
