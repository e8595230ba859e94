// Account use cases: registration, login and sessions, password change, TOTP
// and its recovery codes.
// Each takes the actor first (where there is one) and owns its transaction.
import type { FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import type { UserActor } from '../platform/access.ts';
import { TOTP_REQUIRED, type Role } from '../platform/access.ts';
import type { AppContext } from '../platform/context.ts';
import type { DbHandle } from '../platform/db/db.ts';
import { hashToken, keyedHash, newId, randomToken, sha256hex } from '../platform/crypto.ts';
import { HttpError, badRequest, conflict, notFound, unauthorized } from '../platform/http/errors.ts';
import { dummyHash, hashPassword, verifyPassword } from './passwords.ts';
import { normaliseEmail, passwordProblem, SESSION_CACHE_MAX, SESSION_CACHE_MS, SESSION_TOTP_REQUIRED, SESSION_TTL_MS, SESSION_TOUCH_MS, signInWait, THROTTLE, throttleKeys, waitText } from './policy.ts';
import * as repo from './repository.ts';
import { hashRecoveryCode, isTotpShaped, newRecoveryCodes } from './recovery-codes.ts';
import { newTotpSecret, openTotpSecret, sealTotpSecret, totpUri, verifyTotp } from './totp.ts';

export interface NewUser {
  email: string; password: string; displayName: string; role: Role; agencyId: string | null; home?: { lat: number; lon: number };
}

export const ACCOUNT_SUSPENDED = 'This account is suspended; ask an administrator';

export interface PublicUser {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  agencyId: string | null;
  home: { lat: number; lon: number } | null;
  totpEnabled: boolean;
  totpRequired: boolean;
  retentionDays: number;
}

export function toPublicUser(u: repo.PublicUserRow): PublicUser {
  return {
    id: u.id,
    email: u.email,
    displayName: u.display_name,
    role: u.role,
    agencyId: u.agency_id,
    home: u.home_lat === null || u.home_lon === null ? null : { lat: u.home_lat, lon: u.home_lon },
    totpEnabled: u.totp_enabled === 1,
    totpRequired: TOTP_REQUIRED.includes(u.role),
    retentionDays: u.retention_days,
  };
}

/** The CSRF token bound to a session token (double submit, OWASP): only a holder of the cookie can compute it. */
export const csrfTokenFor = (sessionToken: string) => sha256hex(`porchlight-csrf:${sessionToken}`).slice(0, 43);

export class AccountsService {
  readonly #ctx: AppContext;
  // Sign-in failures are in the database (login_failures), keyed by keyed
  // hashes, so throttling survives restarts and holds across nodes; stale rows
  // are pruned at most once a minute per process.
  #prunedAt = 0;
  // Resolving a session is the hot path of every request. Resolved actors are
  // kept briefly; logout, revocation and password change in this process drop
  // them at once, and on other nodes they lapse within SESSION_CACHE_MS.
  // Keyed by the token itself, so a hit costs no SHA-256: this process sees
  // every raw token anyway, and only the database (which outlives it, and is
  // copied into backups) must hold hashes alone. Bounded: least recently used
  // sessions go first.
  readonly #sessions = new LRUCache<string, { actor: Omit<UserActor, 'via'>; expiresAt: number; until: number }>({ max: SESSION_CACHE_MAX });
  // What GET /api/v1/me answers, by user, for the same short window: the
  // session lookup already reads these columns, so a hit costs no query.
  // Changes made here drop it at once (forgetSessions); a change made
  // elsewhere (retention, another node) shows within SESSION_CACHE_MS.
  readonly #profiles = new LRUCache<string, { user: PublicUser; until: number }>({ max: SESSION_CACHE_MAX });

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
  }

  // TOTP secrets are sealed under the master key, bound to their user: a copy
  // of the database alone does not give away anyone's second factor.
  #sealTotp(userId: string, secret: string): string {
    return sealTotpSecret(this.#ctx.masterKey, userId, secret);
  }

  #openTotp(u: repo.UserRow): string {
    const secret = u.totp_secret ? openTotpSecret(this.#ctx.masterKey, u.id, u.totp_secret) : null;
    if (!secret) {
      // Another master key, or a row copied or altered: refuse, never fall back to no second factor.
      this.#ctx.log.error({ userId: u.id }, 'stored TOTP secret does not open under this master key');
      throw unauthorized('the TOTP code cannot be checked for this account; ask an administrator to reset its TOTP');
    }
    return secret;
  }

  get #db() {
    return this.#ctx.db.kysely;
  }

  async register(input: { email: string; password: string; displayName: string; home: { lat: number; lon: number } }): Promise<PublicUser> {
    return this.createUser({ ...input, role: 'resident', agencyId: null });
  }

  async createUser(input: NewUser): Promise<PublicUser> {
    const row = await this.newUserRow(input);
    await this.#db.transaction().execute((tx) => this.insertNewUser(tx, row));
    return toPublicUser({ ...row, retention_days: 60 });
  }

  /** Checks and hashes a new account, for callers that insert it inside their own transaction (insertNewUser). */
  async newUserRow(input: NewUser) {
    const email = normaliseEmail(input.email);
    const problem = passwordProblem(input.password, email);
    if (problem) throw badRequest(`password ${problem}`, [{ field: 'body.password', message: problem }]);
    if (!input.displayName.trim()) throw badRequest('displayName must not be blank', [{ field: 'body.displayName', message: 'must not be blank' }]);
    if (input.role === 'agency' && !input.agencyId) throw badRequest('an agency member needs an agency id');
    // Staff who review requests must not belong to an agency: a reviewer inside
    // the requesting agency could approve their own demands.
    if (input.role !== 'agency' && input.agencyId) throw badRequest(`a ${input.role} cannot belong to an agency`, [{ field: 'body.agencyId', message: 'only agency members belong to an agency' }]);
    return {
      id: newId(),
      email,
      password_hash: await hashPassword(input.password),
      display_name: input.displayName.trim(),
      role: input.role,
      agency_id: input.agencyId,
      home_lat: input.home?.lat ?? null,
      home_lon: input.home?.lon ?? null,
      totp_secret: null,
      totp_enabled: 0,
      totp_last_step: null,
      created_at: this.#ctx.clock.now(),
    };
  }

  async insertNewUser(tx: DbHandle, row: Awaited<ReturnType<AccountsService['newUserRow']>>): Promise<void> {
    if (await repo.findUserByEmail(tx, row.email)) throw new HttpError(409, 'an account with this e-mail already exists', { errors: [{ field: 'body.email', message: 'already has an account' }] });
    await repo.insertUser(tx, row);
  }

  async login(input: { email: string; password: string; totp?: string }, client: { ip: string; userAgent: string | null }) {
    const now = this.#ctx.clock.now();
    const email = normaliseEmail(input.email);
    const user = await repo.findUserByEmail(this.#db, email);
    const address = keyedHash(this.#ctx.masterKey, 'porchlight-address', client.ip);
    const keys = Object.values(throttleKeys(email, address)).map((k) => keyedHash(this.#ctx.masterKey, 'porchlight-throttle', k));
    const [pair, account, byAddress] = keys;
    const seen = await repo.failuresOf(this.#db, keys);
    const known = !!user && (await repo.isKnownAddress(this.#db, user.id, address));
    const wait = signInWait({ pair: seen.get(pair), account: seen.get(account), address: seen.get(byAddress) }, known, now);
    if (wait > 0) {
      throw new HttpError(429, `too many failed sign-ins; try again ${waitText(wait)}`, { headers: { 'retry-after': String(Math.ceil(wait / 1000)) } });
    }
    const fail = async (detail: string) => {
      await repo.recordFailures(this.#db, keys, now, THROTTLE.windowMs);
      if (now - this.#prunedAt > 60_000) {
        this.#prunedAt = now;
        await repo.pruneFailures(this.#db, now - THROTTLE.windowMs);
      }
      return unauthorized(detail);
    };
    if (!user) {
      await verifyPassword(await dummyHash(), input.password);
      throw await fail('wrong e-mail or password');
    }
    if (!(await verifyPassword(user.password_hash, input.password))) throw await fail('wrong e-mail or password');
    // Only after the password: a guesser learns nothing about the account's standing.
    if (user.suspended_at !== null) throw new HttpError(403, ACCOUNT_SUSPENDED);
    if (user.totp_enabled === 1) {
      if (!input.totp) throw unauthorized(SESSION_TOTP_REQUIRED);
      if (isTotpShaped(input.totp)) {
        const step = verifyTotp(this.#openTotp(user), input.totp.trim(), now, user.totp_last_step);
        if (step === null) throw await fail('wrong or already used TOTP code');
        await repo.updateUser(this.#db, user.id, { totp_last_step: step });
      } else {
        // Anything else is a recovery code: a wrong one counts as a failed
        // sign-in like a wrong TOTP code, so the throttle covers both.
        const hash = hashRecoveryCode(this.#ctx.masterKey, user.id, input.totp);
        if (hash === null || !(await repo.spendRecoveryCode(this.#db, user.id, hash, now))) throw await fail('wrong or already used recovery code');
      }
    }
    // This address is in good standing with this account again. The account-wide
    // count stays: a success must not hand a guesser elsewhere a fresh allowance.
    await repo.clearFailures(this.#db, [pair]);
    await repo.rememberAddress(this.#db, user.id, address, now);
    const token = randomToken('pls_');
    await repo.insertSession(this.#db, {
      id: newId(),
      token_hash: hashToken(token),
      user_id: user.id,
      created_at: now,
      expires_at: now + SESSION_TTL_MS,
      user_agent: client.userAgent?.slice(0, 256) ?? null,
      ip: client.ip,
      second_factor: user.totp_enabled,
    });
    return { token, csrfToken: csrfTokenFor(token), user: toPublicUser(user) };
  }

  /** The token resolver for "pls_" tokens (see platform/http/auth.ts). */
  resolveSession = async (token: string, _req: FastifyRequest, via: 'cookie' | 'bearer'): Promise<UserActor | null> => {
    const now = this.#ctx.clock.now();
    const cached = this.#sessions.get(token);
    if (cached && cached.until > now && cached.expiresAt > now) return { ...cached.actor, via };
    const row = await repo.findSessionByTokenHash(this.#db, hashToken(token));
    if (!row || row.expires_at <= now) {
      this.#sessions.delete(token);
      return null;
    }
    if (now - row.last_seen_at > SESSION_TOUCH_MS) await repo.touchSession(this.#db, row.session_id, now);
    const actor = { kind: 'user' as const, userId: row.user_id, role: row.role, agencyId: row.agency_id, totpEnabled: row.second_factor === 1, sessionId: row.session_id };
    this.#sessions.set(token, { actor, expiresAt: row.expires_at, until: now + SESSION_CACHE_MS });
    this.#profiles.set(row.user_id, { user: toPublicUser({ ...row, id: row.user_id }), until: now + SESSION_CACHE_MS });
    return { ...actor, via };
  };

  /** Drops cached actors of one session, or of every session of a user. */
  forgetSessions(match: { sessionId?: string; userId?: string }): void {
    const gone: string[] = [];
    for (const [k, v] of this.#sessions.entries()) {
      if (v.actor.sessionId === match.sessionId || v.actor.userId === match.userId) gone.push(k);
    }
    for (const k of gone) this.#sessions.delete(k);
    if (match.userId) this.#profiles.delete(match.userId);
  }

  async logout(actor: UserActor): Promise<void> {
    await repo.deleteSession(this.#db, actor.userId, actor.sessionId);
    this.forgetSessions({ sessionId: actor.sessionId });
  }

  async me(actor: UserActor): Promise<PublicUser> {
    const now = this.#ctx.clock.now();
    const cached = this.#profiles.get(actor.userId);
    if (cached && cached.until > now) return cached.user;
    const u = await repo.findUserById(this.#db, actor.userId);
    if (!u) throw unauthorized();
    const user = toPublicUser(u);
    this.#profiles.set(u.id, { user, until: now + SESSION_CACHE_MS });
    return user;
  }

  async listSessions(actor: UserActor) {
    const rows = await repo.listSessions(this.#db, actor.userId);
    return rows.map((s) => ({
      id: s.id,
      createdAt: new Date(s.created_at).toISOString(),
      lastSeenAt: new Date(s.last_seen_at).toISOString(),
      expiresAt: new Date(s.expires_at).toISOString(),
      userAgent: s.user_agent,
      ip: s.ip,
      current: s.id === actor.sessionId,
    }));
  }

  async revokeSession(actor: UserActor, id: string): Promise<void> {
    if (!(await repo.deleteSession(this.#db, actor.userId, id))) throw notFound('no such session');
    this.forgetSessions({ sessionId: id });
  }

  /** A fresh password check before an irreversible step (export, deletion): 400 on a wrong one. */
  async confirmPassword(actor: UserActor, password: string): Promise<void> {
    const u = await repo.findUserById(this.#db, actor.userId);
    if (!u || !(await verifyPassword(u.password_hash, password))) throw badRequest('the password is wrong', [{ field: 'body.password', message: 'is wrong' }]);
  }

  async changePassword(actor: UserActor, current: string, next: string): Promise<void> {
    const u = await repo.findUserById(this.#db, actor.userId);
    if (!u || !(await verifyPassword(u.password_hash, current))) throw badRequest('current password is wrong', [{ field: 'body.currentPassword', message: 'is wrong' }]);
    const problem = passwordProblem(next, u.email);
    if (problem) throw badRequest(`new password ${problem}`, [{ field: 'body.newPassword', message: problem }]);
    const hash = await hashPassword(next);
    await this.#db.transaction().execute(async (tx) => {
      await repo.updateUser(tx, u.id, { password_hash: hash });
      // Other sessions may belong to whoever knew the old password.
      await repo.deleteOtherSessions(tx, u.id, actor.sessionId);
    });
    this.forgetSessions({ userId: u.id });
  }

  async enrollTotp(actor: UserActor): Promise<{ secret: string; otpauthUri: string }> {
    const u = await repo.findUserById(this.#db, actor.userId);
    if (!u) throw unauthorized();
    if (u.totp_enabled === 1) throw conflict('TOTP is already enabled');
    const secret = newTotpSecret();
    await repo.updateUser(this.#db, u.id, { totp_secret: this.#sealTotp(u.id, secret), totp_last_step: null });
    return { secret, otpauthUri: totpUri(secret, u.email) };
  }

  async confirmTotp(actor: UserActor, code: string): Promise<PublicUser & { recoveryCodes: string[] }> {
    const u = await repo.findUserById(this.#db, actor.userId);
    if (!u) throw unauthorized();
    if (u.totp_enabled === 1) throw conflict('TOTP is already enabled');
    if (!u.totp_secret) throw badRequest('start enrolment first (POST /api/v1/auth/totp/enroll)');
    const now = this.#ctx.clock.now();
    const step = verifyTotp(this.#openTotp(u), code, now, u.totp_last_step);
    if (step === null) throw badRequest('wrong or already used TOTP code', [{ field: 'body.code', message: 'wrong or already used' }]);
    const recoveryCodes = newRecoveryCodes();
    await this.#db.transaction().execute(async (tx) => {
      await repo.updateUser(tx, u.id, { totp_enabled: 1, totp_last_step: step });
      await repo.replaceRecoveryCodes(tx, u.id, this.#hashCodes(u.id, recoveryCodes), now);
      // This session proved the code; the user's other sessions did not, and
      // from now on every sign-in needs it, so they end.
      await repo.markSecondFactor(tx, actor.sessionId);
      await repo.deleteOtherSessions(tx, u.id, actor.sessionId);
    });
    this.forgetSessions({ userId: u.id });
    // The only time the plaintext codes leave the server: only hashes are kept.
    return { ...toPublicUser({ ...u, totp_enabled: 1 }), recoveryCodes };
  }

  #hashCodes(userId: string, codes: string[]): string[] {
    return codes.map((c) => hashRecoveryCode(this.#ctx.masterKey, userId, c)!);
  }

  /**
   * New recovery codes in place of all the old ones. Someone holding only an
   * unattended session must not be able to mint a way in, so this needs the
   * current password or a current TOTP code (400 on a wrong one, as
   * confirmPassword answers).
   */
  async regenerateRecoveryCodes(actor: UserActor, proof: { password?: string; totp?: string }): Promise<{ recoveryCodes: string[] }> {
    const u = await repo.findUserById(this.#db, actor.userId);
    if (!u) throw unauthorized();
    if (u.totp_enabled !== 1) throw conflict('TOTP is not enabled; recovery codes come with TOTP enrolment');
    const now = this.#ctx.clock.now();
    if (proof.totp) {
      const step = verifyTotp(this.#openTotp(u), proof.totp, now, u.totp_last_step);
      if (step === null) throw badRequest('wrong or already used TOTP code', [{ field: 'body.totp', message: 'wrong or already used' }]);
      await repo.updateUser(this.#db, u.id, { totp_last_step: step });
    } else if (proof.password) {
      await this.confirmPassword(actor, proof.password);
    } else {
      throw badRequest('give the current password or a TOTP code', [{ field: 'body', message: 'needs password or totp' }]);
    }
    const recoveryCodes = newRecoveryCodes();
    await this.#db.transaction().execute(async (tx) => repo.replaceRecoveryCodes(tx, u.id, this.#hashCodes(u.id, recoveryCodes), now));
    return { recoveryCodes };
  }
}
