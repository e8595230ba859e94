// Resolves the actor of every request from a bearer token or the session cookie.
// Capabilities register resolvers by token prefix ("pls_" sessions, "pld_"
// devices), so this module knows no capability. Then the access table decides.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authorize, isPermission, type Actor, type Permission } from '../access.ts';
import { HttpError, unauthorized } from './errors.ts';

export const SESSION_COOKIE = 'porchlight_session';

const PUBLIC_ASSET_ROUTES = [/^\/docs(\/|$)/, /^\/assets\//, /^\/\*$/, /^\/$/];

export type TokenResolver = (token: string, req: FastifyRequest, via: 'cookie' | 'bearer') => Promise<Actor | null>;

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor;
  }
  interface FastifyContextConfig {
    /** The access-table permission this route requires. Required on every route. */
    access?: Permission;
  }
}

export interface RouteAccess {
  method: string;
  url: string;
  access: Permission;
}

/** Installs the auth hooks; returns the list of every route and its permission, filled as routes register. */
export function installAuth(app: FastifyInstance, resolvers: Record<string, TokenResolver>, csrfCheck: (req: FastifyRequest) => void): RouteAccess[] {
  app.decorateRequest('actor', null as never);
  const table: RouteAccess[] = [];
  const record = (method: string | string[], url: string, access: Permission) => {
    for (const m of [method].flat()) if (m !== 'HEAD') table.push({ method: m, url, access });
  };

  // Default deny: a route that names no permission cannot be registered.
  // Routes that plugins add for the API reference and the web app's static files
  // are public by nature; every other route must name its permission.
  app.addHook('onRoute', (route) => {
    const access = (route.config as { access?: unknown } | undefined)?.access;
    if (isPermission(access)) return record(route.method, route.url, access);
    if (PUBLIC_ASSET_ROUTES.some((re) => re.test(route.url))) {
      route.config ??= {};
      (route.config as { access?: Permission }).access = 'public';
      return record(route.method, route.url, 'public');
    }
    throw new Error(`route ${route.method} ${route.url} has no access-table permission`);
  });

  app.addHook('onRequest', async (req) => {
    req.actor = { kind: 'anonymous' };
    const header = req.headers.authorization;
    let token: string | undefined;
    let via: 'cookie' | 'bearer' = 'bearer';
    if (header) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      if (!m) throw unauthorized('malformed Authorization header; use "Bearer <token>"');
      token = m[1];
    } else if (req.cookies?.[SESSION_COOKIE]) {
      token = req.cookies[SESSION_COOKIE];
      via = 'cookie';
    }
    const permission = req.routeOptions.config?.access;
    if (token) {
      const prefix = token.slice(0, 4);
      const resolver = resolvers[prefix];
      const actor = resolver ? await resolver(token, req, via) : null;
      if (!actor) {
        // A stale cookie on a public page is not an error; a bad bearer token is.
        if (via === 'bearer' || permission !== 'public') throw unauthorized('invalid or expired token');
      } else {
        req.actor = actor;
      }
    }
    if (!permission) throw new HttpError(404, 'not found');
    authorize(req.actor, permission);
    if (req.actor.kind === 'user' && req.actor.via === 'cookie' && !['GET', 'HEAD', 'OPTIONS'].includes(req.method)) {
      csrfCheck(req);
    }
  });
  return table;
}
