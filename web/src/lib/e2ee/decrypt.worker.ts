// Decrypts an end-to-end clip off the page's thread (issue 15 §4): fetches
// the envelope in ranges of 64 chunks (4 MiB of video), opens each with the
// content key, which arrives as a non-extractable CryptoKey, and checks the
// whole against the plaintext SHA-256 the camera sealed beside the key, hashed
// chunk by chunk so the clip is held once, not three times. Any altered chunk
// fails authentication, so no wrong frame is ever handed back.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { ENVELOPE_CHUNK, envelopeRangeFor, openEnvelopeRange, parseEnvelopeHeader } from '../../../../src/platform/sealed/envelope.ts';

export interface DecryptJob { url: string; key: CryptoKey; header: Uint8Array; plainSha256: Uint8Array }
export type DecryptMessage = { progress: number } | { blob: Blob; plainSha256: string } | { error: string };

const STEP = 64 * ENVELOPE_CHUNK;

async function decrypt(job: DecryptJob, report: (m: DecryptMessage) => void): Promise<{ blob: Blob; plainSha256: string }> {
  const h = parseEnvelopeHeader(job.header);
  const parts: Uint8Array<ArrayBuffer>[] = [];
  const hash = sha256.create();
  for (let start = 0; start < h.plainSize; start += STEP) {
    const end = Math.min(start + STEP, h.plainSize) - 1;
    const r = envelopeRangeFor(h.plainSize, start, end);
    const res = await fetch(job.url, { headers: { Range: `bytes=${r.start}-${r.end}` }, credentials: 'same-origin' });
    if (res.status !== 206) throw new Error(`the server answered ${res.status} to a range of the clip`);
    const plain = await openEnvelopeRange(job.key, h, start, end, new Uint8Array(await res.arrayBuffer())) as Uint8Array<ArrayBuffer>;
    hash.update(plain);
    parts.push(plain);
    report({ progress: (end + 1) / h.plainSize });
  }
  const plainSha256 = bytesToHex(hash.digest());
  if (plainSha256 !== bytesToHex(job.plainSha256)) throw new Error('the decrypted clip does not match the SHA-256 sealed with its key');
  return { blob: new Blob(parts, { type: 'video/mp4' }), plainSha256 };
}

self.onmessage = (e: MessageEvent<DecryptJob>) => {
  const post = (m: DecryptMessage) => self.postMessage(m);
  decrypt(e.data, post).then((r) => post(r), (err: unknown) => post({ error: err instanceof Error ? err.message : String(err) }));
};
