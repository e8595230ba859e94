// Fitness tests: the layout of ENGINEERING.md, checked rather than described.
// The dependency rules live in .dependency-cruiser.cjs; this runs them over
// src/ (no violation allowed) and over test/fixtures/layering, a tree that
// breaks each rule on purpose, so a rule that stopped matching would be seen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..');
const DEPCRUISE = path.join(ROOT, 'node_modules/.bin/depcruise');
const FIXTURE = 'test/fixtures/layering/src';

async function violations(tree: string): Promise<string[]> {
  // depcruise exits non-zero when it finds violations; the JSON report is on stdout either way.
  const out = await run(DEPCRUISE, [tree, '--config', '.dependency-cruiser.cjs', '--output-type', 'json'], {
    cwd: ROOT, env: { ...process.env, LAYERING_ROOT: tree }, maxBuffer: 64 * 1024 * 1024,
  }).then((r) => r.stdout, (err: { stdout?: string }) => err.stdout ?? '');
  const report = JSON.parse(out) as { summary: { violations: { rule: { name: string }; from: string; to: string }[] } };
  const rel = (p: string) => p.slice(tree.length + 1);
  return report.summary.violations.map((v) => `${v.rule.name}: ${rel(v.from)} -> ${rel(v.to)}`).sort();
}

test('src/ keeps every layering rule', async () => {
  assert.deepEqual(await violations('src'), []);
});

test('each layering rule catches the bad import made on purpose in the fixture tree, and nothing allowed', async () => {
  assert.deepEqual(await violations(FIXTURE), [
    'app-below-cli: accounts/service.ts -> app/wire.ts',
    'capabilities-not-up: accounts/service.ts -> app/wire.ts',
    'capabilities-not-up: emergency/service.ts -> demo/seed.ts',
    'capabilities-not-up: ledger/service.ts -> cli/index.ts',
    'cli-below-main: ledger/service.ts -> cli/index.ts',
    'disclosure-below-requests: disclosure/service.ts -> legal/service.ts',
    'ground-floor-stays-down: accounts/service.ts -> app/wire.ts',
    'ground-floor-stays-down: clips/service.ts -> disclosure/service.ts',
    'ground-floor-stays-down: ledger/service.ts -> cli/index.ts',
    'migrations-not-migrator: platform/db/migrations/0001_first.ts -> platform/db/migrate.ts',
    'no-circular: platform/db/migrate.ts -> platform/db/migrations/0001_first.ts',
    'no-other-capability-routes: requests/routes.ts -> agencies/routes.ts',
    'nothing-imports-demo: emergency/service.ts -> demo/seed.ts',
    'only-disclosure-opens-clip-bytes: legal/service.ts -> clips/internal.ts',
    'platform-imports-no-capability: platform/blobs.ts -> clips/service.ts',
    'requests-use-disclosure-not-clips: legal/service.ts -> clips/internal.ts',
    'witness-stands-alone: witness/server.ts -> ledger/service.ts',
  ]);
});

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(path.join(ROOT, dir), { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && /\.tsx?$/.test(e.name)).map((e) => path.relative(ROOT, path.join(e.parentPath, e.name))).sort();
}

test('no file in src/ is over 350 lines', async () => {
  const long: string[] = [];
  for (const f of await sources('src')) {
    const lines = (await readFile(path.join(ROOT, f), 'utf8')).split('\n').length - 1;
    if (lines > 350) long.push(`${f}: ${lines}`);
  }
  assert.deepEqual(long, []);
});

test('no late-injected ports or permissive fallbacks in src/ (wiring fails closed)', async () => {
  const found: string[] = [];
  for (const f of await sources('src')) {
    const text = await readFile(path.join(ROOT, f), 'utf8');
    for (const m of text.matchAll(/set[A-Z]\w*Source|setAgencyGate|OPEN_POLICY/g)) found.push(`${f}: ${m[0]}`);
  }
  assert.deepEqual(found, []);
});
