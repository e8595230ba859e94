// Shared by the emergency and warrant evidence-ZIP tests: download a package,
// run the offline verifier on it as an agency would (a file on disk and the
// log's published key), flip a byte, and count what the owner's access log shows.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { tempDir } from '../helpers/db.ts';
import { as, type TestApp, type TestUser } from '../helpers/app.ts';
import { runEvidenceCli } from '../../src/disclosure/evidence-cli.ts';

export const getZip = (t: TestApp, user: TestUser | null, url: string) => as(t, user, { method: 'GET', url });

/** Runs `porchlight log verify-evidence` on the package bytes; returns its exit status and output. */
export async function verifyOffline(t: TestApp, zip: Uint8Array): Promise<{ code: number; out: string }> {
  const file = path.join(tempDir('porchlight-evidence-'), 'evidence.zip');
  fs.writeFileSync(file, zip);
  const key = (await t.app.inject({ method: 'GET', url: '/log/key' })).body.trim();
  const lines: string[] = [];
  const code = await runEvidenceCli([file, '--key', key], (s) => lines.push(s));
  return { code, out: lines.join('\n') };
}

/** The offline verifier refuses the package (exit 1) with a message matching `why`. */
export async function refusedOffline(t: TestApp, zip: Uint8Array, why: RegExp): Promise<void> {
  const r = await verifyOffline(t, zip);
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, why);
}

/** The package with one byte of its first clip flipped. */
export function tamperClip(zip: Uint8Array): Uint8Array {
  const files = unzipSync(zip);
  const clip = Object.keys(files).find((f) => f.startsWith('clips/') && f.endsWith('.mp4'));
  if (!clip) throw new Error('no clip in the package');
  return zipSync({ ...files, [clip]: Uint8Array.from(files[clip], (b, i) => (i === 200 ? b ^ 1 : b)) });
}

/** The package with its manifest rewritten by `edit` (a forger relabelling it). */
export function editManifest(zip: Uint8Array, edit: (m: Record<string, unknown>) => Record<string, unknown>): Uint8Array {
  const files = unzipSync(zip);
  const m = JSON.parse(new TextDecoder().decode(files['manifest.json'])) as Record<string, unknown>;
  return zipSync({ ...files, 'manifest.json': new TextEncoder().encode(JSON.stringify(edit(m))) });
}

/** The owner's access-log entries (as the owner sees them) for one clip and purpose. */
export async function accessReads(t: TestApp, owner: TestUser, clipId: string, purpose: string): Promise<{ actor: string; purpose: string }[]> {
  const res = await as(t, owner, { method: 'GET', url: '/api/v1/me/access-log?limit=100' });
  if (res.statusCode !== 200) throw new Error(`access log answered ${res.statusCode}: ${res.body}`);
  return (res.json().items as { clipId: string; actor: string; purpose: string }[]).filter((i) => i.clipId === clipId && i.purpose === purpose);
}
