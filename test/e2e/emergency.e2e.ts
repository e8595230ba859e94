// The two-reviewer emergency flow in the browser: an administrator creates and
// verifies the agency (and so may not judge what it asks for); an agency member
// files an emergency request for one address; reviewer 1 records the callback and a
// first approval; the page shows it waits for a different reviewer; reviewer 2
// approves; the one clip in scope is released to the agency and logged (and
// its evidence ZIP downloads, as does the follow-up warrant's); the
// public log page verifies the log that now holds its entry.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { unzipSync } from 'fflate';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ensureWebBuilt, launchBrowser, startServer, Visitor, type Server } from './harness.ts';
import { agentEnrolAndUpload, checkPage, createAgencyViaUi, createStaffCli, fillWarrantForm, firstStaffSignIn, inviteMemberViaUi, PASSWORD, signIn, signUpResident } from './steps.ts';

const HOME = { lat: 45.5152, lon: -122.6784 };

/** Clicks a download link and reads the evidence ZIP it serves: its manifest's kind, and each clip checked against its SHA-256. */
async function downloadEvidence(p: Page, testId: string): Promise<{ kind: string; clips: number }> {
  const [download] = await Promise.all([p.waitForEvent('download'), p.getByTestId(testId).click()]);
  const files = unzipSync(new Uint8Array(fs.readFileSync(await download.path())));
  const manifest = JSON.parse(new TextDecoder().decode(files['manifest.json'])) as { kind: string; items: { file: string; sha256: { delivered: string } }[] };
  for (const it of manifest.items) assert.equal(createHash('sha256').update(files[it.file]).digest('hex'), it.sha256.delivered, it.file);
  return { kind: manifest.kind, clips: manifest.items.length };
}

describe('the two-reviewer emergency flow', { concurrency: false }, () => {
  let server: Server;
  let browser: Browser;
  const used = new Set<string>();
  let emergencyId = '';

  before(async () => {
    ensureWebBuilt();
    server = await startServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('a resident camera has a clip from an hour ago', async () => {
    const resident = await Visitor.open(browser, 'resident', server.url);
    await signUpResident(resident, { name: 'Eve Owner', email: 'eve@example.test', home: HOME });
    const p = resident.page;
    await p.getByRole('button', { name: 'Add a camera' }).click();
    await p.getByLabel('Name').fill('Porch');
    await p.getByRole('button', { name: 'Add camera', exact: true }).click();
    await p.getByRole('button', { name: 'Create enrolment code' }).click();
    const code = (await p.getByTestId('enrolment-code').innerText()).trim();
    const startedAt = new Date(Date.now() - 60 * 60_000);
    await agentEnrolAndUpload(server, code, [{ startedAt, endedAt: new Date(startedAt.getTime() + 10_000) }]);
    await resident.close();
  });

  let reviewer2: Visitor;
  let officer: Visitor;
  let officerPassword = '';

  it('an administrator creates and verifies the agency and invites an officer', async () => {
    await createStaffCli(server, 'admin', 'admin@example.test', 'Ada Admin');
    const admin = await Visitor.open(browser, 'admin', server.url);
    await firstStaffSignIn(admin, 'admin@example.test', PASSWORD, used);
    await createAgencyViaUi(admin, 'Riverside Police', HOME);
    officerPassword = await inviteMemberViaUi(admin, 'officer@example.test', 'Officer Olsen');
    await admin.close();
  });

  it('the officer enrols TOTP and files an emergency request', async () => {
    const v = (officer = await Visitor.open(browser, 'agency', server.url));
    await firstStaffSignIn(v, 'officer@example.test', officerPassword, used);
    await v.page.getByRole('heading', { name: 'Riverside Police' }).waitFor();
    await checkPage(v, 'agency-home');
    await v.goto('/agency/emergency');
    const p = v.page;
    await p.getByLabel('Requesting officer').fill('Officer Olsen, badge 4411');
    await p.getByLabel('Callback phone number').fill('+1 503 555 0100');
    await p.getByLabel('Nature of the emergency').fill('Child reported taken from the front yard');
    await p.getByLabel(/imminent danger/).fill('Witness saw the child forced into a grey van');
    await p.getByLabel(/legal process cannot/).fill('The van left minutes ago; a warrant takes hours');
    await p.getByLabel('Address latitude').fill(String(HOME.lat));
    await p.getByLabel('Address longitude').fill(String(HOME.lon));
    await checkPage(v, 'agency-emergency-form');
    await p.getByRole('button', { name: 'Submit emergency request' }).click();
    await p.getByText('Submitted. A reviewer will call the callback number.').waitFor();
    await p.getByTestId('emergency-nature').first().waitFor();
    await checkPage(v, 'agency-emergency-submitted');
  });

  it('reviewer 1 records the callback and a first approval, and the page shows it needs a second reviewer', async () => {
    await createStaffCli(server, 'reviewer', 'r1@example.test', 'Rae One');
    const v = await Visitor.open(browser, 'reviewer1', server.url);
    await firstStaffSignIn(v, 'r1@example.test', PASSWORD, used);
    const p = v.page;
    await v.goto('/review');
    await p.getByTestId('queue-emergency').getByTestId('item-age').first().waitFor();
    await checkPage(v, 'reviewer-queues');
    await p.getByRole('link', { name: /Child reported taken/ }).click();
    await p.getByTestId('emergency-state').getByText(/awaiting callback/).waitFor();
    emergencyId = p.url().split('/').pop()!;
    await checkPage(v, 'reviewer-emergency-callback');
    await p.getByLabel('The requester was confirmed on this call').check();
    await p.getByRole('button', { name: 'Record callback' }).click();
    await p.getByTestId('emergency-state').getByText(/awaiting first determination/).waitFor();
    await p.getByLabel(/^Reason/).selectOption({ label: 'Imminent danger of death or serious injury confirmed' });
    await p.getByLabel(/^Written reasons/).fill('Callback confirmed the officer; witness account is specific and recent.');
    await checkPage(v, 'reviewer-emergency-first');
    await p.getByRole('button', { name: 'Record approval' }).click();
    await p.getByTestId('emergency-state').getByText(/awaiting second determination by a different reviewer/).waitFor();
    await p.getByText('Your determination is recorded').waitFor();
    await checkPage(v, 'reviewer-emergency-waiting');
  });

  it('reviewer 2 records the second approval and the clip in scope is released and logged', async () => {
    await createStaffCli(server, 'reviewer', 'r2@example.test', 'Rob Two');
    const v = (reviewer2 = await Visitor.open(browser, 'reviewer2', server.url));
    await firstStaffSignIn(v, 'r2@example.test', PASSWORD, used);
    const p = v.page;
    await v.goto(`/review/emergency/${emergencyId}`);
    await p.getByTestId('emergency-state').getByText(/awaiting second determination/).waitFor();
    await p.getByLabel(/^Reason/).selectOption({ label: 'Legal process cannot be obtained in time' });
    await p.getByLabel(/^Written reasons/).fill('Independent review: danger is imminent and the scope is one address for two hours.');
    await p.getByRole('button', { name: 'Record approval' }).click();
    const outcome = p.getByTestId('emergency-outcome');
    await outcome.waitFor();
    assert.match(await outcome.innerText(), /Approved by two reviewers: 1 clip released/);
    await checkPage(v, 'reviewer-emergency-approved');
  });

  it('the public log page verifies the log holding the emergency disclosure', async () => {
    const v = await Visitor.open(browser, 'public', server.url);
    const p = v.page;
    // The integrator appends in batches; wait until the checkpoint counts the entry.
    for (let i = 0; i < 50; i++) {
      await v.goto('/public/log');
      await p.getByTestId('log-size').waitFor();
      if (Number(await p.getByTestId('log-size').innerText()) >= 1) break;
      await p.waitForTimeout(200);
    }
    assert.ok(Number(await p.getByTestId('log-size').innerText()) >= 1);
    await p.getByRole('button', { name: 'Verify in your browser' }).click();
    await p.getByTestId('verify-ok').waitFor();
    await checkPage(v, 'public-log-verified');
    await v.close();
  });

  it('the officer sees the emergency approved with its clip released', async () => {
    const p = officer.page;
    await officer.goto('/agency/emergency');
    await p.getByText(/callback confirmed · 2 of 2 · 1 clip\(s\) released/).waitFor();
    await checkPage(officer, 'agency-emergency-approved');
    assert.deepEqual(await downloadEvidence(p, 'emergency-evidence-zip'), { kind: 'emergency', clips: 1 });
  });

  it('the officer files a search warrant as follow-up and reviewer 2 approves it with reasons', async () => {
    const p = officer.page;
    await fillWarrantForm(officer, '26CR-0917', HOME);
    await checkPage(officer, 'agency-legal-form');
    await p.getByRole('button', { name: 'Submit for review' }).click();
    await p.getByText('Submitted for review.').waitFor();
    await p.getByRole('cell', { name: '26CR-0917' }).waitFor();
    await checkPage(officer, 'agency-legal-submitted');

    const r = reviewer2.page;
    await reviewer2.goto('/review');
    await r.getByTestId('queue-legal_demand').getByRole('link', { name: /26CR-0917/ }).click();
    await r.getByRole('heading', { name: /search warrant: case 26CR-0917/i }).waitFor();
    await r.getByLabel(/^Reason/).selectOption({ label: 'Valid process, scope supported' });
    await r.getByLabel(/^Written reasons/).fill('Signed warrant; scope is one address for the emergency window.');
    await checkPage(reviewer2, 'reviewer-legal-review');
    await r.getByRole('button', { name: 'Record decision' }).click();
    const decided = r.getByText(/^Decided: approve/);
    await decided.or(r.getByRole('alert')).first().waitFor();
    assert.ok(await decided.isVisible(), `the decision was refused: ${await r.getByRole('alert').allInnerTexts()}`);
    await checkPage(reviewer2, 'reviewer-legal-approved');
    await officer.goto('/agency/legal');
    await p.getByText(/approve: Valid process/).waitFor();
    await p.getByText('1 clip released').waitFor();
    assert.deepEqual(await downloadEvidence(p, 'warrant-evidence-zip'), { kind: 'warrant', clips: 1 });
  });

  it('the officer links the warrant as follow-up, plays the released clip, and marks the emergency resolved', async () => {
    const p = officer.page;
    await officer.goto('/agency/emergency');
    const card = p.getByTestId('emergency-card').first();
    await card.getByLabel('Approved warrant').selectOption({ label: 'case 26CR-0917' });
    await card.getByRole('button', { name: 'Link follow-up' }).click();
    await card.getByText('Follow-up warrant linked.').waitFor();
    await card.getByRole('button', { name: 'Play' }).click();
    await p.locator('video').waitFor();
    await checkPage(officer, 'agency-emergency-evidence-player');
    await p.keyboard.press('Escape');
    await card.getByRole('button', { name: /Mark resolved/ }).click();
    await card.getByText(/resolved \w/).waitFor();
    await checkPage(officer, 'agency-emergency-resolved');
  });

  it('the owner is told: the notice shows in the resident\'s notifications, with a receipt that verifies', async () => {
    const v = await Visitor.open(browser, 'owner', server.url);
    await signIn(v, 'eve@example.test');
    const p = v.page;
    let found = false;
    for (let i = 0; i < 60 && !found; i++) {
      await v.goto('/home/notifications');
      await p.getByRole('heading', { name: 'Notifications' }).waitFor();
      await p.waitForLoadState('networkidle');
      found = (await p.getByTestId('notification').count()) > 0;
      if (!found) await p.waitForTimeout(500);
    }
    assert.ok(found, 'the owner got a notice');
    // The notice shows its order of events (issue 19): two reviewers approved, then the release, then the owner was told.
    const timeline = p.getByTestId('notification').filter({ hasText: 'emergency disclosure' }).getByTestId('notice-timeline');
    await timeline.getByText('Reviewed and approved by 2 reviewers').waitFor();
    await timeline.getByText('You were told', { exact: true }).waitFor();
    await checkPage(v, 'owner-emergency-notice');
    await v.goto('/home/receipts');
    // The emergency's entry (the approved warrant released the clip again, with its own entry and receipt).
    const receipt = p.getByTestId('receipt').filter({ hasText: 'Emergency (two reviewers)' });
    await receipt.getByRole('button', { name: 'Verify' }).click();
    await receipt.getByText('verified').waitFor();
    await checkPage(v, 'owner-emergency-receipt');
    await v.close();
  });
});
