// The camera agent's upload: hash the file, sign the hash and metadata with the
// device key, then stream the bytes to POST /api/v1/clips. Nothing is read into
// memory whole: the file is read once to hash and once to send.
//
// Retries are safe because every attempt for the same clip carries the same
// Idempotency-Key (see agent-clip.ts): the server answers a retry with the clip
// it already stored.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { KeyObject } from 'node:crypto';
import { hashFile, idempotencyKey } from './agent-clip.ts';
import { canonicalTime, clipSigningPayload, signClipPayload } from './signature.ts';

export interface UploadTarget {
  server: string;
  cameraId: string;
  token: string;
  key: KeyObject;
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
  const size = (await fs.promises.stat(req.file)).size;
  const sha256 = await hashFile(req.file);
  const startedAt = canonicalTime(req.startedAt);
  const endedAt = canonicalTime(req.endedAt);
  const fields = { cameraId: target.cameraId, sha256, startedAt, endedAt, kind: req.kind };
  const signature = signClipPayload(target.key, clipSigningPayload(fields));
  const key = idempotencyKey(fields);

  const url = new URL('/api/v1/clips', target.server);
  url.search = new URLSearchParams({ cameraId: target.cameraId, startedAt, endedAt, kind: req.kind }).toString();
  const headers = {
    authorization: `Bearer ${target.token}`,
    'content-type': 'video/mp4',
    'content-length': String(size),
    'idempotency-key': key,
    'x-device-signature': signature,
  };

  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const request = client.request(url, { method: 'POST', headers, signal: req.signal });
    let answered = false;
    request.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
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
    pipeline(fs.createReadStream(req.file), counter, request).catch((err: Error) => {
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
  return { status, sha256, idempotencyKey: key, body };
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
