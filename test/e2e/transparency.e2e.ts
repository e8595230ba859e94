// The transparency report and the log browser in Chromium (issue 13 "What it
// must show"), over the demo neighbourhood: the report page shows the figures
// of report.json with a table beside each chart and passes axe at desktop and
// phone width; the log browser lists entries newest first, filters them, and
// checks one in the browser against the signed checkpoint, then a second one
// against the checkpoint the browser remembered.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { ensureWebBuilt, launchBrowser, startServer, Visitor, type Server } from './harness.ts';
import { checkPage } from './steps.ts';

describe('the transparency report and the log browser', { concurrency: false }, () => {
  let server: Server;
  let browser: Browser;

  before(async () => {
    ensureWebBuilt();
    server = await startServer({ DEMO: 'true' });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  for (const [label, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 390, height: 844 }]] as const) {
    it(`the report page shows the log's figures, each chart with its table (${label})`, async () => {
      const report = await (await fetch(`${server.url}/transparency/report.json`)).json();
      assert.ok(report.log.size > 0 && report.figures.length > 0, 'the demo logged something');
      const v = await Visitor.open(browser, `transparency-${label}`, server.url, viewport);
      await v.goto('/public/transparency');
      await v.page.getByRole('heading', { name: 'Transparency report', level: 1 }).waitFor();
      await v.page.getByTestId('report-checkpoint').waitFor();
      assert.equal((await v.page.getByTestId('report-checkpoint').innerText()).trimEnd(), report.log.checkpoint.trimEnd());
      const decisions = report.figures.filter((f: { metric: string }) => f.metric === 'decisions').reduce((n: number, f: { value: number }) => n + f.value, 0);
      await v.page.getByText(`of ${decisions} decided`).waitFor();
      for (const name of ['Disclosures by month', 'Decisions on legal process and emergencies', 'By agency']) {
        const region = v.page.getByRole('region', { name, exact: true });
        assert.equal(await region.getByRole('table').count(), 1, `${name} has its table`);
      }
      await checkPage(v, `transparency-report-${label}`);
      const overflow = await v.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `the report scrolls sideways by ${overflow}px at ${label} width`);
      await v.close();
    });
  }

  it('the log browser lists, filters and verifies entries in the browser', async () => {
    const v = await Visitor.open(browser, 'log-browser', server.url);
    await v.goto('/public/log');
    const rows = v.page.getByTestId('log-entry');
    await rows.first().waitFor();
    const size = Number(await v.page.getByTestId('log-size').innerText());
    assert.equal(await rows.first().locator('td').first().innerText(), String(size - 1), 'newest first');
    // Filter by basis: every row shown is a decision.
    await v.page.getByRole('combobox', { name: 'Basis' }).click();
    await v.page.getByRole('option', { name: 'Decision', exact: true }).click();
    const kinds = await rows.locator('td:nth-child(2)').allInnerTexts();
    assert.ok(kinds.length > 0 && kinds.every((k) => k.startsWith('Decision')), kinds.join(' | '));
    await rows.first().getByRole('button', { name: /^Check entry/ }).click();
    await rows.first().getByTestId('entry-verified').waitFor();
    assert.match(await rows.first().getByTestId('entry-verified').innerText(), new RegExp(`in the tree of ${size}, first checkpoint this browser saw`));
    await rows.nth(1).getByRole('button', { name: /^Check entry/ }).click();
    await rows.nth(1).getByTestId('entry-verified').waitFor();
    assert.match(await rows.nth(1).getByTestId('entry-verified').innerText(), /extends the \d+ this browser saw before/);
    await checkPage(v, 'log-browser-verified');
    await v.close();
  });
});
