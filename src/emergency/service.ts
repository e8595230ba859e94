// Emergency requests (issue 6 §2; PRODUCT.md E): the form, reviewer 1's
// callback and determination, reviewer 2's independent determination, release
// of only the in-scope clips to only the requesting agency through the
// disclosure door on the emergency basis, owner notice (at resolution or 72 h
// after disclosure, or a court-ordered later date), and follow-up legal process
// within 7 days, else a `no_follow_up` log entry and a flag.
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import type { MultiPolygon, Polygon } from 'geojson';
import type { Actor, UserActor } from '../platform/access.ts';
import type { AppContext } from '../platform/context.ts';
import { requirePorts } from '../platform/ports.ts';
import type { DbHandle } from '../platform/db/db.ts';
import { newId } from '../platform/crypto.ts';
import { isUniqueViolation } from '../platform/db/errors.ts';
import { HttpError, badRequest, conflict, notFound } from '../platform/http/errors.ts';
import { HOUR } from '../platform/clock.ts';
import type { Readable } from 'node:stream';
import type { DisclosureService } from '../disclosure/service.ts';
import { evidencePackage, toPackageItem } from '../disclosure/evidence-package.ts';
import type { EmergencyBasis } from '../disclosure/policy.ts';
import { recordAudit } from '../platform/audit.ts';
import type { NoticeTimeline, Notices } from '../disclosure/notices.ts';
import { LIMITS, checkScope, checkText, parseScope, scopeWithin, type ScopeInput } from '../legal/policy.ts';
import { camerasInScope, findDemand, userAgency } from '../legal/repository.ts';
import { requireMember, requireStaff } from '../platform/access.ts';
import { EMERGENCY, checkPhone, noticeDue } from './policy.ts';
import { releaseEmergency } from './release.ts';
import * as repo from './repository.ts';
import { agencyName } from '../disclosure/repository.ts';
import { decide, statusOf, type EmergencyRecord, type EmergencyStep, type EmergencyState } from './states.ts';
import { toEmergencyView, type EmergencyView } from './view.ts';
import type { FieldProblem } from '../platform/problems.ts';

export interface EmergencyInput {
  officerName: string;
  callbackPhone?: string;
  nature: string;
  imminentDanger: string;
  whyNoProcess: string;
  scope: ScopeInput;
}

/** Where agencies' jurisdictions come from (the agencies capability); null for an unverified agency. */
export type JurisdictionSource = (db: DbHandle, agencyId: string) => Promise<Polygon | MultiPolygon | null>;

export function refuse(problems: FieldProblem[]): never {
  const errors = problems.map((p) => ({ field: `body.${p.field}`, message: p.message }));
  throw badRequest(errors.map((e) => `${e.field} ${e.message}`).join('; '), errors);
}

/** The request, or 404 when it does not exist or belongs to another agency than `agencyId` (when given). */
export async function findEmergencyOr404(db: DbHandle, id: string, agencyId?: string): Promise<repo.EmergencyRow> {
  const e = await repo.findEmergency(db, id);
  if (!e || (agencyId !== undefined && e.agency_id !== agencyId)) throw notFound('no such emergency request');
  return e;
}

const iso = (t: number | null) => (t === null ? null : new Date(Number(t)).toISOString());

export class EmergencyService {
  readonly #ctx: AppContext;
  readonly #disclosure: DisclosureService;
  readonly #notices: Notices;
  readonly #jurisdiction: JurisdictionSource;

  constructor(ctx: AppContext, deps: { disclosure: DisclosureService; notices: Notices; jurisdiction: JurisdictionSource }) {
    requirePorts('EmergencyService', deps, ['disclosure', 'notices', 'jurisdiction']);
    this.#ctx = ctx;
    this.#jurisdiction = deps.jurisdiction;
    this.#disclosure = deps.disclosure;
    this.#notices = deps.notices;
    deps.disclosure.registerBasisSource('emergency', (db, ref) => this.basis(db, ref));
    ctx.workers.add({ name: 'emergency.follow-up', intervalMs: HOUR, run: async () => void (await this.flagMissingFollowUps()) });
  }

  get #db() {
    return this.#ctx.db.kysely;
  }

  async basis(db: DbHandle, id: string): Promise<EmergencyBasis | undefined> {
    const e = await repo.findEmergency(db, id);
    if (!e) return undefined;
    const dets = await repo.determinationsOf(db, id);
    const decided = statusOf(e.state) === 'approved' && e.decided_at !== null ? Number(e.decided_at) : null;
    const parties = await repo.partiesOf(db, e);
    return {
      kind: 'emergency', id: e.id, agencyId: e.agency_id, requesterId: e.submitted_by, scope: parseScope(e.scope),
      agencyCreatedBy: parties.agencyCreatedBy, agencyVerifiedBy: parties.agencyVerifiedBy,
      determinations: dets.map((d) => ({ reviewerId: d.reviewer_id, reviewerAgencyId: d.reviewer_agency_id, decision: d.decision, at: Number(d.created_at) })),
      resolvedAt: e.resolved_at === null ? null : Number(e.resolved_at), revokedAt: null,
      expiresAt: decided === null ? null : decided + EMERGENCY.releaseWindowMs,
    };
  }

  async submit(actor: Actor, agencyId: string, input: EmergencyInput): Promise<EmergencyView> {
    const member = requireMember(actor, agencyId);
    const problems: FieldProblem[] = [];
    const texts = {
      officerName: checkText(input.officerName, 'officerName'),
      nature: checkText(input.nature, 'nature', LIMITS.textMax),
      imminentDanger: checkText(input.imminentDanger, 'imminentDanger', LIMITS.textMax),
      whyNoProcess: checkText(input.whyNoProcess, 'whyNoProcess', LIMITS.textMax),
      callbackPhone: checkPhone(input.callbackPhone, 'callbackPhone'),
    };
    for (const v of Object.values(texts)) if ('field' in v) problems.push(v);
    const checked = checkScope(input.scope, LIMITS.maxEmergencyWindowMs);
    if ('problems' in checked) problems.push(...checked.problems);
    if (problems.length || 'problems' in checked) refuse(problems);
    const value = (k: keyof typeof texts) => (texts[k] as { value: string }).value;
    await this.#checkJurisdiction(agencyId, checked.scope);
    const now = this.#ctx.clock.now();
    const id = newId();
    await repo.insertEmergency(this.#db, {
      id, agency_id: agencyId, submitted_by: member.userId, officer_name: value('officerName'), callback_phone: value('callbackPhone'),
      nature: value('nature'), imminent_danger: value('imminentDanger'), why_no_process: value('whyNoProcess'), scope: JSON.stringify(checked.scope),
      state: 'awaiting_callback', created_at: now, callback_by: null, callback_number: null, callback_at: null, callback_confirmed: null, decided_at: null,
      disclosed_at: null, resolved_at: null, notice_delay_until: null, notice_delay_order_key: null, notice_delay_order_wrapped_key: null,
      notice_delay_order_sha256: null, notice_delay_requested_until: null, notice_delay_requested_at: null, follow_up_demand_id: null, no_follow_up_at: null,
    });
    return this.view(this.#db, id, 'agency');
  }

  /** Every named camera and the address must lie inside the agency's jurisdiction. */
  async #checkJurisdiction(agencyId: string, scope: ReturnType<typeof parseScope>): Promise<void> {
    const area = await this.#jurisdiction(this.#db, agencyId);
    if (!area) throw new HttpError(403, 'this agency is not verified');
    const inside = (lat: number, lon: number) => booleanPointInPolygon([lon, lat], area);
    const problems: FieldProblem[] = [];
    if (scope.area) {
      // The centre and eight points on the circle (metres to degrees at this latitude): the whole circle must be inside.
      const { lat, lon, radiusM } = scope.area;
      const dLat = radiusM / 111_320;
      const dLon = radiusM / (111_320 * Math.max(0.01, Math.cos((lat * Math.PI) / 180)));
      const points = [[lat, lon], ...Array.from({ length: 8 }, (_, i) => [lat + dLat * Math.cos((i * Math.PI) / 4), lon + dLon * Math.sin((i * Math.PI) / 4)])];
      if (!points.every(([a, o]) => inside(a, o))) problems.push({ field: 'scope.address', message: "is outside the agency's jurisdiction" });
    }
    const cams = await camerasInScope(this.#db, { ...scope, area: null });
    const found = new Map(cams.map((c) => [c.id, c]));
    for (const id of scope.cameraIds) {
      const c = found.get(id);
      // One message for absent and outside, so camera ids cannot be probed.
      if (!c || !inside(c.lat, c.lon)) problems.push({ field: 'scope.cameraIds', message: `camera ${id} is not within the agency's jurisdiction` });
    }
    if (problems.length) refuse(problems);
  }

  /** The request's view as it stands in `db` now (read again after a write). */
  async view(db: DbHandle, id: string, audience: 'agency' | 'staff'): Promise<EmergencyView> {
    return (await this.views(db, [await findEmergencyOr404(db, id)], audience))[0]!;
  }

  /** The views of many requests in three queries, whatever their number. */
  async views(db: DbHandle, rows: readonly repo.EmergencyRow[], audience: 'agency' | 'staff'): Promise<EmergencyView[]> {
    const ids = rows.map((e) => e.id);
    const [dets, released] = await Promise.all([repo.determinationsOfMany(db, ids), this.#disclosure.listByBases('emergency', ids, db)]);
    const now = this.#ctx.clock.now();
    return rows.map((e) => toEmergencyView(e, dets.get(e.id) ?? [], released.get(e.id) ?? [], now, audience));
  }

  /**
   * Takes `step` when the state table allows it (403 conflict of interest, 409
   * otherwise), moving the row from its state to the next one only if no one
   * moved it meanwhile; `set` is written with the new state.
   */
  async #step(tx: DbHandle, e: repo.EmergencyRow, step: EmergencyStep, actor: UserActor, set: Omit<Parameters<typeof repo.updateEmergencyIf>[3], 'state'> = {}): Promise<{ to: EmergencyState; before: EmergencyRecord }> {
    const before = await repo.recordOf(tx, e);
    const decision = decide(before, step, { id: actor.userId, agencyId: await userAgency(tx, actor.userId) });
    if ('refused' in decision) throw new HttpError(decision.refused.status, decision.refused.reason);
    if (!(await repo.updateEmergencyIf(tx, e.id, (q) => q.where('state', '=', e.state), { ...set, state: decision.to }))) throw conflict('the emergency request changed meanwhile; reload it');
    return { to: decision.to, before };
  }

  async get(actor: Actor, id: string, agencyId?: string): Promise<EmergencyView> {
    if (agencyId !== undefined) requireMember(actor, agencyId);
    else requireStaff(actor);
    const e = await findEmergencyOr404(this.#db, id, agencyId);
    return (await this.views(this.#db, [e], agencyId !== undefined ? 'agency' : 'staff'))[0]!;
  }

  async listForAgency(actor: Actor, agencyId: string): Promise<EmergencyView[]> {
    requireMember(actor, agencyId);
    return this.views(this.#db, await repo.listOfAgency(this.#db, agencyId, 200), 'agency');
  }

  async queue(actor: Actor): Promise<EmergencyView[]> {
    requireStaff(actor);
    return this.views(this.#db, await repo.listUnderReview(this.#db, 500), 'staff');
  }

  async queueItems(actor: Actor) {
    return (await this.queue(actor)).map((e) => ({ kind: 'emergency', id: e.id, agencyId: e.agencyId, summary: e.nature.slice(0, 120), createdAt: e.createdAt, ageMs: e.ageMs }));
  }

  async evidence(actor: Actor, id: string, agencyId: string) {
    requireMember(actor, agencyId);
    await findEmergencyOr404(this.#db, id, agencyId);
    return this.#disclosure.evidenceFor('emergency', id);
  }

  /**
   * The evidence package (disclosure/evidence-package.ts) of what this
   * emergency released to its agency. 404 to anyone but the agency's members,
   * and until clips were actually released to it.
   */
  async evidenceZip(actor: Actor, agencyId: string, id: string): Promise<{ filename: string; body: Readable }> {
    requireMember(actor, agencyId);
    const e = await findEmergencyOr404(this.#db, id, agencyId);
    const records = (await this.#disclosure.evidenceRecordsFor('emergency', e.id)).filter((r) => r.row.recipient === e.agency_id);
    if (records.length === 0) throw notFound('no clips have been released for this emergency request');
    return evidencePackage(this.#ctx, this.#disclosure, actor, {
      kind: 'emergency',
      subject: { id: e.id, agencyId: e.agency_id, nature: e.nature, decidedAt: iso(e.decided_at), disclosedAt: iso(e.disclosed_at) },
      groups: [{ folder: 'clips', label: {}, items: records.map(toPackageItem) }],
      filename: `evidence-emergency-${e.id}.zip`,
    });
  }

  #reviewer(actor: Actor): UserActor {
    return requireStaff(actor);
  }

  /** Reviewer 1 records the callback: the number dialled, when, and whether the requester was confirmed. */
  async recordCallback(actor: Actor, id: string, input: { numberDialled: string; calledAt: string; confirmed: boolean; notes?: string }): Promise<EmergencyView> {
    const staff = this.#reviewer(actor);
    const phone = checkPhone(input.numberDialled, 'numberDialled');
    if ('field' in phone) refuse([phone]);
    const calledAt = Date.parse(input.calledAt);
    const now = this.#ctx.clock.now();
    if (!Number.isFinite(calledAt) || calledAt > now + 5 * 60_000) refuse([{ field: 'calledAt', message: 'must be a time, not in the future' }]);
    const notes = input.notes === undefined ? null : checkText(input.notes, 'notes', LIMITS.textMax);
    if (notes && 'field' in notes) refuse([notes]);
    return this.#db.transaction().execute(async (tx) => {
      const e = await findEmergencyOr404(tx, id);
      await this.#step(tx, e, 'callback', staff, { callback_by: staff.userId, callback_number: phone.value, callback_at: calledAt, callback_confirmed: input.confirmed ? 1 : 0 });
      await recordAudit(tx, { actorId: staff.userId, action: 'emergency.callback', subjectKind: 'emergency', subjectId: id, reason: notes?.value ?? (input.confirmed ? 'requester confirmed' : 'requester not confirmed'), details: { numberDialled: phone.value, calledAt: new Date(calledAt).toISOString(), confirmed: input.confirmed, numberOnForm: e.callback_phone } }, now);
      return this.view(tx, id, 'staff');
    });
  }

  /** A good-faith determination with reasons. The second approval releases, in the same transaction. */
  async determine(actor: Actor, id: string, input: { decision: 'approve' | 'deny'; reasons: string }): Promise<EmergencyView> {
    const staff = this.#reviewer(actor);
    const reasons = checkText(input.reasons, 'reasons', LIMITS.textMax);
    if ('field' in reasons) refuse([reasons]);
    const now = this.#ctx.clock.now();
    return this.#db.transaction().execute(async (tx) => {
      const e = await findEmergencyOr404(tx, id);
      const { to, before } = await this.#step(tx, e, input.decision, staff);
      const order = before.determinedBy.length + 1;
      const decidedAt = to === 'approved' || to === 'denied' ? now : null;
      if (decidedAt !== null) {
        await repo.updateEmergencyIf(tx, id, (q) => q, { decided_at: decidedAt });
        await this.#disclosure.log.event(tx, {
          basis: 'decision', agency: e.agency_id, ref: id, reviewers: [...before.determinedBy, staff.userId], demand: 'emergency', outcome: to === 'approved' ? 'approved' : 'rejected',
        });
      }
      try {
        await repo.insertDetermination(tx, { id: newId(), emergency_id: id, reviewer_id: staff.userId, decision: input.decision, reasons: reasons.value, created_at: now });
      } catch (err) {
        // The same reviewer's concurrent request got in first (unique index emergency_determinations_once).
        if (isUniqueViolation(err)) throw conflict('this reviewer has already recorded a determination; the second must come from a different reviewer');
        throw err;
      }
      await recordAudit(tx, { actorId: staff.userId, action: `emergency.${input.decision}`, subjectKind: 'emergency', subjectId: id, reason: reasons.value, details: { order } }, now);
      if (to === 'approved') await releaseEmergency({ ctx: this.#ctx, disclosure: this.#disclosure, notices: this.#notices }, tx, staff, { ...e, state: to, decided_at: now });
      return this.view(tx, id, 'staff');
    });
  }

  /** The agency marks the emergency resolved: owners are told now (unless a court-ordered date is later). */
  async resolve(actor: Actor, agencyId: string, id: string): Promise<EmergencyView> {
    const member = requireMember(actor, agencyId);
    const now = this.#ctx.clock.now();
    await this.#db.transaction().execute(async (tx) => {
      const e = await findEmergencyOr404(tx, id, agencyId);
      // Only a disclosed emergency can end (states.ts): resolving a pending one
      // would leave its second approval unable to release.
      await this.#step(tx, e, 'resolve', member, { resolved_at: now });
      if (e.disclosed_at !== null) await this.#notices.reschedule(tx, 'emergency', id, noticeDue(Number(e.disclosed_at), now, e.notice_delay_until === null ? null : Number(e.notice_delay_until)));
    });
    await this.#notices.sendDue();
    return this.view(this.#db, id, 'agency');
  }

  /** Links follow-up legal process: an approved warrant of the same agency whose scope covers the emergency's. */
  async linkFollowUp(actor: Actor, agencyId: string, id: string, demandId: string): Promise<EmergencyView> {
    requireMember(actor, agencyId);
    return this.#db.transaction().execute(async (tx) => {
      const e = await findEmergencyOr404(tx, id, agencyId);
      if (statusOf(e.state) !== 'approved') throw conflict('only an approved emergency needs follow-up legal process');
      if (e.follow_up_demand_id !== null) throw conflict('follow-up legal process is already linked');
      const d = await findDemand(tx, demandId);
      const fail = (m: string) => refuse([{ field: 'demandId', message: m }]);
      if (!d || d.agency_id !== agencyId) fail('no such legal demand of this agency');
      else if (d.type !== 'search_warrant') fail('follow-up legal process is a search warrant');
      else if (d.status !== 'approved') fail('the warrant is not approved');
      else if (!scopeWithin(parseScope(e.scope), parseScope(d.scope))) fail("the warrant's scope does not cover the emergency's cameras and window");
      await repo.updateEmergencyIf(tx, id, (q) => q.where('follow_up_demand_id', 'is', null), { follow_up_demand_id: demandId });
      // Public, so the report can count emergencies that were followed by legal process (issue 13).
      await this.#disclosure.log.event(tx, { basis: 'follow_up', agency: agencyId, ref: id, reviewers: [], demand: 'warrant' });
      return this.view(tx, id, 'agency');
    });
  }

  /** Day 7 without follow-up: a `no_follow_up` entry in the log, and the flag. Returns how many were flagged. */
  async flagMissingFollowUps(): Promise<number> {
    const now = this.#ctx.clock.now();
    let n = 0;
    for (const e of await repo.overdueFollowUps(this.#db, now - EMERGENCY.followUpMs, 200)) {
      await this.#db.transaction().execute(async (tx) => {
        if (!(await repo.updateEmergencyIf(tx, e.id, (q) => q.where('no_follow_up_at', 'is', null).where('follow_up_demand_id', 'is', null), { no_follow_up_at: now }))) return;
        const released = await this.#disclosure.listByBasis('emergency', e.id, tx);
        const approvers = await repo.approversOf(tx, e.id);
        const clips = await repo.logFactsOfClips(tx, released.map((r) => r.clipId));
        await this.#disclosure.log.appendMany(tx, { basis: 'no_follow_up', agency: e.agency_id, ref: e.id, reviewers: approvers, clips });
        n++;
      });
    }
    return n;
  }
}

/** The words of an owner's notice about an emergency disclosure (disclosure/notices.ts). */
export async function describeEmergencyNotice(db: DbHandle, id: string) {
  const e = await findEmergencyOr404(db, id);
  const agency = await agencyName(db, e.agency_id);
  const text = `On ${new Date(Number(e.decided_at)).toISOString()} two Porchlight reviewers each found in good faith that an emergency involving imminent danger of death or serious physical injury justified releasing footage without a warrant to ${agency ?? `agency ${e.agency_id}`}. Clips of yours recorded within the request's cameras and window were released to that agency as recorded. The agency must follow up with legal process within 7 days; the public log shows whether it did. Your disclosure receipts list the entries.`;
  const disclosed = e.disclosed_at === null ? null : Number(e.disclosed_at);
  const courtUntil = e.notice_delay_until === null ? null : Number(e.notice_delay_until);
  const due = disclosed === null ? null : noticeDue(disclosed, e.resolved_at === null ? null : Number(e.resolved_at), courtUntil);
  const timeline: NoticeTimeline = {
    receivedAt: new Date(Number(e.created_at)).toISOString(), reviewedAt: e.decided_at === null ? null : new Date(Number(e.decided_at)).toISOString(),
    reviewers: (await repo.approversOf(db, e.id)).length, releasedAt: disclosed === null ? null : new Date(disclosed).toISOString(),
    // Emergency notice always waits for resolution or 72 h; a court order may push it further.
    delay: due === null || disclosed === null || due <= disclosed ? null
      : { kind: courtUntil !== null && courtUntil >= due ? 'court_order' : 'emergency_policy', until: new Date(due).toISOString() },
  };
  return { subject: 'Notice: an emergency disclosure of your footage', text, payload: { emergencyId: e.id, agencyId: e.agency_id }, timeline };
}
