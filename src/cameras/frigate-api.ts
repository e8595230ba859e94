// The few calls the bridge makes to Frigate's HTTP API (docs.frigate.video,
// "HTTP API"): an event's clip (`GET /api/events/<id>/clip.mp4`), one event
// (`GET /api/events/<id>`) and recent events (`GET /api/events?after=…&has_clip=1`).
//
// What Frigate sends is treated as untrusted: a clip is streamed to a file
// with a byte limit (cut off once over it, whatever Content-Length claimed)
// and must pass the same structural MP4 check as the server's ingest
// (clips/mp4.ts) before it goes anywhere.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream } from 'node:stream/web';
import { checkMp4, fileSource } from '../clips/mp4.ts';
import { NetworkError } from './agent-upload.ts';
import { parseApiEvent, type FrigateEvent } from './frigate-payload.ts';

/** Frigate's clip is not one Porchlight takes (not an MP4, over the limit): bad input, not retried. */
export class ClipRefused extends Error {}

/** Frigate answered, but not with a clip yet (404 while it finishes writing, or a 5xx): worth trying later. */
export class ClipNotReady extends Error {}

export interface FrigateApi {
  fetchClip(eventId: string, file: string, signal: AbortSignal): Promise<{ size: number }>;
  getEvent(eventId: string, signal: AbortSignal): Promise<FrigateEvent | null>;
  recentEvents(afterMs: number, signal: AbortSignal): Promise<{ events: FrigateEvent[]; malformed: number }>;
}

class OverLimit extends Error {}

async function get(url: string, signal: AbortSignal): Promise<Response> {
  try {
    return await fetch(url, { signal, redirect: 'error' });
  } catch (err) {
    if (signal.aborted) throw err;
    throw new NetworkError(`cannot reach Frigate: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}`);
  }
}

async function json(res: Response, what: string): Promise<unknown> {
  try {
    return await res.json();
  } catch {
    throw new NetworkError(`Frigate's answer for ${what} is not JSON`);
  }
}

/** The Frigate at `base` (e.g. http://frigate:5000), taking clips of at most `maxClipBytes`. */
export function frigateApi(base: string, maxClipBytes: number): FrigateApi {
  const at = (p: string) => `${base}${p}`;
  return {
    async fetchClip(eventId, file, signal) {
      const res = await get(at(`/api/events/${encodeURIComponent(eventId)}/clip.mp4`), signal);
      if (!res.ok || !res.body) {
        await res.body?.cancel();
        throw new ClipNotReady(`Frigate answered ${res.status} for the clip of event ${eventId}`);
      }
      const declared = Number(res.headers.get('content-length'));
      if (Number.isFinite(declared) && declared > maxClipBytes) {
        await res.body.cancel();
        throw new ClipRefused(`the clip of event ${eventId} is ${declared} bytes, over the limit of ${maxClipBytes} (maxClipBytes)`);
      }
      let size = 0;
      const meter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          size += chunk.length;
          done(size > maxClipBytes ? new OverLimit() : null, chunk);
        },
      });
      try {
        await pipeline(Readable.fromWeb(res.body as ReadableStream), meter, fs.createWriteStream(file, { mode: 0o600 }));
      } catch (err) {
        await fsp.rm(file, { force: true });
        if (err instanceof OverLimit) throw new ClipRefused(`the clip of event ${eventId} is over the limit of ${maxClipBytes} bytes (maxClipBytes)`);
        if (signal.aborted) throw err;
        throw new NetworkError(`the clip of event ${eventId} was cut off: ${(err as Error).message}`);
      }
      const fh = await fsp.open(file, 'r');
      let verdict;
      try {
        verdict = await checkMp4(fileSource(fh, size));
      } finally {
        await fh.close();
      }
      if (!verdict.ok) {
        await fsp.rm(file, { force: true });
        throw new ClipRefused(`the clip of event ${eventId} is not an MP4 Porchlight takes: ${verdict.reason}`);
      }
      return { size };
    },

    async getEvent(eventId, signal) {
      const res = await get(at(`/api/events/${encodeURIComponent(eventId)}`), signal);
      if (res.status === 404) return null;
      if (!res.ok) throw new NetworkError(`Frigate answered ${res.status} for event ${eventId}`);
      const parsed = parseApiEvent(await json(res, `event ${eventId}`));
      if (!parsed.ok) throw new ClipRefused(`Frigate's event ${eventId} is malformed: ${parsed.reason}`);
      return parsed.value;
    },

    async recentEvents(afterMs, signal) {
      const q = new URLSearchParams({ after: String(Math.floor(afterMs / 1000)), has_clip: '1', in_progress: '0', limit: '1000' });
      const res = await get(at(`/api/events?${q}`), signal);
      if (!res.ok) throw new NetworkError(`Frigate answered ${res.status} for its event list`);
      const list = await json(res, 'the event list');
      if (!Array.isArray(list)) throw new NetworkError("Frigate's event list is not a list");
      const parsed = list.map(parseApiEvent);
      return { events: parsed.flatMap((p) => (p.ok ? [p.value] : [])), malformed: parsed.filter((p) => !p.ok).length };
    },
  };
}
