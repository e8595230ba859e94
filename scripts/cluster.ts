// `npm run cluster -- --nodes 3`: the scale-out shape on one machine, with no
// containers (issue 16 §5, docs/scale-out.md). It starts
// - a local S3-compatible server (s3rver) with one bucket,
// - N `porchlight serve` nodes on one PostgreSQL database and that bucket, each
//   with its own DATA_DIR for spool files, sharing keys from `porchlight keys`,
// - and a small round-robin proxy in front of them, with no session affinity.
// State lives under --dir (default ./cluster): the keys, the bucket's files and
// the nodes' spools, so a second run serves the same data.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
// @ts-expect-error s3rver ships no type declarations
import S3rver from 's3rver';
import { repoRoot, SERVER_NODE_FLAGS } from './node-flags.ts';

const BUCKET = 'porchlight';

export interface ClusterOptions {
  nodes: number;
  /** The proxy's port; 0 for any free one. */
  port: number;
  dir: string;
  databaseUrl: string;
  /** Extra settings for every node. */
  env?: Record<string, string>;
}

export interface Cluster {
  url: string;
  nodes: { pid: number; base: string }[];
  stop(): Promise<void>;
}

/** `porchlight keys` once, into DIR/node.env; later runs reuse the keys (new ones would open none of the old clips). */
async function nodeKeys(dir: string): Promise<Record<string, string>> {
  const file = path.join(dir, 'node.env');
  if (!fs.existsSync(file)) {
    const out = await run(['src/main.ts', 'keys']);
    fs.writeFileSync(file, out, { mode: 0o600 });
  }
  return Object.fromEntries(fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

function run(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (b) => (out += b));
    p.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${args.join(' ')} exited ${code}`))));
  });
}

/** Creates the database named in the URL if it does not exist yet. */
async function ensureDatabase(url: string): Promise<void> {
  const u = new URL(url);
  const name = decodeURIComponent(u.pathname.slice(1));
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`database name "${name}": use lower-case letters, digits and _`);
  u.pathname = '/postgres';
  const c = new pg.Client({ connectionString: u.toString() });
  await c.connect();
  try {
    const found = await c.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) await c.query(`create database ${name}`);
  } finally {
    await c.end();
  }
}

async function freePort(): Promise<number> {
  const s = http.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => s.once('listening', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** A node on its own port (the "running at" line names PUBLIC_URL, the proxy, not the node). */
async function startNode(env: Record<string, string>): Promise<{ child: ChildProcess; base: string }> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  env = { ...env, PORT: String(port) };
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, 'src/main.ts', 'serve', '--init'], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b) => {
      out += b;
      if (/running at http/.test(out)) {
        child.stdout!.resume();
        resolve({ child, base });
      }
    });
    child.once('exit', (code) => reject(new Error(`node exited (${code}) before listening: ${out}`)));
  });
}

/** Round robin over the nodes: each request to the next one, streamed both ways (SSE included). */
function roundRobin(targets: string[]): http.RequestListener {
  let next = 0;
  return (req, res) => {
    const target = new URL(targets[next++ % targets.length]!);
    const up = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/problem+json' });
      res.end(JSON.stringify({ type: 'about:blank', title: 'Bad Gateway', status: 502, detail: 'the node did not answer' }));
    });
    res.on('close', () => up.destroy());
    req.pipe(up);
  };
}

export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  fs.mkdirSync(opts.dir, { recursive: true });
  await ensureDatabase(opts.databaseUrl);
  const keys = await nodeKeys(opts.dir);
  const s3dir = path.join(opts.dir, 's3');
  fs.mkdirSync(s3dir, { recursive: true });
  const s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: s3dir, configureBuckets: [{ name: BUCKET }] });
  const s3addr = (await s3.run()) as AddressInfo;
  const proxyServer = http.createServer();
  await new Promise<void>((r) => proxyServer.listen(opts.port, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(proxyServer.address() as AddressInfo).port}`;
  const env = {
    ...keys,
    DATABASE_URL: opts.databaseUrl,
    BLOB_URL: `s3://${BUCKET}/cluster`,
    AWS_ENDPOINT_URL: `http://127.0.0.1:${s3addr.port}`,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    PUBLIC_URL: url,
    DEMO: 'false',
    LOG_LEVEL: 'warn',
    ...opts.env,
  };
  const dataDir = (i: number) => path.join(opts.dir, `node-${String.fromCharCode(97 + i)}`);
  // The first node alone (it migrates), then the others side by side.
  const nodes = [await startNode({ ...env, DATA_DIR: dataDir(0) })];
  nodes.push(...(await Promise.all(Array.from({ length: opts.nodes - 1 }, (_, i) => startNode({ ...env, DATA_DIR: dataDir(i + 1) })))));
  proxyServer.on('request', roundRobin(nodes.map((n) => n.base)));
  return {
    url,
    nodes: nodes.map((n) => ({ pid: n.child.pid!, base: n.base })),
    async stop() {
      proxyServer.closeAllConnections();
      await new Promise((r) => proxyServer.close(r));
      await Promise.all(nodes.map((n) => new Promise((r) => (n.child.exitCode !== null ? r(null) : (n.child.once('exit', r), n.child.kill('SIGTERM'))))));
      await s3.close();
    },
  };
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { nodes: { type: 'string', default: '3' }, port: { type: 'string', default: '8080' }, dir: { type: 'string', default: 'cluster' }, help: { type: 'boolean' } } });
  const nodes = Number(values.nodes);
  const port = Number(values.port);
  if (values.help || !Number.isInteger(nodes) || nodes < 1 || nodes > 16 || !Number.isInteger(port) || port < 0 || port > 65535) {
    console.log('npm run cluster -- [--nodes 3] [--port 8080] [--dir cluster]\n\nN porchlight nodes on one PostgreSQL database (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/porchlight_cluster),\none local S3 server and a round-robin proxy on --port. Ctrl-C stops them all.');
    process.exit(values.help ? 0 : 2);
  }
  const databaseUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/porchlight_cluster';
  const cluster = await startCluster({ nodes, port, dir: path.resolve(values.dir!), databaseUrl });
  console.log(`Porchlight cluster: ${nodes} node(s) behind ${cluster.url}`);
  for (const [i, n] of cluster.nodes.entries()) console.log(`  node ${String.fromCharCode(97 + i)}: ${n.base} (PID ${n.pid})`);
  console.log(`  database ${databaseUrl.replace(/\/\/[^@/]*@/, '//…@')}; clips in s3://${BUCKET}/cluster (s3rver under ${values.dir}/s3)`);
  const stop = async () => {
    await cluster.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
