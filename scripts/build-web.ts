// `npm run build:web` builds the web app into web/dist with Vite.
// `--if-stale` (used by `npm start`) builds only when web/dist is missing or was
// built from other sources: a hash of the inputs is kept in web/dist, because
// mtimes change on every checkout and would rebuild (or worse, not) at random.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const web = path.join(root, 'web');
const dist = path.join(web, 'dist');
const stamp = path.join(dist, '.build-hash');

// Everything the bundle is made from: the app, the shared ledger modules it imports, and the locked dependencies.
const INPUTS = ['web/index.html', 'web/vite.config.ts', 'web/tsconfig.json', 'web/src', 'src/ledger', 'package-lock.json'];

function files(rel: string): string[] {
  const abs = path.join(root, rel);
  const st = fs.statSync(abs, { throwIfNoEntry: false });
  if (!st) return [];
  if (st.isFile()) return [rel];
  return fs.readdirSync(abs).sort().flatMap((name) => files(path.join(rel, name)));
}

export function sourceHash(): string {
  const h = createHash('sha256');
  for (const rel of INPUTS.flatMap(files)) {
    h.update(rel.split(path.sep).join('/') + '\0');
    h.update(fs.readFileSync(path.join(root, rel)));
    h.update('\0');
  }
  return h.digest('hex');
}

export function isStale(): boolean {
  if (!fs.existsSync(path.join(dist, 'index.html'))) return true;
  return !fs.existsSync(stamp) || fs.readFileSync(stamp, 'utf8').trim() !== sourceHash();
}

export async function buildWeb(): Promise<void> {
  const hash = sourceHash();
  const { build } = await import('vite');
  await build({ configFile: path.join(web, 'vite.config.ts'), logLevel: 'warn' });
  fs.writeFileSync(stamp, hash + '\n');
}

async function main() {
  if (process.argv.includes('--if-stale') && !isStale()) return;
  process.stderr.write('Building the web app (web/dist)…\n');
  const started = Date.now();
  await buildWeb();
  process.stderr.write(`Built the web app in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

if (import.meta.filename === process.argv[1]) await main();
