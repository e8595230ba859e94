// Browser-test harness: the real server (node src/main.ts serve on a temp
// DATA_DIR with DEMO=false and a free port) and Debian's Chromium driven by
// playwright-core. Each page visited can be checked with axe-core (injected
// into the page) and saved as a screenshot under test-results/.
// No mocks: the server, database, browser and network stack are all real.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const repoRoot = path.resolve(import.meta.dirname, '..', '..');
export const resultsDir = path.join(repoRoot, 'test-results');
const node = process.execPath;

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Builds web/dist when it is missing or stale, as `npm start` does. */
export function ensureWebBuilt(): void {
  const r = spawnSync(node, [path.join(repoRoot, 'scripts', 'build-web.ts'), '--if-stale'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('building the web app failed');
}

export interface Server {
  url: string;
  dataDir: string;
  env: Record<string, string>;
  /** Runs the porchlight CLI against the same data directory; resolves with stdout. */
  cli(args: string[], opts?: { env?: Record<string, string> }): Promise<string>;
  stop(): Promise<void>;
}

/** startMs: how long to wait for "running at"; seeding the demo on a loaded 2-core machine can take over a minute. */
export async function startServer(extraEnv: Record<string, string> = {}, { startMs = 180_000 } = {}): Promise<Server> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'porchlight-e2e-'));
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    DATA_DIR: dataDir,
    DEMO: 'false',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    LOG_BATCH_MS: '100',
    ...extraEnv,
  };
  const child: ChildProcess = spawn(node, [path.join(repoRoot, 'src', 'main.ts'), 'serve', '--init'], { env, stdio: ['ignore', 'pipe', 'pipe'], cwd: repoRoot });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    // On a timeout the child is killed too, so a failed start leaves no server behind to hold the test run open.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in ${startMs / 1000} s:\n${out}\n${stderr}`));
    }, startMs);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}\n${stderr}`));
    });
  });
  return {
    url,
    dataDir,
    env,
    cli: (args, opts = {}) =>
      new Promise((resolve, reject) => {
        const c = spawn(node, [path.join(repoRoot, 'src', 'main.ts'), ...args], { env: { ...env, ...opts.env, PORT: '0' }, cwd: repoRoot });
        let o = '';
        let e = '';
        c.stdout.on('data', (d: Buffer) => (o += d.toString()));
        c.stderr.on('data', (d: Buffer) => (e += d.toString()));
        c.once('exit', (code) => (code === 0 ? resolve(o) : reject(new Error(`porchlight ${args.join(' ')} exited ${code}:\n${o}\n${e}`))));
      }),
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** A browser context whose pages record console errors and failed requests, except map tiles (no network here). */
export class Visitor {
  readonly errors: string[] = [];
  readonly context: BrowserContext;
  readonly page: Page;
  readonly name: string;
  readonly baseUrl: string;
  private constructor(name: string, baseUrl: string, context: BrowserContext, page: Page) {
    this.name = name;
    this.baseUrl = baseUrl;
    this.context = context;
    this.page = page;
  }

  static async open(browser: Browser, name: string, baseUrl: string, viewport = { width: 1280, height: 900 }): Promise<Visitor> {
    const context = await browser.newContext({ viewport, baseURL: baseUrl, acceptDownloads: true });
    // The base map comes from an outside tile server; tests have no network, so refuse it at once.
    await context.route((url) => !url.href.startsWith(baseUrl), (route) => route.abort('blockedbyclient'));
    const page = await context.newPage();
    const v = new Visitor(name, baseUrl, context, page);
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const loc = msg.location().url ?? '';
      if (loc && !loc.startsWith(baseUrl)) return; // a blocked outside tile
      if (/Failed to load resource/.test(msg.text()) && !loc.startsWith(baseUrl)) return;
      v.errors.push(`${msg.text()} (${loc})`);
    });
    page.on('pageerror', (err) => v.errors.push(`uncaught: ${err.message}`));
    return v;
  }

  /**
   * Removes the console errors a step caused on purpose (the browser logs every
   * 4xx answer as "Failed to load resource"), so that checkPage still fails on
   * any other. Fails when none matched: the step did not do what it meant to.
   */
  expectErrors(pattern: RegExp): void {
    const kept = this.errors.filter((e) => !pattern.test(e));
    if (kept.length === this.errors.length) throw new Error(`expected a console error matching ${pattern}; got:\n${this.errors.join('\n')}`);
    this.errors.splice(0, this.errors.length, ...kept);
  }

  async goto(pathname: string): Promise<void> {
    await this.page.goto(pathname, { waitUntil: 'domcontentloaded' });
  }

  /** Runs axe-core in the page; returns the serious and critical violations, described. */
  async axe(): Promise<string[]> {
    const source = fs.readFileSync(path.join(repoRoot, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
    // Evaluated over the DevTools protocol, not as a <script> tag, so the page's CSP (script-src 'self') stays on.
    await this.page.evaluate(`${source}\n;true`);
    const violations = await this.page.evaluate(async () => {
      const w = window as unknown as { axe: { run(ctx: Document, opts: unknown): Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: unknown[] }[] }[] }> } };
      const r = await w.axe.run(document, { resultTypes: ['violations'] });
      return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)) }));
    });
    return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.targets.join(', ')}`);
  }

  async screenshot(name: string): Promise<void> {
    fs.mkdirSync(resultsDir, { recursive: true });
    await this.page.screenshot({ path: path.join(resultsDir, `${name}.png`), fullPage: true });
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}
