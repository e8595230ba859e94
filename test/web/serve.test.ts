// src/web.ts: the built app's files, the app shell for client-side routes, and
// 404 problems (never the shell) for API and log paths; hostile paths get 4xx.
import { MIN_PASSWORD_LENGTH, PASSWORD_RULES } from '../../src/accounts/policy.ts';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import Fastify from 'fastify';
import { loadConfig } from '../../src/config.ts';
import { registerWeb } from '../../src/web.ts';

async function appWithDist(files: Record<string, string>, env: Record<string, string> = {}) {
  const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'porchlight-dist-'));
  for (const [name, body] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dist, name)), { recursive: true });
    fs.writeFileSync(path.join(dist, name), body);
  }
  const app = Fastify({ logger: false });
  await registerWeb(app, loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: dist, ...env }), dist);
  await app.ready();
  return { app, dist };
}

test('serves files, the shell for app routes, and problems for API paths', async (t) => {
  const { app, dist } = await appWithDist({ 'index.html': '<div id="root"></div>', 'assets/app-abc.js': 'console.log(1)' });
  t.after(async () => {
    await app.close();
    fs.rmSync(dist, { recursive: true, force: true });
  });
  const page = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' }; // what a browser sends when it navigates
  const shell = await app.inject({ url: '/home/clips?x=1', headers: page });
  assert.equal(shell.statusCode, 200);
  assert.match(shell.body, /id="root"/);
  assert.equal(shell.headers['cache-control'], 'no-cache');
  const root = await app.inject({ url: '/' });
  assert.equal(root.statusCode, 200);
  const asset = await app.inject({ url: '/assets/app-abc.js' });
  assert.equal(asset.statusCode, 200);
  assert.match(String(asset.headers['cache-control']), /immutable/);
  assert.equal((await app.inject({ url: '/assets/missing.js' })).statusCode, 404);
  // A client that does not ask for a page gets a JSON 404 for an unknown path,
  // not the shell with a 200: a log verifier pointed at the instance's base URL
  // asks for /checkpoint and must learn that it is not there.
  for (const url of ['/checkpoint', '/home/clips', '/tile/0/000']) {
    for (const accept of ['*/*', 'application/json', 'text/plain']) {
      const r = await app.inject({ url, headers: { accept } });
      assert.equal(r.statusCode, 404, `${url} ${accept}`);
      assert.match(String(r.headers['content-type']), /problem\+json/, `${url} ${accept}`);
    }
  }
  for (const url of ['/api/v1/nope', '/log/tile/9/000', '/log', '/openapi.json/x']) {
    const r = await app.inject({ url, headers: page });
    assert.equal(r.statusCode, 404, url);
    assert.match(String(r.headers['content-type']), /problem\+json/, url);
  }
  assert.equal((await app.inject({ url: '/%E0%A4%A' })).statusCode, 400);
  const traversal = await app.inject({ url: '/..%2f..%2fetc%2fpasswd' });
  assert.ok(traversal.statusCode < 500);
  assert.doesNotMatch(traversal.body, /root:/);
});

test('the public config carries the tile URL and attribution, or null for no base map', async (t) => {
  const a = await appWithDist({ 'index.html': 'x' });
  const b = await appWithDist({ 'index.html': 'x' }, { MAP_TILE_URL: '', MAP_TILE_ATTRIBUTION: 'Tiles by nobody' });
  t.after(async () => {
    await a.app.close();
    await b.app.close();
  });
  // The password rules come from accounts/policy.ts, the one source the server checks against (issue 19).
  const password = { minLength: MIN_PASSWORD_LENGTH, rules: PASSWORD_RULES };
  assert.deepEqual((await a.app.inject({ url: '/api/v1/public/config' })).json(), { mapTileUrl: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png', mapAttribution: '© OpenStreetMap contributors', password });
  assert.deepEqual((await b.app.inject({ url: '/api/v1/public/config' })).json(), { mapTileUrl: null, mapAttribution: 'Tiles by nobody', password });
  assert.match(PASSWORD_RULES, new RegExp(`At least ${MIN_PASSWORD_LENGTH} characters`));
});

test('without a build, "/" says how to build the app', async (t) => {
  const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'porchlight-nodist-'));
  const app = Fastify({ logger: false });
  await registerWeb(app, loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: dist }), dist);
  t.after(async () => {
    await app.close();
    fs.rmSync(dist, { recursive: true, force: true });
  });
  const r = await app.inject({ url: '/' });
  assert.equal(r.statusCode, 200);
  assert.match(r.body, /npm run build:web/);
});
