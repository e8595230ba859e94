// Decrypts an end-to-end clip off the page's thread (issue 15 §4): fetches
// the envelope in ranges of 64 chunks (4 MiB of video), opens each with the
// content key, which arrives as a non-extractable CryptoKey, and checks the
// whole against the plaintext SHA-256 the camera sealed beside the key. Any
// altered chunk fails authentication, so no wrong frame is ever handed back.
import { ENVELOPE_CHUNK, envelopeRangeFor, openEnvelopeRange, parseEnvelopeHeader } from '../../../../src/platform/sealed/envelope.ts';

export interface DecryptJob { url: string; key: CryptoKey; header: Uint8Array; plainSha256: Uint8Array }
export type DecryptMessage = { progress: number } | { blob: Blob } | { error: string };

const STEP = 64 * ENVELOPE_CHUNK;

const hex = (b: ArrayBuffer | Uint8Array) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');

async function decrypt(job: DecryptJob, report: (m: DecryptMessage) => void): Promise<Blob> {
  const h = parseEnvelopeHeader(job.header);
  const parts: Uint8Array<ArrayBuffer>[] = [];
  for (let start = 0; start < h.plainSize; start += STEP) {
    const end = Math.min(start + STEP, h.plainSize) - 1;
    const r = envelopeRangeFor(h.plainSize, start, end);
    const res = await fetch(job.url, { headers: { Range: `bytes=${r.start}-${r.end}` }, credentials: 'same-origin' });
    if (res.status !== 206) throw new Error(`the server answered ${res.status} to a range of the clip`);
    parts.push(await openEnvelopeRange(job.key, h, start, end, new Uint8Array(await res.arrayBuffer())) as Uint8Array<ArrayBuffer>);
    report({ progress: (end + 1) / h.plainSize });
  }
  const blob = new Blob(parts, { type: 'video/mp4' });
  if (hex(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer())) !== hex(job.plainSha256)) {
    throw new Error('the decrypted clip does not match the SHA-256 its camera sealed with the key');
  }
  return blob;
}

self.onmessage = (e: MessageEvent<DecryptJob>) => {
  const post = (m: DecryptMessage) => self.postMessage(m);
  decrypt(e.data, post).then((blob) => post({ blob }), (err: unknown) => post({ error: err instanceof Error ? err.message : String(err) }));
};
