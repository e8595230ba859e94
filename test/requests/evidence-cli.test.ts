// The offline evidence verifier on hostile or incomplete packages: each is
// refused with exit status 1 and a reason, never an exception.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { zipSync } from 'fflate';
import { tempDir } from '../helpers/db.ts';
import { generateSigner, formatVerifierKey } from '../../src/ledger/note.ts';
import { runEvidenceCli } from '../../src/disclosure/evidence-cli.ts';

const key = formatVerifierKey(generateSigner('porchlight.test/log'));
const enc = (s: string) => new TextEncoder().encode(s);

async function check(files: Record<string, Uint8Array> | Uint8Array, args: string[] = ['--key', key]) {
  const dir = tempDir('porchlight-evidence-cli-');
  const file = path.join(dir, 'e.zip');
  fs.writeFileSync(file, files instanceof Uint8Array ? files : zipSync(files));
  const out: string[] = [];
  const code = await runEvidenceCli([file, ...args], (s) => out.push(s));
  return { code, out: out.join('\n') };
}

const manifest = (items: unknown[]) => enc(JSON.stringify({ format: 'porchlight-evidence-v1', request: { id: 'r1', agencyId: 'a1' }, items }));

test('usage errors exit 2', async () => {
  const out: string[] = [];
  assert.equal(await runEvidenceCli([], (s) => out.push(s)), 2);
  assert.equal(await runEvidenceCli(['x.zip'], (s) => out.push(s)), 2);
  assert.equal(await runEvidenceCli(['--help'], (s) => out.push(s)), 0);
});

test('not a ZIP, no manifest, a foreign manifest: exit 1 with a reason', async () => {
  assert.equal((await check(enc('not a zip at all'))).code, 1);
  assert.match((await check({ 'README.txt': enc('hi') })).out, /manifest\.json is missing/);
  assert.match((await check({ 'manifest.json': enc('{"format":"other"}') })).out, /not a porchlight-evidence-v1/);
  assert.match((await check({ 'manifest.json': enc('{{{') })).out, /not JSON/);
});

test('a missing clip, a changed clip and a pending log entry are each refused', async () => {
  const clip = enc('video bytes');
  const { createHash } = await import('node:crypto');
  const sha = createHash('sha256').update(clip).digest('hex');
  const item = { pseudonym: 'Neighbor 1', file: 'clips/neighbor-1/d1.mp4', sha256: { original: sha, delivered: sha }, commitmentSalt: '00'.repeat(32), log: { entry: '{}', index: null, checkpoint: null, proof: null } };
  assert.match((await check({ 'manifest.json': manifest([item]) })).out, /missing from the package/);
  assert.match((await check({ 'manifest.json': manifest([item]), [item.file]: enc('other bytes') })).out, /does not match/);
  assert.match((await check({ 'manifest.json': manifest([item]), [item.file]: clip })).out, /not integrated yet/);
  const forged = { ...item, log: { entry: '{}', index: 0, checkpoint: 'porchlight.test/log\n1\nAAAA\n\n— x y\n', proof: [] } };
  const r = await check({ 'manifest.json': manifest([forged]), [item.file]: clip });
  assert.equal(r.code, 1);
  assert.match(r.out, /FAILED/);
});
