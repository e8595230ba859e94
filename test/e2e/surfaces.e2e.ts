// Quality checks across surfaces that do not need the whole story: the public
// pages at phone width (390 px) and on a desktop, keyboard-only sign-in, staff
// TOTP enrolment and sign-in with a code, and the app's 404 and API 404s.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { ensureWebBuilt, launchBrowser, startServer, Visitor, type Server } from './harness.ts';
import { checkPage, createStaffCli, enrolTotp, freshTotp, signIn, signUpResident, PASSWORD } from './steps.ts';

describe('surfaces', { concurrency: false }, () => {
  let server: Server;
  let browser: Browser;
  const usedCodes = new Set<string>();

  before(async () => {
    ensureWebBuilt();
    server = await startServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  for (const [label, viewport] of [['phone', { width: 390, height: 844 }], ['desktop', { width: 1280, height: 900 }]] as const) {
    it(`public pages work at ${label} width with no axe violations and no sideways scrolling`, async () => {
      const v = await Visitor.open(browser, `public-${label}`, server.url, viewport);
      for (const [path, heading] of [['/', 'Agency requests for footage'], ['/public/agencies', 'Agencies'], ['/public/log', 'Disclosure log'], ['/signin', 'Sign in'], ['/signup', 'Create a resident account'], ['/no/such/page', 'Page not found']]) {
        await v.goto(path);
        await v.page.getByRole('heading', { name: heading, level: 1 }).waitFor();
        await checkPage(v, `public${path.replace(/\//g, '_')}-${label}`);
        const overflow = await v.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 0, `${path} scrolls sideways by ${overflow}px at ${label} width`);
      }
      await v.close();
    });
  }

  it('a resident signs up and signs in again with the keyboard only', async () => {
    const v = await Visitor.open(browser, 'keyboard', server.url);
    await signUpResident(v, { name: 'Kim Keys', email: 'kim@example.test', home: { lat: 45.52, lon: -122.67 } });
    await v.page.getByRole('button', { name: 'Sign out' }).click();
    await v.page.getByRole('link', { name: 'Sign in' }).waitFor();
    await v.goto('/signin');
    const p = v.page;
    await p.getByRole('heading', { name: 'Sign in' }).waitFor();
    // The skip link comes first, then the header; Tab until the e-mail field has focus.
    await p.keyboard.press('Tab');
    assert.equal(await p.evaluate(() => document.activeElement?.textContent), 'Skip to content');
    for (let i = 0; i < 20 && !(await p.evaluate(() => (document.activeElement as HTMLInputElement | null)?.type === 'email')); i++) await p.keyboard.press('Tab');
    await p.keyboard.type('kim@example.test');
    await p.keyboard.press('Tab');
    await p.keyboard.type(PASSWORD);
    await p.keyboard.press('Enter');
    await p.getByRole('heading', { name: 'My cameras' }).waitFor();
    await checkPage(v, 'resident-signed-in-keyboard');
    await v.close();
  });

  it('a reviewer must enrol TOTP first, then signs in with a code', async () => {
    await createStaffCli(server, 'reviewer', 'rev@example.test', 'Riley Reviewer');
    const v = await Visitor.open(browser, 'reviewer', server.url);
    await v.goto('/signin');
    await v.page.getByLabel('E-mail').fill('rev@example.test');
    await v.page.getByLabel(/^Password/).fill(PASSWORD);
    await v.page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const secret = await enrolTotp(v, usedCodes);
    await v.page.getByRole('heading', { level: 1 }).first().waitFor();
    await v.page.getByRole('button', { name: 'Sign out' }).click();
    await v.page.getByRole('link', { name: 'Sign in' }).waitFor();
    await signIn(v, 'rev@example.test', () => freshTotp(secret, usedCodes));
    await checkPage(v, 'reviewer-signed-in');
    await v.close();
  });

  it('the server keeps API and log paths out of the app shell', async () => {
    const api = await fetch(`${server.url}/api/v1/no-such-route`);
    assert.equal(api.status, 404);
    assert.match(api.headers.get('content-type') ?? '', /problem\+json/);
    // A browser navigating asks for a page and gets the shell; anything else asking for an unknown path gets a JSON 404.
    const page = await fetch(`${server.url}/home/clips`, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<div id="root">/);
    const notPage = await fetch(`${server.url}/checkpoint`);
    assert.equal(notPage.status, 404);
    assert.match(notPage.headers.get('content-type') ?? '', /problem\+json/);
  });
});
