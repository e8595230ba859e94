// What an approved demand releases (issue 6 §1, "What an approved demand
// releases"), run inside the approval's transaction so the approval, the owner
// notices, the releases and their log entries commit together or not at all.
//   search_warrant → the content of the clips in scope, through the disclosure
//                    door on the warrant basis (original bytes, evidence);
//   subpoena, court_order → non-content records only: account name and e-mail,
//                    cameras with locations, clip metadata; no bytes;
//   preservation → a 90-day hold on every clip in scope; nothing released.
// Owners are told first (before any row that releases anything is written),
// unless a nondisclosure order applies; then they are told on its end date.
import type { UserActor } from '../platform/access.ts';
import type { AppContext } from '../platform/context.ts';
import type { DbHandle } from '../platform/db/db.ts';
import type { ClipsService } from '../clips/service.ts';
import type { DisclosureService } from '../disclosure/service.ts';
import { releaseScope } from '../disclosure/release.ts';
import type { LogClip } from '../disclosure/log.ts';
import type { Scope } from '../disclosure/policy.ts';
import { LIMITS } from './policy.ts';
import type { Notices } from '../disclosure/notices.ts';
import * as repo from './repository.ts';

export interface ReleaseDeps {
  ctx: AppContext;
  clips: ClipsService;
  disclosure: DisclosureService;
  notices: Notices;
}

export interface Records {
  accounts: { ownerRef: string; name: string; email: string }[];
  cameras: { id: string; ownerRef: string; name: string; location: { lat: number; lon: number } }[];
  clips: { id: string; cameraId: string; startedAt: string; endedAt: string; kind: string; sha256: string; size: number; signed: boolean }[];
}

const logClip = (c: repo.ScopeClip): LogClip => ({ clipId: c.id, ownerId: c.owner_id, sha256: c.sha256 });

/** Owners are told now, in this transaction, or on the nondisclosure order's end date. */
async function tellOwners(d: ReleaseDeps, tx: DbHandle, demand: repo.DemandRow, ownerIds: Iterable<string>): Promise<void> {
  const now = d.ctx.clock.now();
  const nd = demand.nondisclosure_until === null ? null : Number(demand.nondisclosure_until);
  await d.notices.schedule(tx, 'legal_demand', demand.id, ownerIds, nd !== null && nd > now ? nd : now);
  await d.notices.sendDueFor(tx, 'legal_demand', demand.id);
}

export async function releaseWarrant(d: ReleaseDeps, tx: DbHandle, actor: UserActor, demand: repo.DemandRow, scope: Scope) {
  const clips = await repo.clipsInScope(tx, scope, 'contain');
  await tellOwners(d, tx, demand, clips.map((c) => c.owner_id));
  const { released, refused } = await releaseScope(d.disclosure, tx, actor, {
    agencyId: demand.agency_id, basis: { kind: 'warrant', ref: demand.id }, clips, refusalReviewers: async () => [actor.userId],
  });
  return { released: released.length, refusedE2ee: refused.length };
}

export async function releaseRecords(d: ReleaseDeps, tx: DbHandle, actor: UserActor, demand: repo.DemandRow, scope: Scope): Promise<Records> {
  const cameras = await repo.camerasInScope(tx, scope);
  const clips = await repo.clipsInScope(tx, scope, 'contain');
  const owners = await repo.usersByIds(tx, [...new Set(cameras.map((c) => c.owner_id))]);
  // Owners appear as references local to this demand ("account-1"), so records join without internal ids.
  const ref = new Map(owners.map((o, i) => [o.id, `account-${i + 1}`]));
  const records: Records = {
    accounts: owners.map((o) => ({ ownerRef: ref.get(o.id)!, name: o.display_name, email: o.email })),
    cameras: cameras.map((c) => ({ id: c.id, ownerRef: ref.get(c.owner_id)!, name: c.name, location: { lat: c.lat, lon: c.lon } })),
    clips: clips.map((c) => ({
      id: c.id, cameraId: c.camera_id, startedAt: new Date(Number(c.started_at)).toISOString(), endedAt: new Date(Number(c.ended_at)).toISOString(),
      kind: c.kind, sha256: c.sha256, size: Number(c.size), signed: c.signed === 1,
    })),
  };
  await tellOwners(d, tx, demand, owners.map((o) => o.id));
  await d.disclosure.log.appendMany(tx, { basis: demand.type === 'subpoena' ? 'subpoena' : 'court_order', agency: demand.agency_id, ref: demand.id, reviewers: [actor.userId], clips: clips.map(logClip) });
  return records;
}

export const holdTag = (demandId: string) => `legal:${demandId}`;

/** Holds every clip in scope (overlap: a clip with any footage from the window is kept) until `until`. */
export async function placeHolds(d: ReleaseDeps, tx: DbHandle, actor: UserActor, demand: repo.DemandRow, scope: Scope, until: number, tell: boolean) {
  const clips = await repo.clipsInScope(tx, scope, 'overlap');
  if (tell) await tellOwners(d, tx, demand, clips.map((c) => c.owner_id));
  for (const c of clips) await d.clips.placeHold({ clipId: c.id, reason: `preservation request ${demand.id}`, until, createdBy: holdTag(demand.id) }, tx);
  await d.disclosure.log.appendMany(tx, { basis: 'preservation', agency: demand.agency_id, ref: demand.id, reviewers: [actor.userId], clips: clips.map(logClip) });
  return { held: clips.length };
}

export async function extendHolds(d: ReleaseDeps, tx: DbHandle, actor: UserActor, demand: repo.DemandRow, until: number) {
  const clips = await repo.heldClips(tx, holdTag(demand.id));
  for (const c of clips) await d.clips.placeHold({ clipId: c.id, reason: `preservation request ${demand.id} (extended)`, until, createdBy: holdTag(demand.id) }, tx);
  await d.disclosure.log.appendMany(tx, { basis: 'preservation', agency: demand.agency_id, ref: demand.id, reviewers: [actor.userId], clips: clips.map(logClip) });
  return { held: clips.length };
}

export const HOLD_MS = LIMITS.holdMs;
