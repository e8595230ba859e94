// The web app's JavaScript weight per surface, gzipped: the figure issue 7
// bounds (public pages ≤ 300 KB). Loads each page in real Chromium against the
// real server and adds up every JavaScript file it fetched, gzipped here at
// level 9 as a static server would serve it. The baseline beside it is the
// whole build's JavaScript: the ratio shows what code splitting saves.
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { ensureWebBuilt, launchBrowser, repoRoot, startServer } from '../test/e2e/harness.ts';
import { fmt, writeResult } from './lib.ts';

export const PUBLIC_BUDGET_KB = 300;
const PUBLIC_PAGES = ['/', '/public/log', '/public/agencies', '/public/transparency'];
const OTHER_PAGES = ['/signin', '/home', '/agency', '/review'];

const gz = (b: Uint8Array) => gzipSync(b, { level: 9 }).length;

export async function run(): Promise<{ publicMaxKB: number; pages: Record<string, number>; totalKB: number }> {
  ensureWebBuilt();
  const assets = path.join(repoRoot, 'web', 'dist', 'assets');
  const all = fs.readdirSync(assets).filter((f) => f.endsWith('.js'));
  const totalKB = all.reduce((s, f) => s + gz(fs.readFileSync(path.join(assets, f))), 0) / 1024;

  const server = await startServer();
  const browser = await launchBrowser();
  const pages: Record<string, number> = {};
  try {
    for (const url of [...PUBLIC_PAGES, ...OTHER_PAGES]) {
      // A fresh context per page: nothing cached from the page before.
      const ctx = await browser.newContext();
      await ctx.route((u) => !u.href.startsWith(server.url), (r) => r.abort('blockedbyclient'));
      const page = await ctx.newPage();
      const scripts = new Set<string>();
      page.on('response', (res) => {
        const u = new URL(res.url());
        if (u.pathname.endsWith('.js')) scripts.add(u.pathname);
      });
      await page.goto(server.url + url, { waitUntil: 'networkidle' });
      pages[url] = [...scripts].reduce((s, p) => s + gz(fs.readFileSync(path.join(repoRoot, 'web', 'dist', p))), 0) / 1024;
      await ctx.close();
    }
  } finally {
    await browser.close();
    await server.stop();
  }
  const publicMaxKB = Math.max(...PUBLIC_PAGES.map((p) => pages[p]));
  for (const [p, kb] of Object.entries(pages)) console.log(`  ${p.padEnd(20)} ${fmt(kb)} KB gzipped JS${PUBLIC_PAGES.includes(p) ? ' (public)' : ''}`);
  console.log(`  public pages: at most ${fmt(publicMaxKB)} KB gzipped (budget ${PUBLIC_BUDGET_KB} KB) — ${fmt((publicMaxKB / totalKB) * 100, 0)}% of the whole build's ${fmt(totalKB)} KB`);
  const file = writeResult('web', { unit: 'KB gzipped JavaScript', budgetKB: PUBLIC_BUDGET_KB, publicMaxKB, withinBudget: publicMaxKB <= PUBLIC_BUDGET_KB, pages, baseline: { wholeBuildKB: totalKB } });
  console.log(`  wrote ${path.relative(repoRoot, file)}`);
  return { publicMaxKB, pages, totalKB };
}

if (import.meta.filename === process.argv[1]) await run();
