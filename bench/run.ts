// `npm run bench [name ...]`: runs each benchmark module in bench/ (or the
// named ones) in turn. Each prints its figures beside a baseline from the same
// run and writes bench/results/<name>.json.
import fs from 'node:fs';
import path from 'node:path';

const dir = import.meta.dirname;
const all = fs.readdirSync(dir).filter((f) => f.endsWith('.ts') && !['run.ts', 'lib.ts', 'server.ts'].includes(f)).map((f) => f.slice(0, -3)).sort();
const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !all.includes(w));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${all.join(', ')}`);
  process.exit(2);
}
for (const name of wanted.length ? wanted : all) {
  console.log(`\n== bench ${name}`);
  const mod = (await import(path.join(dir, `${name}.ts`))) as { run(): Promise<unknown> };
  await mod.run();
}
