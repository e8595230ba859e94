// The release of an approved emergency, inside the transaction of the second
// approval (issue 6 §2 "Release"): only the clips in scope, only to the
// requesting agency, each through the disclosure door on the emergency basis
// with its log entry; end-to-end encrypted clips refused and the refusal logged
// as its own entry; owners' notices scheduled for 72 h after disclosure (or the
// resolution, or a court-ordered later date).
import type { UserActor } from '../platform/access.ts';
import type { AppContext } from '../platform/context.ts';
import type { DbHandle } from '../platform/db/db.ts';
import type { DisclosureService } from '../disclosure/service.ts';
import { releaseScope } from '../disclosure/release.ts';
import type { Notices } from '../disclosure/notices.ts';
import { parseScope } from '../legal/policy.ts';
import { clipsInScope } from '../legal/repository.ts';
import { noticeDue } from './policy.ts';
import { approversOf, updateEmergencyIf, type EmergencyRow } from './repository.ts';

export interface EmergencyReleaseDeps {
  ctx: AppContext;
  disclosure: DisclosureService;
  notices: Notices;
}

export async function releaseEmergency(d: EmergencyReleaseDeps, tx: DbHandle, staff: UserActor, e: EmergencyRow): Promise<{ released: number; refusedE2ee: number }> {
  const now = d.ctx.clock.now();
  const clips = await clipsInScope(tx, parseScope(e.scope), 'contain');
  const { released, refused } = await releaseScope(d.disclosure, tx, staff, {
    agencyId: e.agency_id, basis: { kind: 'emergency', ref: e.id }, clips, refusalReviewers: () => approversOf(tx, e.id),
  });
  if (refused.length) await updateEmergencyIf(tx, e.id, (q) => q, { refused_e2ee: refused.length });
  if (released.length) {
    await updateEmergencyIf(tx, e.id, (q) => q, { disclosed_at: now });
    const delay = e.notice_delay_until === null ? null : Number(e.notice_delay_until);
    await d.notices.schedule(tx, 'emergency', e.id, released.map((c) => c.owner_id), noticeDue(now, e.resolved_at === null ? null : Number(e.resolved_at), delay));
  }
  return { released: released.length, refusedE2ee: refused.length };
}
