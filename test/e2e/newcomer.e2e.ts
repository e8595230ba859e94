// What a newcomer trips on (issue 19), walked in Chromium against the demo
// neighbourhood (DEMO=true): every public and resident page at 390 × 844 with
// no sideways scrolling and no axe violations; sign-up showing the server's
// own password rules and a field error from the server; the sign-in lockout
// saying when to try again; the resident's upload button, including the
// duplicate answer; a closed request shown as closed in the inbox; the
// agency's evidence player above the map; and the public request page.
// The inbox, the evidence player and the public request page are saved at
// desktop size under test-results/screenshots/ (SCREENSHOTS_DIR=docs/screenshots
// refreshes the copies kept in the repository).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { DEMO_PASSWORD, DEMO_STAFF } from '../../src/demo/seed.ts';
import { uniqueClip } from '../clips/helpers.ts';
import { ensureWebBuilt, launchBrowser, repoRoot, startServer, Visitor, type Server } from './harness.ts';
import { checkPage, freshTotp, PASSWORD } from './steps.ts';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
// A run writes no tracked file unless asked to.
const shotsDir = path.resolve(repoRoot, process.env.SCREENSHOTS_DIR ?? 'test-results/screenshots');
const RESIDENT = { name: 'Nia Newcomer', email: 'nia@example.test', home: { lat: 45.5231, lon: -122.6765 } };

/** The page is no wider than the window: nothing makes the reader scroll sideways. */
async function assertNoSidewaysScroll(v: Visitor, where: string): Promise<void> {
  const { scrollWidth, innerWidth } = await v.page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
  assert.ok(scrollWidth <= innerWidth, `${where} scrolls sideways: ${scrollWidth}px wide in a ${innerWidth}px window`);
}

/** Visits a page, waits for its first heading, and checks axe, the console and the width. */
async function walk(v: Visitor, pathname: string, name: string): Promise<void> {
  await v.goto(pathname);
  await v.page.getByRole('heading', { level: 1 }).first().waitFor();
  await checkPage(v, name);
  await assertNoSidewaysScroll(v, pathname);
}

/** A small desktop screenshot of what is on screen, for the closing note. */
async function keepScreenshot(v: Visitor, name: string): Promise<void> {
  fs.mkdirSync(shotsDir, { recursive: true });
  await v.page.screenshot({ path: path.join(shotsDir, `${name}.png`) });
}

/** Signs a demo account in through the form; staff answer the TOTP step, retrying once if the 30 s step turned. */
async function demoSignIn(v: Visitor, email: string, totp: string | null, used: Set<string>): Promise<void> {
  await v.goto('/signin');
  await v.page.getByLabel('E-mail').fill(email);
  await v.page.getByLabel(/^Password/).fill(DEMO_PASSWORD);
  for (let attempt = 0; ; attempt++) {
    if (totp) await v.page.getByLabel(/^Authenticator code/).fill(await freshTotp(totp, used));
    await v.page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const signedIn = v.page.getByRole('button', { name: 'Sign out' });
    const refused = v.page.getByRole('alert');
    await signedIn.or(refused).first().waitFor();
    if (await signedIn.isVisible()) break;
    assert.ok(totp && attempt === 0, `sign-in refused: ${await refused.allInnerTexts()}`);
    v.errors.length = 0; // the refused attempt's 401 is expected here
  }
}

describe('what a newcomer trips on (issue 19)', { concurrency: false }, () => {
  let server: Server;
  let browser: Browser;
  const used = new Set<string>();
  let resident: Visitor;
  let cameraId = '';

  before(async () => {
    ensureWebBuilt();
    server = await startServer({ DEMO: 'true' }, { startMs: 240_000 });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('every public page works at 390 px, and the public request page shows the request', async () => {
    const v = await Visitor.open(browser, 'newcomer-public-phone', server.url, PHONE);
    for (const [p, name] of [['/', 'requests'], ['/public/agencies', 'agencies'], ['/public/log', 'log'], ['/public/transparency', 'transparency'], ['/signin', 'signin'], ['/signup', 'signup']]) {
      await walk(v, p, `newcomer-public-${name}-phone`);
    }
    await v.goto('/');
    await v.page.getByTestId('public-request').first().getByRole('link').first().click();
    await v.page.waitForURL(/\/public\/requests\/[^/]+$/);
    const requestPath = new URL(v.page.url()).pathname;
    await walk(v, requestPath, 'newcomer-public-request-phone');
    await v.goto('/public/agencies');
    await v.page.getByRole('main').getByRole('link', { name: /Demo/ }).first().click();
    await v.page.waitForURL(/\/public\/agencies\/[^/]+$/);
    await walk(v, new URL(v.page.url()).pathname, 'newcomer-public-agency-phone');
    await v.close();

    // At desktop size: the agency, the case number, the area on the map, the window and the status.
    const d = await Visitor.open(browser, 'newcomer-public-desktop', server.url, DESKTOP);
    await d.goto(requestPath);
    const heading = d.page.getByRole('heading', { level: 1, name: /: case DCPD-/ });
    await heading.waitFor();
    const caseNumber = /case (DCPD-[\d-]+)/.exec(await heading.innerText())![1];
    await d.page.getByText(/^Asked by .+, approved by a reviewer and published /).getByRole('link').waitFor();
    await d.page.getByRole('region', { name: `Map of the area of case ${caseNumber}` }).waitFor();
    await d.page.getByText(/^Footage from .+ to .+\.$/).waitFor();
    assert.match(await d.page.getByTestId('status').innerText(), /\w/, 'the status is shown');
    await checkPage(d, 'newcomer-public-request-desktop');
    await keepScreenshot(d, 'public-request');
    await d.close();
  });

  it('sign-up shows the server\'s password rules and puts the server\'s refusal on the password field', async () => {
    resident = await Visitor.open(browser, 'newcomer-resident', server.url, PHONE);
    const p = resident.page;
    await resident.goto('/signup');
    // The hint comes from GET /api/v1/public/config, the rules registration applies.
    const rules = (await (await fetch(`${server.url}/api/v1/public/config`)).json()) as { password: { rules: string; minLength: number } };
    await p.getByText(rules.password.rules).waitFor();
    await p.getByLabel('Your name').fill(RESIDENT.name);
    await p.getByLabel('E-mail').fill(RESIDENT.email);
    // Long enough for the form, refused by the server as a common password.
    await p.getByLabel(/^Password/).fill('123456789012');
    await p.getByLabel('Latitude').fill(String(RESIDENT.home.lat));
    await p.getByLabel('Longitude').fill(String(RESIDENT.home.lon));
    const answer = p.waitForResponse((r) => r.url().endsWith('/api/v1/auth/register'));
    await p.getByRole('button', { name: 'Create account' }).click();
    assert.equal((await answer).status(), 400);
    await p.getByText('is too common; choose another').waitFor();
    // On the password field itself, not in a general alert.
    assert.equal(await p.locator('.mantine-PasswordInput-root', { has: p.getByText('is too common; choose another') }).count(), 1);
    assert.equal(await p.getByRole('alert').filter({ hasText: 'Could not create the account' }).count(), 0);
    resident.errors.length = 0; // the 400 above is the point of this step
    await checkPage(resident, 'newcomer-signup-field-error-phone');
    await assertNoSidewaysScroll(resident, '/signup with a field error');

    await p.getByLabel(/^Password/).fill(PASSWORD);
    await p.getByRole('button', { name: 'Create account' }).click();
    await p.getByRole('heading', { name: 'My cameras' }).waitFor();
  });

  it('the resident uploads a clip from the clips page, and the same file again is named a duplicate', async () => {
    const p = resident.page;
    await p.getByRole('button', { name: 'Add a camera' }).click();
    await p.getByLabel('Name').fill('Porch');
    await p.getByLabel('Latitude').fill(String(RESIDENT.home.lat));
    await p.getByLabel('Longitude').fill(String(RESIDENT.home.lon));
    await p.getByRole('button', { name: 'Add camera', exact: true }).click();
    await p.getByRole('heading', { name: 'Porch', level: 1 }).waitFor();
    cameraId = p.url().split('/').pop()!;

    await resident.goto('/home/clips');
    const form = p.getByRole('form', { name: 'Upload a clip' });
    await form.waitFor();
    const file = { name: 'porch.mp4', mimeType: 'video/mp4', buffer: uniqueClip() };
    await form.locator('input[type=file]').setInputFiles(file);
    // The times come from the file; the server checks them again.
    const ended = await form.getByLabel(/^Recording ended/).elementHandle();
    await p.waitForFunction((el) => (el as HTMLInputElement).value !== '', ended);
    await form.getByRole('button', { name: 'Upload' }).click();
    await p.getByTestId('upload-done').waitFor();
    await p.getByTestId('clip-card').first().waitFor();
    assert.equal(await p.getByTestId('clip-card').count(), 1);

    await form.getByRole('button', { name: 'Upload' }).click();
    await p.getByTestId('upload-duplicate').getByText('This clip was already uploaded').waitFor();
    await p.waitForLoadState('networkidle');
    assert.equal(await p.getByTestId('clip-card').count(), 1, 'the same bytes again made no second clip');
    await checkPage(resident, 'newcomer-upload-duplicate-phone');
    await assertNoSidewaysScroll(resident, '/home/clips');
  });

  it('every resident page works at 390 px', async () => {
    const pages = ['/home', '/home/feed', '/home/clips', '/home/requests', '/home/receipts', '/home/access-log', '/home/notifications', '/home/settings', '/home/account', '/home/key', `/home/cameras/${cameraId}`, `/home/cameras/${cameraId}/zones`];
    for (const p of pages) await walk(resident, p, `newcomer-resident${p.replace(/\//g, '_')}-phone`);
  });

  it('a closed request shows as closed in the inbox, with what was shared', async () => {
    for (const [label, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
      const v = await Visitor.open(browser, `newcomer-inbox-${label}`, server.url, viewport);
      await demoSignIn(v, 'resident1@demo.porchlight.invalid', null, used);
      await walk(v, '/home/requests', `newcomer-inbox-${label}`);
      // The demo closed its hit-and-run request after neighbours shared footage.
      const row = v.page.getByRole('row').filter({ has: v.page.getByRole('link', { name: /hit and run/i }) });
      await row.waitFor();
      assert.notEqual((await row.getByTestId('inbox-status').innerText()).trim(), 'open');
      assert.notEqual((await row.getByTestId('inbox-answer').innerText()).trim(), 'waiting for you');
      if (label === 'desktop') await keepScreenshot(v, 'inbox');
      await row.getByRole('link', { name: /hit and run/i }).click();
      await v.page.getByTestId('request-closed').waitFor();
      assert.equal(await v.page.getByRole('button', { name: /^Share/ }).count(), 0, 'a closed request offers no answer');
      await checkPage(v, `newcomer-inbox-closed-request-${label}`);
      await assertNoSidewaysScroll(v, 'the closed request');
      // The rest of a resident's pages with the demo's data in them.
      if (label === 'phone') for (const p of ['/home', '/home/clips', '/home/receipts', '/home/access-log', '/home/notifications']) await walk(v, p, `newcomer-demo-resident${p.replace(/\//g, '_')}-phone`);
      await v.close();
    }
  });

  it("the agency's evidence player sits above the request's map", async () => {
    const officer = DEMO_STAFF.find((s) => s.key === 'officer')!;
    const v = await Visitor.open(browser, 'newcomer-officer', server.url, DESKTOP);
    await demoSignIn(v, officer.email, officer.totp, used);
    await v.goto('/agency');
    await v.page.getByRole('link', { name: 'DCPD-26-1183' }).click();
    await v.page.getByRole('heading', { name: 'Case DCPD-26-1183', level: 1 }).waitFor();
    await v.page.locator('.leaflet-container').first().waitFor();
    await v.page.getByTestId('evidence-clip').first().getByRole('button', { name: /^Play / }).click();
    const video = v.page.getByRole('dialog').locator('video');
    await video.waitFor();
    await v.page.waitForLoadState('networkidle');
    // Clicking Play scrolled down to the card; back to the top, so the map is on screen under the player.
    await v.page.evaluate(() => window.scrollTo(0, 0));
    // Every sampled point of the video, including those over the map, hits the video itself.
    const hits = await video.evaluate((el) => {
      const r = el.getBoundingClientRect();
      const out: string[] = [];
      for (const fx of [0.1, 0.3, 0.5, 0.7, 0.9]) {
        for (const fy of [0.1, 0.5, 0.9]) {
          const top = document.elementFromPoint(r.left + r.width * fx, r.top + r.height * fy);
          if (top !== el) out.push(`${fx},${fy}: ${top?.tagName ?? 'nothing'}.${top?.className ?? ''}`);
        }
      }
      return out;
    });
    assert.deepEqual(hits, [], 'something is drawn over the video');
    // And the map, where it is on screen, is beneath the dialog's overlay: nothing of it is the topmost element.
    const mapOnTop = await v.page.locator('.leaflet-container').first().evaluate((map) => {
      const r = map.getBoundingClientRect();
      const out: string[] = [];
      for (const fx of [0.1, 0.5, 0.9]) {
        for (const fy of [0.1, 0.5, 0.9]) {
          const [x, y] = [r.left + r.width * fx, r.top + r.height * fy];
          if (y < 0 || y > window.innerHeight) continue;
          const top = document.elementFromPoint(x, y);
          if (top && map.contains(top)) out.push(`${fx},${fy}: ${top.tagName}.${top.className}`);
        }
      }
      return out;
    });
    assert.deepEqual(mapOnTop, [], 'the map is drawn over the dialog');
    await checkPage(v, 'newcomer-evidence-modal');
    await keepScreenshot(v, 'evidence-modal');
    await v.close();
  });

  it('after repeated wrong passwords the sign-in says when to try again', async () => {
    const v = await Visitor.open(browser, 'newcomer-lockout', server.url, PHONE);
    await v.goto('/signin');
    const p = v.page;
    await p.getByLabel('E-mail').fill(RESIDENT.email);
    await p.getByLabel(/^Password/).fill('not-the-password-at-all');
    let status = 0;
    // A few free tries, then the server answers 429 with Retry-After (src/accounts/policy.ts THROTTLE).
    for (let i = 0; i < 10 && status !== 429; i++) {
      const answer = p.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'));
      await p.getByRole('button', { name: 'Sign in', exact: true }).click();
      status = (await answer).status();
    }
    assert.equal(status, 429);
    const problem = p.getByTestId('signin-problem');
    await problem.getByText('Too many failed sign-ins', { exact: true }).waitFor();
    await problem.getByText(/try again in \d+ (second|minute)s?/).waitFor();
    await problem.getByTestId('retry-at').getByText(/^You can try again at .+\.$/).waitFor();
    v.errors.length = 0; // the 401s and the 429 are what this step provokes
    await checkPage(v, 'newcomer-lockout-phone');
    await assertNoSidewaysScroll(v, '/signin with the lockout message');
    await v.close();
    await resident.close();
  });
});
