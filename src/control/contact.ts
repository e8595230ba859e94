// Contact sharing (issue 14 §3). Off by default. When on, an agency that
// received a consented share from the owner sees the name and the phone number
// or e-mail address the owner chose, read at the moment it looks, so turning
// it off stops it from then on. Every showing goes into the owner's access log,
// in the transaction that read the contact. Never shown for warrants or
// emergencies: only the evidence locker of a community request asks.
import type { UserActor } from '../platform/access.ts';
import type { AppContext } from '../platform/context.ts';
import type { DbHandle } from '../platform/db/db.ts';
import { newId } from '../platform/crypto.ts';
import { orBadRequest } from '../platform/http/errors.ts';
import { checkContact, type ContactChoice } from './policy.ts';
import * as repo from './repository.ts';

export interface SharedContact {
  name: string;
  phone: string | null;
  email: string | null;
}

export interface ContactSharingView extends ContactChoice {
  updatedAt: string | null;
}

/** One agency's look at the owners who shared with one of its requests. */
export interface ContactViewing {
  agencyId: string;
  requestId: string;
  /** One clip of each owner's share: the access log names a clip. */
  shares: { ownerId: string; clipId: string }[];
}

const OFF: ContactSharingView = { enabled: false, name: null, phone: null, email: null, updatedAt: null };

export class ContactSharingService {
  readonly #ctx: AppContext;

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
  }

  get #db() {
    return this.#ctx.db.kysely;
  }

  async get(actor: UserActor): Promise<ContactSharingView> {
    const r = await repo.contactOf(this.#db, actor.userId);
    if (!r) return OFF;
    return { enabled: r.enabled === 1, name: r.name, phone: r.phone, email: r.email, updatedAt: new Date(Number(r.updated_at)).toISOString() };
  }

  async put(actor: UserActor, input: { enabled: boolean; name?: string | null; phone?: string | null; email?: string | null }): Promise<ContactSharingView> {
    const c = orBadRequest(checkContact(input));
    await repo.saveContact(this.#db, { user_id: actor.userId, enabled: c.enabled ? 1 : 0, name: c.name, phone: c.phone, email: c.email, updated_at: this.#ctx.clock.now() });
    return this.get(actor);
  }

  /**
   * The contacts an agency may see now, by owner, each showing written into
   * that owner's access log in the caller's transaction. Pass only owners whose
   * share was consented to this agency (the evidence locker's records).
   */
  shownTo = async (db: DbHandle, v: ContactViewing): Promise<Map<string, SharedContact>> => {
    const out = new Map<string, SharedContact>();
    const clipOf = new Map(v.shares.map((s) => [s.ownerId, s.clipId]));
    const rows = await repo.sharedContacts(db, [...clipOf.keys()]);
    if (rows.length === 0) return out;
    const agency = (await repo.agencyName(db, v.agencyId)) ?? 'agency';
    const now = this.#ctx.clock.now();
    for (const r of rows) {
      const contact = { name: r.name!, phone: r.phone, email: r.email };
      const what = ['name', contact.phone && 'phone number', contact.email && 'e-mail address'].filter(Boolean).join(', ');
      await repo.logContactShown(db, {
        id: newId(), clip_id: clipOf.get(r.user_id)!, owner_id: r.user_id, at: now,
        actor: `${agency} (${v.agencyId}), evidence locker of request ${v.requestId}`,
        purpose: `saw the contact details you share: ${what}`,
      });
      out.set(r.user_id, contact);
    }
    return out;
  };
}
