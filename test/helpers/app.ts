// Builds the real app against a real database for HTTP tests (app.inject()),
// with factories for users of each role. It wires and prepares (migrate, first
// checkpoint) like a CLI command; it never starts: no lock, no sweep, no workers
// on timers (tests run them with workers.runAll), no listen.
import path from 'node:path';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { wirePrepared } from '../../src/app/prepare.ts';
import type { BuiltApp } from '../../src/app/wire.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import type { Db } from '../../src/platform/db/db.ts';
import type { Role } from '../../src/platform/access.ts';
import { totpCode } from '../../src/accounts/totp.ts';
import { tempDir } from './db.ts';

export interface TestApp extends BuiltApp {
  clock: ManualClock;
  config: Config;
  dataDir: string;
}

export async function buildTestApp(db: Db, env: Record<string, string> = {}): Promise<TestApp> {
  const dataDir = tempDir('porchlight-data-');
  const config = loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: dataDir, DEMO: 'false', ...env });
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 12, 0, 0));
  const built = await wirePrepared(config, { db, clock, logger: false });
  return { ...built, clock, config, dataDir };
}

export const PASSWORD = 'correct-horse-battery-9';
let counter = 0;

export interface TestUser {
  id: string;
  email: string;
  token: string;
  role: Role;
  totpSecret?: string;
  auth: { authorization: string };
}

/** Registers a resident through the public route and signs in. */
export async function createResident(t: TestApp, home = { lat: 45.5231, lon: -122.6765 }): Promise<TestUser> {
  const email = `resident${++counter}-${process.pid}@example.test`;
  const reg = await t.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email, password: PASSWORD, displayName: `Resident ${counter}`, home } });
  if (reg.statusCode !== 201) throw new Error(`register failed: ${reg.statusCode} ${reg.body}`);
  return login(t, email);
}

/** Creates a staff user (reviewer, admin, agency member) and, unless told not to, enrols TOTP. */
export async function createStaff(t: TestApp, role: Exclude<Role, 'resident'>, opts: { agencyId?: string | null; enrolTotp?: boolean } = {}): Promise<TestUser> {
  const email = `${role}${++counter}-${process.pid}@example.test`;
  const user = await t.services.accounts.createUser({ email, password: PASSWORD, displayName: `${role} ${counter}`, role, agencyId: opts.agencyId ?? (role === 'agency' ? 'test-agency' : null) });
  const session = await login(t, email);
  if (opts.enrolTotp === false) return session;
  const enrol = await t.app.inject({ method: 'POST', url: '/api/v1/auth/totp/enroll', headers: session.auth });
  const { secret } = enrol.json() as { secret: string };
  const verify = await t.app.inject({ method: 'POST', url: '/api/v1/auth/totp/verify', headers: session.auth, payload: { code: totpCode(secret, t.clock.now()) } });
  if (verify.statusCode !== 200) throw new Error(`totp verify failed: ${verify.body}`);
  return { ...session, id: user.id, totpSecret: secret };
}

export async function login(t: TestApp, email: string, extra: { totp?: string } = {}): Promise<TestUser> {
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: PASSWORD, ...extra } });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  const body = res.json() as { token: string; user: { id: string; role: Role } };
  return { id: body.user.id, email, token: body.token, role: body.user.role, auth: { authorization: `Bearer ${body.token}` } };
}

/** app.inject with a user's bearer token. */
export function as(t: TestApp, user: TestUser | null, opts: InjectOptions): Promise<LightMyRequestResponse> {
  return t.app.inject({ ...opts, headers: { ...(opts.headers ?? {}), ...(user ? user.auth : {}) } });
}

export const fixturePath = (name: string) => path.resolve(import.meta.dirname, '../fixtures', name);
