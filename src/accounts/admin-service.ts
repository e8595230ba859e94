// User administration (issue 14, item 7): administrators list and find
// accounts, invite residents and agency members, suspend and unsuspend, and
// reset TOTP. Each action takes a reason and writes its audit row in the same
// transaction as the change. What an administrator sees of an account is
// limited to its standing (AdminUser): never its clips, home or settings.
import { randomBytes } from 'node:crypto';
import type { UserActor } from '../platform/access.ts';
import { recordAudit } from '../platform/audit.ts';
import type { AppContext } from '../platform/context.ts';
import { encodeCursor, decodeCursor } from '../platform/http/cursor.ts';
import { HttpError, conflict, notFound, orBadRequest } from '../platform/http/errors.ts';
import { enqueue } from '../platform/outbox/outbox.ts';
import type { Role } from '../platform/db/tables/accounts.ts';
import { checkReason, suspensionRefusal } from './admin-policy.ts';
import * as repo from './admin-repository.ts';
import type { AccountsService } from './service.ts';

export interface AdminUser {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  agencyId: string | null;
  status: 'active' | 'suspended';
  totpEnrolled: boolean;
  createdAt: string;
  lastSeenAt: string | null;
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

function toAdminUser(r: repo.AdminUserRow): AdminUser {
  return {
    id: r.id, email: r.email, displayName: r.display_name, role: r.role, agencyId: r.agency_id,
    status: r.suspended_at === null ? 'active' : 'suspended', totpEnrolled: r.totp_enabled === 1,
    createdAt: iso(r.created_at)!, lastSeenAt: iso(r.last_seen_at),
  };
}

export class UserAdminService {
  readonly #ctx: AppContext;
  readonly #accounts: AccountsService;

  constructor(ctx: AppContext, accounts: AccountsService) {
    this.#ctx = ctx;
    this.#accounts = accounts;
  }

  get #db() {
    return this.#ctx.db.kysely;
  }

  async list(_actor: UserActor, q: { q?: string; role?: Role; cursor?: string; limit?: number }): Promise<{ users: AdminUser[]; nextCursor: string | null }> {
    const limit = q.limit ?? 50;
    const rows = await repo.listUsers(this.#db, { q: q.q?.trim() || undefined, role: q.role, before: q.cursor ? decodeCursor(q.cursor) : undefined, limit: limit + 1 });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { users: page.map(toAdminUser), nextCursor: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null };
  }

  async #one(id: string): Promise<AdminUser> {
    const row = (await repo.listUsers(this.#db, { limit: 1, ids: [id] }))[0];
    if (!row) throw notFound('no such user');
    return toAdminUser(row);
  }

  async suspend(actor: UserActor, id: string, reason: string): Promise<AdminUser> {
    const why = orBadRequest(checkReason(reason));
    const now = this.#ctx.clock.now();
    await this.#db.transaction().execute(async (tx) => {
      const target = await repo.findTarget(tx, id);
      if (!target) throw notFound('no such user');
      const refusal = suspensionRefusal(actor.userId, { id: target.id, role: target.role, suspended: target.suspended_at !== null }, await repo.countActiveAdmins(tx));
      if (refusal) throw conflict(refusal);
      await repo.setSuspended(tx, id, now);
      // Suspension takes effect now, not when a session expires.
      await repo.deleteAllSessions(tx, id);
      await recordAudit(tx, { actorId: actor.userId, action: 'user.suspend', subjectKind: 'user', subjectId: id, reason: why }, now);
    });
    this.#accounts.forgetSessions({ userId: id });
    return this.#one(id);
  }

  async unsuspend(actor: UserActor, id: string, reason: string): Promise<AdminUser> {
    const why = orBadRequest(checkReason(reason));
    const now = this.#ctx.clock.now();
    await this.#db.transaction().execute(async (tx) => {
      const target = await repo.findTarget(tx, id);
      if (!target) throw notFound('no such user');
      if (target.suspended_at === null) throw conflict('this account is not suspended');
      await repo.setSuspended(tx, id, null);
      await recordAudit(tx, { actorId: actor.userId, action: 'user.unsuspend', subjectKind: 'user', subjectId: id, reason: why }, now);
    });
    return this.#one(id);
  }

  /**
   * For a lost authenticator with no recovery code left: the account signs in
   * with its password alone, and a role that needs TOTP must enrol again before
   * anything else (access table). Every session ends, since any of them may be
   * the one that lost control of the second factor.
   */
  async resetTotp(actor: UserActor, id: string, reason: string): Promise<AdminUser> {
    const why = orBadRequest(checkReason(reason));
    const now = this.#ctx.clock.now();
    await this.#db.transaction().execute(async (tx) => {
      const target = await repo.findTarget(tx, id);
      if (!target) throw notFound('no such user');
      if (target.totp_enabled !== 1) throw conflict('this account has no TOTP enrolled');
      await repo.clearTotp(tx, id);
      await repo.deleteAllSessions(tx, id);
      await recordAudit(tx, { actorId: actor.userId, action: 'user.reset_totp', subjectKind: 'user', subjectId: id, reason: why }, now);
    });
    this.#accounts.forgetSessions({ userId: id });
    return this.#one(id);
  }

  /**
   * Creates a resident or agency member account with a one-time initial
   * password, shown once to the administrator for hand-over (as reviewers
   * invite agency members), and e-mails the invitee through the outbox.
   */
  async invite(actor: UserActor, input: { email: string; displayName: string; role: 'resident' | 'agency'; agencyId?: string; reason: string }) {
    const why = orBadRequest(checkReason(input.reason));
    const initialPassword = `pl-${randomBytes(18).toString('base64url')}`;
    const row = await this.#accounts.newUserRow({ email: input.email, password: initialPassword, displayName: input.displayName, role: input.role, agencyId: input.agencyId ?? null });
    const now = this.#ctx.clock.now();
    await this.#db.transaction().execute(async (tx) => {
      let where = 'Porchlight';
      if (input.role === 'agency') {
        const agency = await repo.findAgencyName(tx, row.agency_id!);
        if (!agency) throw new HttpError(404, 'no such agency', { errors: [{ field: 'body.agencyId', message: 'no such agency' }] });
        where = `${agency} on Porchlight`;
      }
      await this.#accounts.insertNewUser(tx, row);
      await enqueue(tx, {
        channel: 'email', userId: row.id, kind: 'user.invited',
        payload: {
          subject: `You were invited to ${where}`,
          text: `A Porchlight administrator created an account for you${input.role === 'agency' ? ` as a member of ${where}` : ''}.\n\nSign in with this e-mail address and the initial password the administrator gives you, then change the password${input.role === 'agency' ? ' and enrol an authenticator app (TOTP): members can do nothing else until they have' : ''}.\n`,
          invitedBy: actor.userId,
        },
      }, now);
      await recordAudit(tx, { actorId: actor.userId, action: 'user.invite', subjectKind: 'user', subjectId: row.id, reason: why, details: { role: input.role, agencyId: row.agency_id } }, now);
    });
    return { user: await this.#one(row.id), initialPassword };
  }
}
