// One release of many clips on a warrant or an emergency (PRODUCT.md principle
// 5; issue 6 §1 and §2 "Release"), shared by legal and emergency so that the
// loop is written once. It runs inside the caller's approval transaction: each
// clip goes through the door (decision, disclosure row, log entry); end-to-end
// encrypted clips are refused and that refusal is logged as its own entry; any
// other refusal throws 409 and rolls the whole approval back.
import type { UserActor } from '../platform/access.ts';
import type { DbHandle } from '../platform/db/db.ts';
import { conflict } from '../platform/http/errors.ts';
import type { DisclosureService } from './service.ts';

/** What a release needs to know of each clip in scope. */
export interface ReleasableClip {
  id: string;
  owner_id: string;
  sha256: string;
}

export interface ScopeRelease<C extends ReleasableClip> {
  agencyId: string;
  basis: { kind: 'warrant' | 'emergency'; ref: string };
  clips: readonly C[];
  /** Who goes into the refusal entry's reviewers (asked only when a clip is refused). */
  refusalReviewers: () => Promise<readonly string[]>;
}

export async function releaseScope<C extends ReleasableClip>(disclosure: DisclosureService, tx: DbHandle, staff: UserActor, r: ScopeRelease<C>): Promise<{ released: C[]; refused: C[] }> {
  const released: C[] = [];
  const refused: C[] = [];
  for (const c of r.clips) {
    const res = await disclosure.releaseOriginal(tx, staff, { clipId: c.id, recipient: { kind: 'agency', agencyId: r.agencyId, agencyType: null }, basis: r.basis });
    if (res.ok) released.push(c);
    else if (res.code === 'e2ee') refused.push(c);
    else throw conflict(`${r.basis.kind} ${r.basis.ref} could not release clip ${c.id}: ${res.reason}; nothing was approved or released`);
  }
  // "Not disclosable: end-to-end encrypted" is on the record as its own entry.
  if (refused.length) {
    await disclosure.log.appendMany(tx, {
      basis: 'refusal_e2ee', agency: r.agencyId, ref: r.basis.ref, reviewers: await r.refusalReviewers(),
      clips: refused.map((c) => ({ clipId: c.id, ownerId: c.owner_id, sha256: c.sha256 })),
    });
  }
  return { released, refused };
}
