// End-to-end encryption in the browser (issue 15): the owner makes a key in
// Chromium and keeps its backup file; the camera agent seals a real clip to it;
// the owner plays it, seeks, and saves the plaintext, which is byte for byte the
// recorded file; a second browser cannot play it until the backup is restored;
// an officer makes the agency's key in their own browser; the owner shares the
// clip by re-wrapping its key, and the officer plays it; the consent is on the
// log; a warrant for the same clip is approved and the clip is still refused.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { parseEntry } from '../../src/ledger/entry.ts';
import { decodeEntryBundle } from '../../src/ledger/tiles.ts';
import { ensureWebBuilt, launchBrowser, startServer, Visitor, type Server } from './harness.ts';
import { checkPage, createAgencyViaUi, createStaffCli, fillWarrantForm, firstStaffSignIn, inviteMemberViaUi, PASSWORD, signIn, signUpResident, verifyFirstReceipt } from './steps.ts';

const HOME = { lat: 45.5301, lon: -122.6601 };
const PASSPHRASE = 'a long backup passphrase 7';
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Waits for the decrypted player, then seeks to `t` seconds and checks the browser decoded a frame there. */
async function playAndSeek(p: Page, t: number): Promise<void> {
  const video = p.getByTestId('sealed-video');
  await video.or(p.getByRole('alert')).first().waitFor({ timeout: 60_000 });
  assert.ok(await video.isVisible(), `the clip did not play: ${await p.getByRole('alert').allInnerTexts()}`);
  const seen = await video.evaluate(async (el: HTMLVideoElement, at: number) => {
    if (el.readyState < 1) await new Promise((r) => el.addEventListener('loadedmetadata', r, { once: true }));
    const seeked = new Promise((r) => el.addEventListener('seeked', r, { once: true }));
    el.currentTime = at;
    await seeked;
    return { duration: el.duration, at: el.currentTime, ready: el.readyState, error: el.error?.message ?? null };
  }, t);
  assert.equal(seen.error, null);
  assert.ok(seen.duration > t, `duration ${seen.duration}`);
  assert.ok(Math.abs(seen.at - t) < 0.5, `seeked to ${seen.at}`);
  assert.ok(seen.ready >= 2, `a frame is decoded at the seek point (readyState ${seen.ready})`);
}

/** The basis of every entry in the public log, read from its tiles as any verifier would (C2SP tlog-tiles). */
async function logBases(url: string): Promise<string[]> {
  const size = Number((await (await fetch(`${url}/log/checkpoint`)).text()).split('\n')[1]);
  if (!size) return [];
  assert.ok(size < 256, 'one partial entry bundle holds this test log');
  const bundle = decodeEntryBundle(new Uint8Array(await (await fetch(`${url}/log/tile/entries/000.p/${size}`)).arrayBuffer()));
  return bundle.map((e) => parseEntry(e).basis);
}

describe('end-to-end encryption in the browser', { concurrency: false }, () => {
  let server: Server;
  let browser: Browser;
  let owner: Visitor;
  let officer: Visitor;
  let reviewer: Visitor;
  const used = new Set<string>();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'porchlight-e2ee-e2e-'));
  const clipFile = path.join(work, 'clip.mp4');
  let backupPath = '';
  let requestId = '';

  before(async () => {
    ensureWebBuilt();
    // A real 6 s clip, long enough to seek in and to span several 64 KiB chunks.
    const r = spawnSync(process.env.FFMPEG_PATH ?? 'ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=duration=6:size=320x240:rate=15', '-c:v', 'libx264', '-b:v', '600k', '-pix_fmt', 'yuv420p', '-g', '15', '-movflags', '+faststart', '-y', clipFile]);
    assert.equal(r.status, 0, r.stderr.toString());
    assert.ok(fs.statSync(clipFile).size > 3 * 65536, 'the clip spans several envelope chunks');
    server = await startServer();
    browser = await launchBrowser();
    owner = await Visitor.open(browser, 'owner', server.url);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('the owner adds an end-to-end camera and makes a key in the browser, and downloads its backup', async () => {
    await signUpResident(owner, { name: 'Priya Private', email: 'priya@example.test', home: HOME });
    const p = owner.page;
    await p.getByRole('button', { name: 'Add a camera' }).click();
    await p.getByLabel('Name').fill('Side gate');
    await p.getByLabel(/^End-to-end encrypted/).check();
    await p.getByRole('button', { name: 'Add camera', exact: true }).click();
    await p.getByRole('heading', { name: 'Side gate' }).waitFor();
    await p.getByRole('link', { name: /Your end-to-end key/ }).click();
    await p.getByRole('heading', { name: 'End-to-end key' }).waitFor();
    await p.getByText('No key yet.', { exact: false }).waitFor();
    await checkPage(owner, 'e2ee-owner-key-none');
    await p.getByLabel('Backup passphrase').fill(PASSPHRASE);
    await p.getByLabel('The passphrase again').fill(PASSPHRASE);
    await p.getByRole('button', { name: 'Make the key' }).click();
    const link = p.getByRole('link', { name: 'Download the backup file' });
    await link.waitFor({ timeout: 60_000 });
    const [download] = await Promise.all([p.waitForEvent('download'), link.click()]);
    backupPath = path.join(work, download.suggestedFilename());
    await download.saveAs(backupPath);
    const backup = JSON.parse(fs.readFileSync(backupPath, 'utf8')) as Record<string, unknown>;
    assert.equal(backup.format, 'porchlight-key-backup-v1');
    assert.equal((backup.kdf as { name: string }).name, 'argon2id');
    await p.getByTestId('e2ee-key-status').getByText('held in this browser').waitFor();
    await checkPage(owner, 'e2ee-owner-key-made');
  });

  it('the camera agent seals a clip to that key and uploads it', async () => {
    const p = owner.page;
    await owner.goto('/home');
    await p.getByRole('link', { name: 'Side gate' }).click();
    await p.getByRole('button', { name: 'Create enrolment code' }).click();
    const code = (await p.getByTestId('enrolment-code').innerText()).trim();
    const state = path.join(work, 'agent');
    await server.cli(['camera', 'enroll', '--server', server.url, '--code', code, '--state', state, '--force']);
    const startedAt = new Date(Date.now() - 90 * 60_000);
    const out = await server.cli(['camera', 'upload', clipFile, '--started', startedAt.toISOString(), '--ended', new Date(startedAt.getTime() + 6000).toISOString(), '--kind', 'motion', '--state', state]);
    assert.match(out, /end-to-end|sealed/i);
  });

  it('the owner plays the clip, seeks, and saves the plaintext, which is the recorded file', async () => {
    const p = owner.page;
    await owner.goto('/home/clips');
    await p.getByTestId('clip-card').first().getByText('end-to-end encrypted').waitFor();
    await p.getByRole('button', { name: /^Play clip/ }).first().click();
    await playAndSeek(p, 4);
    await p.getByTestId('sealed-checked').getByText(/camera's signature verifies/).waitFor();
    await checkPage(owner, 'e2ee-owner-player');
    const [download] = await Promise.all([p.waitForEvent('download'), p.getByRole('link', { name: 'Download the decrypted clip' }).click()]);
    const saved = path.join(work, 'decrypted.mp4');
    await download.saveAs(saved);
    assert.equal(sha256(fs.readFileSync(saved)), sha256(fs.readFileSync(clipFile)));
    await p.keyboard.press('Escape');
  });

  it('a second browser cannot play it until the backup file is restored there', async () => {
    const second = await Visitor.open(browser, 'owner-second-device', server.url);
    await signIn(second, 'priya@example.test');
    const p = second.page;
    await second.goto('/home/clips');
    await p.getByRole('button', { name: /^Play clip/ }).first().click();
    await p.getByRole('alert').getByText(/does not hold key/).waitFor({ timeout: 30_000 });
    await p.keyboard.press('Escape');
    await second.goto('/home/key');
    await p.getByTestId('e2ee-key-status').getByText('not in this browser').waitFor();
    await p.getByLabel('Backup file').setInputFiles(backupPath).catch(async () => {
      // Mantine's FileInput is a button over a hidden input: set the input itself.
      await p.locator('input[type=file]').setInputFiles(backupPath);
    });
    await p.getByLabel('Its passphrase').fill('not the passphrase at all');
    await p.getByRole('button', { name: 'Restore the key' }).click();
    await p.getByRole('alert').getByText(/passphrase is wrong/).waitFor({ timeout: 60_000 });
    await p.getByLabel('Its passphrase').fill(PASSPHRASE);
    await p.getByRole('button', { name: 'Restore the key' }).click();
    await p.getByText(/restored in this browser/).waitFor({ timeout: 60_000 });
    await p.getByTestId('e2ee-key-status').getByText('held in this browser').waitFor();
    await checkPage(second, 'e2ee-owner-key-restored');
    await second.goto('/home/clips');
    await p.getByRole('button', { name: /^Play clip/ }).first().click();
    await playAndSeek(p, 2);
    await second.close();
  });

  it('an administrator creates the agency; its officer makes the agency key in their own browser', async () => {
    await createStaffCli(server, 'admin', 'admin@example.test', 'Ada Admin');
    const admin = await Visitor.open(browser, 'admin', server.url);
    await firstStaffSignIn(admin, 'admin@example.test', PASSWORD, used);
    await createAgencyViaUi(admin, 'Northside Police', HOME);
    const password = await inviteMemberViaUi(admin, 'officer@example.test', 'Officer Okafor');
    await admin.close();
    officer = await Visitor.open(browser, 'officer', server.url);
    await firstStaffSignIn(officer, 'officer@example.test', password, used);
    const p = officer.page;
    await officer.goto('/agency/key');
    await p.getByLabel('Backup passphrase').fill(PASSPHRASE);
    await p.getByLabel('The passphrase again').fill(PASSPHRASE);
    await p.getByRole('button', { name: 'Make the key' }).click();
    await p.getByRole('link', { name: 'Download the backup file' }).waitFor({ timeout: 60_000 });
    await p.getByTestId('e2ee-key-status').getByText('held in this browser').waitFor();
    await checkPage(officer, 'e2ee-agency-key');
  });

  it('the officer asks for footage and a reviewer approves the request', async () => {
    const p = officer.page;
    await officer.goto('/agency/new');
    await p.getByLabel('Centre latitude').fill(String(HOME.lat));
    await p.getByLabel('Centre longitude').fill(String(HOME.lon));
    await p.getByLabel('Radius (m)').fill('250');
    await p.getByRole('button', { name: 'Use centre and radius' }).click();
    await p.getByTestId('check-area').getByText(/within the 0.025–0.5 sq mi limit/).waitFor();
    await p.getByLabel(/^Case number/).fill('2026-NP-0077');
    await p.getByLabel(/^Investigator contact/).fill('Det. Okafor, 503-555-0177');
    await p.getByRole('button', { name: 'Submit for review' }).click();
    await p.getByRole('heading', { name: 'Case 2026-NP-0077' }).waitFor();
    requestId = p.url().split('/').pop()!;

    await createStaffCli(server, 'reviewer', 'reviewer@example.test', 'Rui Reviewer');
    reviewer = await Visitor.open(browser, 'reviewer', server.url);
    await firstStaffSignIn(reviewer, 'reviewer@example.test', PASSWORD, used);
    const r = reviewer.page;
    await reviewer.goto('/review');
    await r.getByTestId('queue-community_request').getByRole('link').first().click();
    await r.getByRole('button', { name: 'Approve request' }).click();
    await r.getByTestId('review-done').waitFor();
  });

  it("the owner shares the clip: the browser re-wraps its key for the agency's", async () => {
    const p = owner.page;
    for (let i = 0; i < 60 && !(await p.getByTestId('inbox-clip').count()); i++) {
      await owner.goto(`/home/requests/${requestId}`);
      await p.waitForLoadState('networkidle');
      if (!(await p.getByTestId('inbox-clip').count())) await p.waitForTimeout(500);
    }
    await p.getByText(/re-wraps each clip's key for Northside Police/).waitFor();
    await p.getByTestId('agency-fingerprint').getByText(/^[0-9a-f]{4}( [0-9a-f]{4}){7}$/).waitFor();
    await p.getByTestId('inbox-clip').first().getByRole('checkbox').check();
    await checkPage(owner, 'e2ee-owner-share');
    await p.getByRole('button', { name: 'Share 1 selected clip' }).click();
    await p.getByText(/Your answer was sent/).or(p.getByRole('alert')).first().waitFor();
    assert.ok(await p.getByText(/Your answer was sent/).isVisible(), `the share failed: ${await p.getByRole('alert').allInnerTexts()}`);
  });

  it('the officer plays the shared clip, decrypted in their browser with the agency key', async () => {
    const p = officer.page;
    await officer.goto(`/agency/requests/${requestId}`);
    await p.getByTestId('evidence-clip').first().getByText('end-to-end encrypted').waitFor();
    await p.getByRole('button', { name: /^Play Neighbor 1/ }).click();
    await playAndSeek(p, 3);
    await p.getByTestId('sealed-checked').getByText(/with your agency's key/).waitFor();
    await checkPage(officer, 'e2ee-agency-player');
    await p.keyboard.press('Escape');
  });

  it("a replaced agency key is flagged to the owner, with both fingerprints, before anything is sealed to it", async () => {
    const p = officer.page;
    await officer.goto('/agency/key');
    // The fingerprint is computed after the key loads and reads '…' until then.
    const fingerprint = p.getByTestId('key-fingerprint').filter({ hasNotText: '…' });
    await fingerprint.waitFor();
    const before = (await fingerprint.innerText()).trim();
    await p.getByLabel('Backup passphrase').fill(PASSPHRASE);
    await p.getByLabel('The passphrase again').fill(PASSPHRASE);
    await p.getByRole('button', { name: 'Make a new key' }).click();
    await p.getByRole('link', { name: 'Download the backup file' }).waitFor({ timeout: 60_000 });
    await p.getByTestId('key-fingerprint').filter({ hasNotText: before }).waitFor();
    const o = owner.page;
    await owner.goto(`/home/requests/${requestId}`);
    const alert = o.getByTestId('agency-key-changed');
    await alert.waitFor();
    assert.match(await alert.innerText(), new RegExp(before));
    await checkPage(owner, 'e2ee-agency-key-changed');
  });

  it("the consent is on the log: the owner's receipt verifies", async () => {
    await verifyFirstReceipt(owner);
  });

  it('a warrant for the same clip is approved, and the clip is refused and logged, not released', async () => {
    const p = officer.page;
    await fillWarrantForm(officer, '26CR-2201', HOME);
    await p.getByRole('button', { name: 'Submit for review' }).click();
    await p.getByText('Submitted for review.').waitFor();

    const r = reviewer.page;
    await reviewer.goto('/review');
    await r.getByTestId('queue-legal_demand').getByRole('link', { name: /26CR-2201/ }).click();
    await r.getByLabel(/^Reason/).selectOption({ label: 'Valid process, scope supported' });
    await r.getByLabel(/^Written reasons/).fill('Signed warrant for one address.');
    await r.getByRole('button', { name: 'Record decision' }).click();
    await r.getByText(/^Decided: approve/).or(r.getByRole('alert')).first().waitFor();
    assert.ok(await r.getByText(/^Decided: approve/).isVisible(), `the decision was refused: ${await r.getByRole('alert').allInnerTexts()}`);

    await officer.goto('/agency/legal');
    await p.getByTestId('refused-e2ee').getByText(/1 end-to-end encrypted clip in scope not released/).waitFor();
    await checkPage(officer, 'e2ee-warrant-refused');

    // Closing the request: the owner's inbox shows it closed, with what was shared, and offers no answer (issue 19).
    await officer.goto(`/agency/requests/${requestId}`);
    await p.getByRole('button', { name: 'Close request' }).click();
    await p.getByRole('button', { name: 'Close request' }).waitFor({ state: 'detached' });
    await owner.goto(`/home/requests/${requestId}`);
    await owner.page.getByTestId('request-closed').getByText(/closed: it no longer takes answers/).waitFor();
    await owner.page.getByText(/1 clip\(s\) shared, ticked below/).waitFor();
    assert.equal(await owner.page.getByRole('button', { name: /^Share/ }).count(), 0);
    // The refusal is an entry of the public log, beside the consent.
    let bases: string[] = [];
    for (let i = 0; i < 50 && !bases.includes('refusal_e2ee'); i++, await p.waitForTimeout(200)) bases = await logBases(server.url);
    assert.ok(bases.includes('consent'), `log bases: ${bases.join(', ')}`);
    assert.ok(bases.includes('refusal_e2ee'), `log bases: ${bases.join(', ')}`);
    assert.ok(!bases.includes('warrant'), 'no clip was released under the warrant');
  });
});
