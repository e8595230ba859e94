// Seeds the demo neighbourhood into an empty database: staff sign-ins, a few
// hundred homes on a street grid, and whatever each capability adds as a step.
// Demo only: every demo account shares one password and known TOTP secrets.
import type { BuiltApp } from '../app/wire.ts';
import { newId } from '../platform/crypto.ts';
import { progressBar } from '../platform/progress.ts';
import { insertUser } from '../accounts/repository.ts';
import { hashPassword } from '../accounts/passwords.ts';
import { sealTotpSecret, totpCode, totpUri } from '../accounts/totp.ts';
import type { Role } from '../platform/access.ts';
import { demoHomes } from './neighbourhood.ts';
import { DEMO_PASSWORD, DEMO_STAFF, type DemoState, type DemoStep } from './state.ts';
import { camerasStep, footageStep } from './footage.ts';
import { requestsDemoStep } from './requests.ts';
import { legalDemoStep } from './legal.ts';
import { feedDemoStep } from './feed.ts';

export { DEMO_PASSWORD, DEMO_STAFF };

/** The seeding steps after the staff and homes, in order. */
export const DEMO_STEPS: DemoStep[] = [camerasStep, footageStep, requestsDemoStep, feedDemoStep,
  // Keep last: it uses the agencies, cameras and clips the steps above seed.
  legalDemoStep];

export async function seedDemo(built: BuiltApp): Promise<DemoState> {
  const db = built.ctx.db.kysely;
  const now = built.ctx.clock.now();
  process.stderr.write('Seeding the demo neighbourhood (demo data only)…\n');
  const hash = await hashPassword(DEMO_PASSWORD);
  const master = built.ctx.masterKey;
  const state: DemoState = { userIds: {}, homes: [], extra: {} };
  // Bars on a terminal only (platform/progress.ts).
  const staffBar = progressBar('staff sign-ins');
  for (const [i, s] of DEMO_STAFF.entries()) {
    const id = newId();
    await insertUser(db, {
      id, email: s.email, password_hash: hash, display_name: s.name, role: s.role as Role, agency_id: null,
      home_lat: null, home_lon: null, totp_secret: sealTotpSecret(master, id, s.totp), totp_enabled: 1, totp_last_step: null, created_at: now,
    });
    state.userIds[s.key] = id;
    staffBar.update(i + 1, DEMO_STAFF.length);
  }
  staffBar.done();
  const homes = demoHomes();
  const homeBar = progressBar(`${homes.length} homes`);
  await db.transaction().execute(async (tx) => {
    for (const [i, h] of homes.entries()) {
      const id = newId();
      await insertUser(tx, {
        id, email: h.email, password_hash: hash, display_name: h.ownerName, role: 'resident', agency_id: null,
        home_lat: h.lat, home_lon: h.lon, totp_secret: null, totp_enabled: 0, totp_last_step: null, created_at: now,
      });
      state.homes.push({ ...h, userId: id });
      homeBar.update(i + 1, homes.length);
    }
  });
  homeBar.done();
  for (const step of DEMO_STEPS) {
    const bar = progressBar(step.name);
    await step.run(built, state, (done, total) => bar.update(done, total));
    bar.done();
  }
  return state;
}

/** What a person needs to sign in to the demo: printed by the CLI's banner. */
export interface SeededDemo {
  password: string;
  /** One per demo role; staff have a TOTP secret, the resident none. */
  signIns: { role: string; email: string; totpSecret: string | null }[];
  /** The agency officer's authenticator set-up (RFC 6238 via an otpauth:// URI). */
  agencyTotp: { email: string; otpauthUri: string };
  /** The staff's current TOTP codes, "admin 123456, …". */
  codesNow(): string;
}

export function demoSignIns(now: () => number): SeededDemo {
  const officer = DEMO_STAFF.find((s) => s.role === 'agency')!;
  return {
    password: DEMO_PASSWORD,
    signIns: [
      { role: 'resident', email: 'resident1@demo.porchlight.invalid', totpSecret: null },
      ...DEMO_STAFF.map((s) => ({ role: s.role + (s.key.endsWith('2') ? ' #2' : ''), email: s.email, totpSecret: s.totp })),
    ],
    agencyTotp: { email: officer.email, otpauthUri: totpUri(officer.totp, officer.email) },
    codesNow: () => DEMO_STAFF.map((s) => `${s.key} ${totpCode(s.totp, now())}`).join(', '),
  };
}

/** Seeds when the database has no users yet; returns the sign-ins to print (null without a demo), and whether it seeded now. */
export async function seedDemoIfEmpty(built: BuiltApp): Promise<{ fresh: boolean; demo: SeededDemo | null }> {
  const any = await built.ctx.db.kysely.selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (any) {
    const demo = await built.ctx.db.kysely.selectFrom('users').select('id').where('email', '=', DEMO_STAFF[0].email).executeTakeFirst();
    return { fresh: false, demo: demo ? demoSignIns(() => built.ctx.clock.now()) : null };
  }
  await seedDemo(built);
  return { fresh: true, demo: demoSignIns(() => built.ctx.clock.now()) };
}
