// Security headers with helmet, including a Content-Security-Policy.
// Helmet's middleware is built once here and applied in one hook: the Fastify
// wrapper rebuilds it (and re-parses the CSP) on every request, which cost a
// measurable share of a small authenticated request.
import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';

export function installSecurityHeaders(app: FastifyInstance, opts: { https: boolean }): void {
  const middleware = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:', 'https:'],
        mediaSrc: ["'self'", 'blob:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        scriptSrc: ["'self'"],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        upgradeInsecureRequests: opts.https ? [] : null,
      },
    },
  });
  app.addHook('onRequest', (req, reply, done) => middleware(req.raw, reply.raw, (err?: unknown) => done(err as Error | undefined)));
}
