// The whole story in one browser test, across three browser contexts
// (resident, agency member, reviewer) plus an anonymous visitor:
// a resident's camera uploads two clips through the camera agent; an agency
// member draws an area and submits a request; a reviewer approves it; the
// resident shares one of the two clips; the agency sees exactly one clip under
// "Neighbor 1" and downloads the evidence ZIP; the public log page verifies
// the checkpoint. Real server, real database, real Chromium.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { ensureWebBuilt, launchBrowser, startServer, Visitor, type Server } from './harness.ts';
import fs from 'node:fs';
import { agentEnrolAndUpload, checkPage, verifyFirstReceipt, createAgencyViaUi, createStaffCli, firstStaffSignIn, inviteMemberViaUi, PASSWORD, signUpResident } from './steps.ts';

const HOME = { lat: 45.5231, lon: -122.6765 };

/** In-app notifications come through the outbox worker a moment after the event: reload until one shows. */
async function waitForNotification(v: Visitor, path: string, text: RegExp): Promise<void> {
  for (let i = 0; i < 60; i++) {
    await v.goto(path);
    await v.page.getByRole('heading', { name: 'Notifications' }).waitFor();
    await v.page.waitForLoadState('networkidle');
    if (await v.page.getByTestId('notification').getByText(text).count()) return;
    await v.page.waitForTimeout(500);
  }
  assert.fail(`no notification matching ${text} at ${path}`);
}

describe('the whole story', { concurrency: false }, () => {
  let server: Server;
  let browser: Browser;
  let resident: Visitor;
  let agency: Visitor;
  let reviewer: Visitor;
  const used = new Set<string>();
  let requestId = '';
  const CAMERA = { lat: HOME.lat + 0.0003, lon: HOME.lon + 0.0002 };
  const now = Date.now();
  // Two clips 90 and 80 minutes ago, inside the request form's default window (3 h ago to 1 h ago).
  const clipTimes = [0, 1].map((i) => {
    const startedAt = new Date(now - 90 * 60_000 + i * 10 * 60_000);
    return { startedAt, endedAt: new Date(startedAt.getTime() + 10_000) };
  });

  before(async () => {
    ensureWebBuilt();
    server = await startServer();
    browser = await launchBrowser();
    resident = await Visitor.open(browser, 'resident', server.url);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('the public log page shows the empty log and verifies it in the browser', async () => {
    const pub = await Visitor.open(browser, 'public', server.url);
    await pub.goto('/public/log');
    await pub.page.getByTestId('log-size').waitFor();
    await pub.page.getByRole('button', { name: 'Verify in your browser' }).click();
    await pub.page.getByTestId('verify-ok').waitFor();
    await checkPage(pub, 'public-log-empty');
    await pub.close();
  });

  it("a resident signs up, adds a camera, and the camera agent uploads two clips", async () => {
    await signUpResident(resident, { name: 'Rosa Resident', email: 'rosa@example.test', home: HOME });
    await checkPage(resident, 'resident-cameras-empty');
    const p = resident.page;
    await p.getByRole('button', { name: 'Add a camera' }).click();
    await p.getByLabel('Name').fill('Front door');
    await p.getByLabel('Latitude').fill(String(CAMERA.lat));
    await p.getByLabel('Longitude').fill(String(CAMERA.lon));
    await checkPage(resident, 'resident-camera-add');
    await p.getByRole('button', { name: 'Add camera', exact: true }).click();
    await p.getByRole('heading', { name: 'Front door' }).waitFor();
    await p.getByRole('button', { name: 'Create enrolment code' }).click();
    const code = (await p.getByTestId('enrolment-code').innerText()).trim();
    await checkPage(resident, 'resident-camera-detail');
    await agentEnrolAndUpload(server, code, clipTimes);
  });

  it('the resident sees both clips with a player, and draws a privacy zone with the keyboard', async () => {
    const p = resident.page;
    await resident.goto('/home/clips');
    await p.getByTestId('clip-card').nth(1).waitFor();
    assert.equal(await p.getByTestId('clip-card').count(), 2);
    await checkPage(resident, 'resident-clips');
    await p.getByRole('button', { name: /^Play clip/ }).first().click();
    await p.locator('video').waitFor();
    await checkPage(resident, 'resident-clip-player');
    await p.keyboard.press('Escape');

    await resident.goto('/home');
    await p.getByRole('link', { name: 'Front door' }).click();
    await p.getByRole('link', { name: 'Edit privacy zones' }).click();
    const frame = p.getByRole('application');
    await frame.focus();
    for (const keys of [[], ['ArrowRight', 'ArrowRight'], ['ArrowDown', 'ArrowDown']]) {
      for (const k of keys) await p.keyboard.press(k);
      await p.keyboard.press('Enter');
    }
    await p.getByRole('button', { name: 'Finish zone' }).click();
    await p.getByRole('button', { name: 'Save privacy zones' }).click();
    await p.getByText('Privacy zones saved.').waitFor();
    await checkPage(resident, 'resident-privacy-zones');
  });

  it('the resident pages for receipts and the access log load', async () => {
    await resident.goto('/home/receipts');
    await resident.page.getByRole('heading', { name: 'Receipts' }).waitFor();
    await checkPage(resident, 'resident-receipts');
    await resident.goto('/home/access-log');
    await resident.page.getByRole('heading', { name: 'Access log' }).waitFor();
    await checkPage(resident, 'resident-access-log');
  });

  it('a reviewer creates the agency and invites an officer', async () => {
    await createStaffCli(server, 'reviewer', 'reviewer@example.test', 'Rae Reviewer');
    reviewer = await Visitor.open(browser, 'reviewer', server.url);
    await firstStaffSignIn(reviewer, 'reviewer@example.test', PASSWORD, used);
    await createAgencyViaUi(reviewer, 'Eastside Police', HOME);
    const password = await inviteMemberViaUi(reviewer, 'officer@example.test', 'Officer Ortiz');
    agency = await Visitor.open(browser, 'agency', server.url);
    await firstStaffSignIn(agency, 'officer@example.test', password, used);
    await agency.page.getByRole('heading', { name: 'Eastside Police' }).waitFor();
    await checkPage(agency, 'agency-home-jurisdiction');
  });

  it('the agency member draws an area, sees the live area and checks, and submits a request', async () => {
    const p = agency.page;
    await agency.goto('/agency/new');
    await p.getByRole('heading', { name: 'New community request' }).waitFor();
    await p.getByTestId('request-quota').getByText(/^5 of 5 requests left in the last 24 hours\.$/).waitFor();
    // Too small first: immediate feedback, before anything is sent.
    await p.getByLabel('Centre latitude').fill(String(CAMERA.lat));
    await p.getByLabel('Centre longitude').fill(String(CAMERA.lon));
    await p.getByLabel('Radius (m)').fill('50');
    await p.getByRole('button', { name: 'Use centre and radius' }).click();
    await p.getByTestId('check-area').getByText(/smaller than the 0.025 sq mi minimum/).waitFor();
    assert.equal(await p.getByRole('button', { name: 'Submit for review' }).isDisabled(), true);
    // Then a 250 m circle: about 0.076 sq mi, inside the jurisdiction.
    await p.getByLabel('Radius (m)').fill('250');
    await p.getByRole('button', { name: 'Use centre and radius' }).click();
    await p.getByTestId('check-area').getByText(/within the 0.025–0.5 sq mi limit/).waitFor();
    assert.match(await p.getByTestId('live-area').innerText(), /Area: 0\.07\d sq mi/);
    await p.getByTestId('check-jurisdiction').getByText('Inside your jurisdiction.').waitFor();
    // Now draw it with the mouse: Geoman's rectangle tool, two clicks around the circle's centre (the map is fitted to it).
    const map = p.getByRole('region', { name: 'Map: draw the request area' });
    const box = (await map.boundingBox())!;
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    const d = Math.min(box.width, box.height) / 4;
    await p.getByRole('button', { name: 'Draw Rectangle' }).click();
    await p.mouse.click(cx - d, cy - d);
    await p.mouse.move(cx, cy);
    await p.mouse.click(cx + d, cy + d);
    await p.getByTestId('live-area').getByText(/Area: 0\.(1|2)\d\d sq mi/).waitFor();
    await p.getByTestId('check-area').getByText(/within the 0.025–0.5 sq mi limit/).waitFor();
    await p.getByTestId('check-jurisdiction').getByText('Inside your jurisdiction.').waitFor();
    await p.getByTestId('check-window').getByText(/within 15 min–12 h/).waitFor();
    await p.getByLabel(/^Case number/).fill('2026-EP-0412');
    await p.getByLabel(/^Investigator contact/).fill('Det. Ortiz, 503-555-0142');
    await p.getByLabel('Description').fill('Package theft from porches on the 400 block, late afternoon.');
    await checkPage(agency, 'agency-request-form');
    await p.getByRole('button', { name: 'Submit for review' }).click();
    await p.getByRole('heading', { name: 'Case 2026-EP-0412' }).waitFor();
    requestId = p.url().split('/').pop()!;
    await checkPage(agency, 'agency-request-pending');
  });

  it('the reviewer approves it from the queue', async () => {
    const p = reviewer.page;
    await reviewer.goto('/review');
    await p.getByTestId('queue-community_request').getByTestId('item-age').first().waitFor();
    await p.getByTestId('queue-community_request').getByRole('link').first().click();
    await p.getByRole('button', { name: 'Approve request' }).waitFor();
    await p.getByTestId('request-reach').getByText(/approving would ask 1 home /).waitFor();
    await checkPage(reviewer, 'reviewer-request-review');
    await p.getByRole('button', { name: 'Approve request' }).click();
    await p.getByTestId('review-done').waitFor();
    await checkPage(reviewer, 'reviewer-request-approved');
  });

  it('the resident shares one of the two clips', async () => {
    const p = resident.page;
    // The in-app notification leads to the request; the inbox lists it too.
    await waitForNotification(resident, '/home/notifications', /Eastside Police asks for footage of a burglary/);
    await checkPage(resident, 'resident-notifications');
    await resident.goto('/home/requests');
    await p.getByRole('link', { name: /burglary/i }).waitFor();
    await checkPage(resident, 'resident-inbox');
    await resident.goto('/home/notifications');
    await p.getByRole('link', { name: 'Open the request' }).first().click();
    await p.getByTestId('inbox-clip').nth(1).waitFor();
    assert.equal(await p.getByTestId('inbox-clip').count(), 2);
    await checkPage(resident, 'resident-inbox-request');
    await p.getByTestId('inbox-clip').first().getByRole('checkbox').check();
    await p.getByRole('button', { name: 'Share 1 selected clip' }).click();
    await p.getByText(/Your answer was sent/).waitFor();
    await checkPage(resident, 'resident-inbox-shared');
  });

  it('the agency sees exactly one clip under "Neighbor 1" and downloads the evidence ZIP', async () => {
    const p = agency.page;
    await waitForNotification(agency, '/agency/notifications', /Your request was approved/);
    await checkPage(agency, 'agency-notifications');
    await agency.goto(`/agency/requests/${requestId}`);
    await p.getByTestId('evidence-group').first().waitFor();
    assert.equal(await p.getByTestId('evidence-group').count(), 1);
    assert.equal(await p.getByTestId('evidence-group').getByRole('heading').innerText(), 'Neighbor 1');
    assert.equal(await p.getByTestId('evidence-clip').count(), 1);
    await checkPage(agency, 'agency-evidence-locker');
    const [download] = await Promise.all([p.waitForEvent('download'), p.getByRole('link', { name: 'Download evidence ZIP' }).click()]);
    const file = await download.path();
    const bytes = fs.readFileSync(file);
    assert.ok(bytes.length > 1000, `the ZIP has ${bytes.length} bytes`);
    assert.equal(bytes.subarray(0, 2).toString('latin1'), 'PK');
    await p.getByRole('button', { name: /^Play Neighbor 1/ }).click();
    await p.locator('video').waitFor();
    await checkPage(agency, 'agency-evidence-player');
    await p.keyboard.press('Escape');
  });

  it("the resident's access log shows the agency's reads of the shared clip", async () => {
    await resident.goto('/home/access-log');
    await resident.page.getByRole('heading', { name: 'Access log' }).waitFor();
    await resident.page.getByRole('row').nth(1).waitFor();
    assert.ok((await resident.page.getByRole('row').count()) >= 2, 'at least one read is listed');
    // In words, with short references, not raw labels and 32-digit ids (issue 19).
    assert.match(await resident.page.getByTestId('access-purpose').first().innerText(), /^You shared it, for request #[0-9a-f]{6}$/);
    assert.doesNotMatch(await resident.page.getByRole('table').innerText(), /[0-9a-f]{32}/);
    await checkPage(resident, 'resident-access-log-after-share');
  });

  it("the resident's receipt verifies in the browser, and the public log page verifies the checkpoint", async () => {
    await verifyFirstReceipt(resident);
    await checkPage(resident, 'resident-receipt-verified');

    const pub = await Visitor.open(browser, 'public', server.url);
    await pub.goto('/');
    await pub.page.getByTestId('public-request').first().waitFor();
    await checkPage(pub, 'public-requests');
    // Each card leads to the request's own page: agency, case number, area and window (issue 19).
    await pub.page.getByTestId('public-request').first().getByRole('link', { name: /case 2026-EP-0412/ }).click();
    await pub.page.getByRole('heading', { name: /case 2026-EP-0412/, level: 1 }).waitFor();
    await pub.page.getByRole('link', { name: 'Eastside Police' }).waitFor();
    await checkPage(pub, 'public-request-page');
    await pub.goto('/public/agencies');
    await pub.page.getByRole('link', { name: 'Eastside Police' }).click();
    await pub.page.getByRole('heading', { name: 'Eastside Police', level: 1 }).waitFor();
    await pub.page.getByText('1 approved request published.').waitFor();
    await checkPage(pub, 'public-agency-profile');
    await pub.goto('/public/log');
    await pub.page.getByTestId('log-size').waitFor();
    assert.ok(Number(await pub.page.getByTestId('log-size').innerText()) >= 1);
    await pub.page.getByRole('button', { name: 'Verify in your browser' }).click();
    await pub.page.getByTestId('verify-ok').waitFor();
    await checkPage(pub, 'public-log-verified-story');
    await pub.close();
  });

  it('the pages of the story work at phone width (390 px) too', async () => {
    const phone = { width: 390, height: 844 };
    const walks: [Visitor, string, string[]][] = [
      [resident, 'resident', ['/home', '/home/clips', '/home/requests', '/home/receipts']],
      [agency, 'agency', ['/agency', '/agency/new', `/agency/requests/${requestId}`]],
      [reviewer, 'reviewer', ['/review', `/review/requests/${requestId}`, '/review/agencies']],
    ];
    for (const [v, who, paths] of walks) {
      await v.page.setViewportSize(phone);
      for (const path of paths) {
        await v.goto(path);
        await v.page.getByRole('heading', { level: 1 }).first().waitFor();
        await checkPage(v, `phone-${who}${path.replace(/\//g, '_').slice(0, 40)}`);
        const overflow = await v.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 0, `${path} scrolls sideways by ${overflow}px at 390 px`);
      }
    }
  });
});
