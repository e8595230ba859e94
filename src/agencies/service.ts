// Agency use cases: a reviewer creates and verifies agencies and invites
// their members; anyone reads verified agencies' public profiles.
import { randomBytes } from 'node:crypto';
import type { UserActor } from '../platform/access.ts';
import type { AppContext } from '../platform/context.ts';
import { newId } from '../platform/crypto.ts';
import { HttpError, badRequest, notFound } from '../platform/http/errors.ts';
import { enqueue } from '../platform/outbox/outbox.ts';
import type { AccountsService } from '../accounts/service.ts';
import type { Area } from './geo.ts';
import { checkAgency, type AgencyInput, type AgencyType } from './policy.ts';
import * as repo from './repository.ts';

export interface PublicAgency {
  id: string;
  name: string;
  type: AgencyType;
  jurisdiction: Area;
  description: string;
  website: string | null;
  publicContact: string | null;
  verifiedAt: string | null;
}

export interface AgencyView extends PublicAgency {
  immigrationEnforcement: boolean;
  jurisdictionAreaKm2: number;
  createdAt: string;
  createdBy: string;
  verifiedBy: string | null;
}

const iso = (t: number | null) => (t === null ? null : new Date(Number(t)).toISOString());

export function toPublicAgency(a: repo.AgencyRow): PublicAgency {
  return {
    id: a.id, name: a.name, type: a.type, jurisdiction: JSON.parse(a.jurisdiction) as Area, description: a.description,
    website: a.website, publicContact: a.public_contact, verifiedAt: iso(a.verified_at),
  };
}

function toAgencyView(a: repo.AgencyRow): AgencyView {
  return {
    ...toPublicAgency(a), immigrationEnforcement: a.immigration_enforcement === 1,
    jurisdictionAreaKm2: Math.round(a.jurisdiction_area_m2 / 1e3) / 1e3,
    createdAt: iso(a.created_at)!, createdBy: a.created_by, verifiedBy: a.verified_by,
  };
}

export class AgenciesService {
  readonly #ctx: AppContext;
  readonly #accounts: AccountsService;

  constructor(ctx: AppContext, accounts: AccountsService) {
    this.#ctx = ctx;
    this.#accounts = accounts;
  }

  get #db() {
    return this.#ctx.db.kysely;
  }

  /** A reviewer's creation is the verification: the agency can act at once. */
  async create(actor: UserActor, input: AgencyInput): Promise<AgencyView> {
    const checked = checkAgency(input, { allowImmigrationEnforcement: this.#ctx.config.ALLOW_IMMIGRATION_ENFORCEMENT });
    if ('problems' in checked) {
      if (checked.forbidden) throw new HttpError(403, checked.forbidden, { errors: checked.problems });
      throw badRequest(checked.problems.map((p) => `${p.field} ${p.message}`).join('; '), checked.problems);
    }
    const a = checked.value;
    const now = this.#ctx.clock.now();
    const row = {
      id: newId(), name: a.name, type: a.type, immigration_enforcement: a.immigrationEnforcement ? 1 : 0,
      jurisdiction: JSON.stringify(a.jurisdiction), jurisdiction_area_m2: a.areaM2, description: a.description,
      website: a.website, public_contact: a.publicContact, created_by: actor.userId, created_at: now,
      verified_by: actor.userId, verified_at: now,
    };
    await repo.insertAgency(this.#db, row);
    return toAgencyView(row);
  }

  async list(): Promise<AgencyView[]> {
    return (await repo.listAgencies(this.#db, { verifiedOnly: false })).map(toAgencyView);
  }

  async get(id: string): Promise<AgencyView> {
    const a = await repo.findAgency(this.#db, id);
    if (!a) throw notFound('no such agency');
    return toAgencyView(a);
  }

  async publicList(): Promise<PublicAgency[]> {
    return (await repo.listAgencies(this.#db, { verifiedOnly: true })).map(toPublicAgency);
  }

  async publicGet(id: string): Promise<PublicAgency> {
    const a = await repo.findAgency(this.#db, id);
    if (!a || a.verified_at === null) throw notFound('no such agency');
    return toPublicAgency(a);
  }

  /**
   * Creates a member account for the agency with a one-time initial password,
   * shown once to the inviting reviewer for hand-over; the member must enrol
   * TOTP before anything else (access table), and should change the password.
   */
  async invite(actor: UserActor, agencyId: string, input: { email: string; displayName: string }) {
    const agency = await repo.findAgency(this.#db, agencyId);
    if (!agency) throw notFound('no such agency');
    const initialPassword = `pl-${randomBytes(18).toString('base64url')}`;
    const user = await this.#accounts.createUser({ email: input.email, password: initialPassword, displayName: input.displayName, role: 'agency', agencyId });
    await this.#db.transaction().execute((tx) => enqueue(tx, {
      channel: 'email', userId: user.id, kind: 'agency.invited',
      payload: {
        subject: `You were added to ${agency.name} on Porchlight`,
        text: `A Porchlight reviewer added you as a member of ${agency.name}.\n\nSign in with the initial password the reviewer gives you, then enrol an authenticator app (TOTP): members can do nothing else until they have.\n`,
        agencyId, invitedBy: actor.userId,
      },
    }, this.#ctx.clock.now()));
    return { user: { id: user.id, email: user.email, displayName: user.displayName, agencyId }, initialPassword };
  }

  async members(agencyId: string) {
    if (!(await repo.findAgency(this.#db, agencyId))) throw notFound('no such agency');
    return (await repo.agencyMembers(this.#db, agencyId)).map((m) => ({ id: m.id, email: m.email, displayName: m.display_name, totpEnabled: m.totp_enabled === 1, createdAt: iso(m.created_at)! }));
  }
}
