// Serves the web app (web/dist, built by Vite) from the API process, and the
// small public configuration the app needs before sign-in (map tiles).
// Paths under /api, /log and the operational endpoints never fall back to the
// app, and neither does a request that does not accept text/html: an unknown
// path is then a 404 problem, not an HTML page with a 200.
import fs from 'node:fs';
import { MIN_PASSWORD_LENGTH, PASSWORD_RULES } from './accounts/policy.ts';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { Type } from 'typebox';
import type { Config } from './config.ts';
import { problem } from './platform/http/errors.ts';

export const WEB_DIST = path.resolve(import.meta.dirname, '..', 'web', 'dist');

// Not the app's: these prefixes answer JSON, tiles or plain text from their own routes.
const NOT_APP = /^\/(api|log|docs|openapi\.json|metrics|healthz|readyz)(\/|$)/;

export const PublicConfig = Type.Object({
  mapTileUrl: Type.Union([Type.String(), Type.Null()], { description: 'Leaflet tile URL template; null when no base map is configured' }),
  mapAttribution: Type.String({ description: 'attribution to show with the tiles (HTML-free text)' }),
  password: Type.Object({ minLength: Type.Integer(), rules: Type.String({ description: 'the password rules the server applies, in words' }) }),
});

export async function registerWeb(app: FastifyInstance, config: Config, distDir = WEB_DIST): Promise<void> {
  app.get('/api/v1/public/config', {
    config: { access: 'public' },
    schema: { tags: ['public'], summary: 'Settings the web app needs before sign-in', security: [], response: { 200: PublicConfig } },
  }, async () => ({ mapTileUrl: config.MAP_TILE_URL || null, mapAttribution: config.MAP_TILE_ATTRIBUTION, password: { minLength: MIN_PASSWORD_LENGTH, rules: PASSWORD_RULES } }));

  // One wildcard route decides between a file, the app shell and a 404, built
  // or not, so the routes the app serves never depend on whether web/dist exists.
  const built = fs.existsSync(path.join(distDir, 'index.html'));
  if (built) await app.register(fastifyStatic, { root: distDir, serve: false });
  app.get('/*', { config: { access: 'public' }, schema: { hide: true } }, async (req, reply) => {
    let urlPath: string;
    try {
      urlPath = decodeURIComponent(req.url.split('?')[0]);
    } catch {
      // A malformed %-escape is the client's mistake, never a 500.
      return reply.code(400).type('application/problem+json').send(problem(400, 'malformed URL'));
    }
    // The app shell is for browsers: a path they navigate to, asked for as a
    // page. A client that does not ask for HTML (a verifier, curl, fetch) gets
    // a JSON 404 for an unknown path instead of a page with a 200.
    const wantsPage = urlPath === '/' || /\btext\/html\b/i.test(req.headers.accept ?? '');
    if (NOT_APP.test(urlPath)) {
      return reply.code(404).type('application/problem+json').send(problem(404, `no route ${req.method} ${urlPath}`));
    }
    if (!built) {
      if (!wantsPage) return reply.code(404).type('application/problem+json').send(problem(404, `no route ${req.method} ${urlPath}`));
      return reply.type('text/plain').send('The web app is not built. Run "npm run build:web" (npm start does it for you).\n');
    }
    const rel = urlPath.replace(/^\/+/, '');
    const file = path.resolve(distDir, rel);
    const inside = file.startsWith(distDir + path.sep);
    if (rel && inside && isFile(file)) {
      // Vite names assets by content hash: they never change under one name.
      const immutable = rel.startsWith('assets/');
      return reply.sendFile(rel, { maxAge: immutable ? 365 * 24 * 3600 * 1000 : 0, immutable, cacheControl: true });
    }
    if (rel.startsWith('assets/')) return reply.code(404).type('application/problem+json').send(problem(404, 'no such asset'));
    if (!wantsPage) return reply.code(404).type('application/problem+json').send(problem(404, `no route ${req.method} ${urlPath} (the web app answers requests for text/html)`));
    // Every other path is a client-side route: the app shell, never cached, so a new build shows at once.
    return reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });
  });
}

/** A path that cannot name a file here (a NUL byte, a name too long for the file system) is simply not one. */
function isFile(file: string): boolean {
  try {
    return fs.statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    return false;
  }
}
