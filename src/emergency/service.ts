// Emergency requests (issue 6 §2; PRODUCT.md E): the form, reviewer 1's
// callback and determination, reviewer 2's independent determination, release
// of only the in-scope clips to only the requesting agency through the
// disclosure door on the emergency basis, owner notice (at resolution or 72 h
// after disclosure, or a court-ordered later date), and follow-up legal process
// within 7 days, else a `no_follow_up` log entry and a flag.
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import type { MultiPolygon, Polygon } from 'geojson';
import type { FastifyRequest } from 'fastify';
import type { Actor, UserActor } from '../platform/access.ts';
import type { AppContext } from '../platform/context.ts';
import { requirePorts } from '../platform/ports.ts';
import type { DbHandle } from '../platform/db/db.ts';
import { newId } from '../platform/crypto.ts';
import { isUniqueViolation } from '../platform/db/errors.ts';
import { HttpError, badRequest, conflict, notFound } from '../platform/http/errors.ts';
import { HOUR } from '../platform/clock.ts';
import type { DisclosureService } from '../disclosure/service.ts';
import type { EmergencyBasis } from '../disclosure/policy.ts';
import { recordAudit } from '../platform/audit.ts';
import type { DocumentStore } from '../legal/documents.ts';
import type { Notices } from '../legal/notices.ts';
import { LIMITS, checkScope, checkText, parseIsoTime, parseScope, scopeWithin, type FieldProblem, type ScopeInput } from '../legal/policy.ts';
import { camerasInScope, findDemand, userAgency } from '../legal/repository.ts';
import { conflictRefusal, type RequestParties } from '../disclosure/conflict.ts';
import { requireMember, requireStaff } from '../legal/service.ts';
import { EMERGENCY, checkPhone, determinationRefusal, noticeDelayProblem, noticeDue, outcomeAfter } from './policy.ts';
import { releaseEmergency } from './release.ts';
import * as repo from './repository.ts';
import { toEmergencyView, type EmergencyView } from './view.ts';

export interface EmergencyInput {
  officerName: string;
  callbackPhone?: string;
  nature: string;
  imminentDanger: string;
  whyNoProcess: string;
  scope: ScopeInput;
}

/** An agency's jurisdiction (GeoJSON), or null when the agency is unknown. */
/** Where agencies' jurisdictions come from (the agencies capability); null for an unverified agency. */
export type JurisdictionSource = (db: DbHandle, agencyId: string) => Promise<Polygon | MultiPolygon | null>;

/** The audit action of an agency's request to delay notice; its details hold the requested date. */
const DELAY_REQUESTED = 'emergency.notice_delay_requested';

/** 403 when the staff member has a conflict of interest (disclosure/conflict.ts); their agency is read fresh. */
async function refuseConflicted(db: DbHandle, staff: UserActor, parties: RequestParties, what: string): Promise<void> {
  const refusal = conflictRefusal(parties, { id: staff.userId, agencyId: await userAgency(db, staff.userId) }, what, 'requesting');
  if (refusal) throw new HttpError(403, refusal);
}

function refuse(problems: FieldProblem[]): never {
  const errors = problems.map((p) => ({ field: `body.${p.field}`, message: p.message }));
  throw badRequest(errors.map((e) => `${e.field} ${e.message}`).join('; '), errors);
}

export class EmergencyService {
  readonly #ctx: AppContext;
  readonly #disclosure: DisclosureService;
  readonly #notices: Notices;
  readonly #documents: DocumentStore;
  readonly #jurisdiction: JurisdictionSource;

  constructor(ctx: AppContext, deps: { disclosure: DisclosureService; notices: Notices; documents: DocumentStore; jurisdiction: JurisdictionSource }) {
    requirePorts('EmergencyService', deps, ['disclosure', 'notices', 'documents', 'jurisdiction']);
    this.#ctx = ctx;
    this.#jurisdiction = deps.jurisdiction;
    this.#disclosure = deps.disclosure;
    this.#notices = deps.notices;
    this.#documents = deps.documents;
    deps.disclosure.registerBasisSource('emergency', (db, ref) => this.basis(db, ref));
    deps.notices.register('emergency', (db, id) => this.#describe(db, id));
    ctx.workers.add({ name: 'emergency.follow-up', intervalMs: HOUR, run: async () => void (await this.flagMissingFollowUps()) });
  }

  get #db() {
    return this.#ctx.db.kysely;
  }

  async basis(db: DbHandle, id: string): Promise<EmergencyBasis | undefined> {
    const e = await repo.findEmergency(db, id);
    if (!e) return undefined;
    const dets = await repo.determinationsOf(db, id);
    const decided = e.status === 'approved' && e.decided_at !== null ? Number(e.decided_at) : null;
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
      status: 'pending', created_at: now, callback_by: null, callback_number: null, callback_at: null, callback_confirmed: null, decided_at: null,
      disclosed_at: null, resolved_at: null, notice_delay_until: null, notice_delay_order_key: null, notice_delay_order_wrapped_key: null,
      notice_delay_order_sha256: null, follow_up_demand_id: null, no_follow_up_at: null,
    });
    return this.#view(this.#db, id, 'agency');
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

  async #row(db: DbHandle, id: string, agencyId?: string): Promise<repo.EmergencyRow> {
    const e = await repo.findEmergency(db, id);
    if (!e || (agencyId !== undefined && e.agency_id !== agencyId)) throw notFound('no such emergency request');
    return e;
  }

  async #view(db: DbHandle, id: string, audience: 'agency' | 'staff'): Promise<EmergencyView> {
    const e = await this.#row(db, id);
    return toEmergencyView(e, await repo.determinationsOf(db, id), await this.#disclosure.listByBasis('emergency', id, db), this.#ctx.clock.now(), audience, await this.#pendingDelay(db, e));
  }

  async get(actor: Actor, id: string, agencyId?: string): Promise<EmergencyView> {
    if (agencyId !== undefined) requireMember(actor, agencyId);
    else requireStaff(actor);
    await this.#row(this.#db, id, agencyId);
    return this.#view(this.#db, id, agencyId !== undefined ? 'agency' : 'staff');
  }

  async listForAgency(actor: Actor, agencyId: string): Promise<EmergencyView[]> {
    requireMember(actor, agencyId);
    const out: EmergencyView[] = [];
    for (const e of await repo.listOfAgency(this.#db, agencyId, 200)) out.push(await this.#view(this.#db, e.id, 'agency'));
    return out;
  }

  async queue(actor: Actor): Promise<EmergencyView[]> {
    requireStaff(actor);
    const out: EmergencyView[] = [];
    for (const e of await repo.listPending(this.#db, 500)) out.push(await this.#view(this.#db, e.id, 'staff'));
    return out;
  }

  async queueItems(actor: Actor) {
    return (await this.queue(actor)).map((e) => ({ kind: 'emergency', id: e.id, agencyId: e.agencyId, summary: e.nature.slice(0, 120), createdAt: e.createdAt, ageMs: e.ageMs }));
  }

  async evidence(actor: Actor, id: string, agencyId: string) {
    requireMember(actor, agencyId);
    await this.#row(this.#db, id, agencyId);
    return this.#disclosure.evidenceFor('emergency', id);
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
      const e = await this.#row(tx, id);
      await refuseConflicted(tx, staff, await repo.partiesOf(tx, e), 'emergency request');
      if (e.status !== 'pending') throw conflict(`the emergency request is already ${e.status}`);
      if (e.callback_by !== null) throw conflict('the callback has already been recorded');
      const ok = await repo.updateEmergencyIf(tx, id, (q) => q.where('callback_by', 'is', null), { callback_by: staff.userId, callback_number: phone.value, callback_at: calledAt, callback_confirmed: input.confirmed ? 1 : 0 });
      if (!ok) throw conflict('the callback has already been recorded');
      await recordAudit(tx, { actorId: staff.userId, action: 'emergency.callback', subjectKind: 'emergency', subjectId: id, reason: notes?.value ?? (input.confirmed ? 'requester confirmed' : 'requester not confirmed'), details: { numberDialled: phone.value, calledAt: new Date(calledAt).toISOString(), confirmed: input.confirmed, numberOnForm: e.callback_phone } }, now);
      return this.#view(tx, id, 'staff');
    });
  }

  /** A good-faith determination with reasons. The second approval releases, in the same transaction. */
  async determine(actor: Actor, id: string, input: { decision: 'approve' | 'deny'; reasons: string }): Promise<EmergencyView> {
    const staff = this.#reviewer(actor);
    const reasons = checkText(input.reasons, 'reasons', LIMITS.textMax);
    if ('field' in reasons) refuse([reasons]);
    const now = this.#ctx.clock.now();
    return this.#db.transaction().execute(async (tx) => {
      const e = await this.#row(tx, id);
      const dets = await repo.determinationsOf(tx, id);
      const refusal = determinationRefusal({
        ...(await repo.partiesOf(tx, e)), status: e.status, callbackBy: e.callback_by,
        callbackConfirmed: e.callback_confirmed === null ? null : e.callback_confirmed === 1, determinations: dets.map((d) => ({ reviewerId: d.reviewer_id, decision: d.decision })),
      }, { id: staff.userId, agencyId: await userAgency(tx, staff.userId) }, input.decision);
      if (refusal) throw new HttpError(refusal.status, refusal.reason);
      try {
        await repo.insertDetermination(tx, { id: newId(), emergency_id: id, reviewer_id: staff.userId, decision: input.decision, reasons: reasons.value, created_at: now });
      } catch (err) {
        // The same reviewer's concurrent request got in first (unique index emergency_determinations_once).
        if (isUniqueViolation(err)) throw conflict('this reviewer has already recorded a determination; the second must come from a different reviewer');
        throw err;
      }
      await recordAudit(tx, { actorId: staff.userId, action: `emergency.${input.decision}`, subjectKind: 'emergency', subjectId: id, reason: reasons.value, details: { order: dets.length + 1 } }, now);
      const outcome = outcomeAfter([...dets, { decision: input.decision }]);
      if (outcome !== 'pending') {
        if (!(await repo.updateEmergencyIf(tx, id, (q) => q.where('status', '=', 'pending'), { status: outcome, decided_at: now }))) throw conflict('decided meanwhile');
        if (outcome === 'approved') await releaseEmergency({ ctx: this.#ctx, disclosure: this.#disclosure, notices: this.#notices }, tx, staff, { ...e, status: 'approved', decided_at: now });
      }
      return this.#view(tx, id, 'staff');
    });
  }

  /** The agency marks the emergency resolved: owners are told now (unless a court-ordered date is later). */
  async resolve(actor: Actor, agencyId: string, id: string): Promise<EmergencyView> {
    requireMember(actor, agencyId);
    const now = this.#ctx.clock.now();
    await this.#db.transaction().execute(async (tx) => {
      const e = await this.#row(tx, id, agencyId);
      if (e.resolved_at !== null) throw conflict('the emergency is already resolved');
      // Only a disclosed emergency can end: resolving a pending one would leave its
      // second approval unable to release (a resolved basis discloses nothing).
      if (e.status !== 'approved') throw conflict(`only an approved emergency can be resolved; this one is ${e.status}`);
      if (!(await repo.updateEmergencyIf(tx, id, (q) => q.where('resolved_at', 'is', null).where('status', '=', 'approved'), { resolved_at: now }))) throw conflict('the emergency changed meanwhile');
      if (e.disclosed_at !== null) await this.#notices.reschedule(tx, 'emergency', id, noticeDue(Number(e.disclosed_at), now, e.notice_delay_until === null ? null : Number(e.notice_delay_until)));
    });
    await this.#notices.sendDue();
    return this.#view(this.#db, id, 'agency');
  }

  /**
   * A court order delaying owner notice to a stated date, uploaded as a PDF with
   * the field "until". It is only a request: notice stays on its 72 h /
   * resolution schedule until a reviewer outside the agency approves it
   * (decideNoticeDelay). Pending, the order is stored on the emergency while
   * notice_delay_until stays null; the requested date is in the request's
   * audit row (review_audit, action "emergency.notice_delay_requested").
   */
  async delayNotice(actor: Actor, agencyId: string, id: string, req: FastifyRequest): Promise<EmergencyView> {
    const member = requireMember(actor, agencyId);
    await this.#row(this.#db, id, agencyId);
    const { fields, document } = await this.#documents.readForm(req, 'document');
    try {
      const until = parseIsoTime(fields.until);
      const now = this.#ctx.clock.now();
      const problems: FieldProblem[] = [];
      if (until === null) problems.push({ field: 'until', message: 'the date the court delayed notice to is required (ISO 8601)' });
      if (!document) problems.push({ field: 'document', message: 'the court order (PDF) is required' });
      if (problems.length || !document || until === null) refuse(problems);
      const e0 = await this.#row(this.#db, id, agencyId);
      const problem = noticeDelayProblem(until, now, e0.disclosed_at === null ? now : Number(e0.disclosed_at));
      if (problem) refuse([{ field: 'until', message: problem }]);
      const doc = await this.#documents.commit(document);
      try {
        await this.#db.transaction().execute(async (tx) => {
          const e = await this.#row(tx, id, agencyId);
          const sent = (await this.#notices.list(tx, 'emergency', id)).some((n) => n.sent_at !== null);
          if (sent) throw conflict('owners have already been told; a delay can no longer apply');
          if (e.notice_delay_until !== null) throw conflict('a court-ordered delay is already in force');
          if (e.notice_delay_order_key !== null) throw conflict('a notice delay is already waiting for a reviewer');
          const ok = await repo.updateEmergencyIf(tx, id, (q) => q.where('notice_delay_order_key', 'is', null).where('notice_delay_until', 'is', null), {
            notice_delay_order_key: doc.key, notice_delay_order_wrapped_key: doc.wrappedKey, notice_delay_order_sha256: doc.sha256,
          });
          if (!ok) throw conflict('a notice delay is already waiting for a reviewer');
          await recordAudit(tx, {
            actorId: member.userId, action: DELAY_REQUESTED, subjectKind: 'emergency', subjectId: id, reason: 'court order delaying owner notice, for review',
            details: { until: new Date(until).toISOString(), orderSha256: doc.sha256 },
          }, now);
        });
      } catch (err) {
        await this.#documents.remove(doc.key);
        throw err;
      }
      return this.#view(this.#db, id, 'agency');
    } catch (err) {
      if (document) await this.#documents.discard(document);
      throw err;
    }
  }

  /** The pending notice delay of an emergency: its requested date and when it was asked for, or null. */
  async #pendingDelay(db: DbHandle, e: repo.EmergencyRow): Promise<{ until: number; at: number } | null> {
    if (e.notice_delay_order_key === null || e.notice_delay_until !== null) return null;
    const row = await db.selectFrom('review_audit').select(['details', 'created_at'])
      .where('subject_kind', '=', 'emergency').where('subject_id', '=', e.id).where('action', '=', DELAY_REQUESTED)
      .orderBy('created_at', 'desc').orderBy('id', 'desc').executeTakeFirst();
    const until = row ? parseIsoTime((JSON.parse(row.details) as { until?: unknown }).until) : null;
    return row && until !== null ? { until, at: Number(row.created_at) } : null;
  }

  /**
   * A reviewer approves or rejects a pending notice delay, with reasons. The
   * reviewer may not have a conflict of interest (as for determinations).
   * Approval moves the owners' notices to the court's date;
   * rejection drops the order and leaves notice on its schedule.
   */
  async decideNoticeDelay(actor: Actor, id: string, input: { decision: 'approve' | 'reject'; reason: string }): Promise<EmergencyView> {
    const staff = requireStaff(actor);
    const reason = checkText(input.reason, 'reason', LIMITS.textMax);
    if ('field' in reason) refuse([reason]);
    const now = this.#ctx.clock.now();
    let dropKey: string | null = null;
    const view = await this.#db.transaction().execute(async (tx) => {
      const e = await this.#row(tx, id);
      await refuseConflicted(tx, staff, await repo.partiesOf(tx, e), 'notice delay');
      const pending = await this.#pendingDelay(tx, e);
      if (!pending || e.notice_delay_order_key === null) throw conflict('no notice delay is waiting for review');
      const guard: Parameters<typeof repo.updateEmergencyIf>[2] = (q) => q.where('notice_delay_order_key', '=', e.notice_delay_order_key!).where('notice_delay_until', 'is', null);
      if (input.decision === 'reject') {
        if (!(await repo.updateEmergencyIf(tx, id, guard, { notice_delay_order_key: null, notice_delay_order_wrapped_key: null, notice_delay_order_sha256: null }))) throw conflict('the notice delay was decided meanwhile');
        dropKey = e.notice_delay_order_key;
      } else {
        if ((await this.#notices.list(tx, 'emergency', id)).some((n) => n.sent_at !== null)) throw conflict('owners have already been told; a delay can no longer apply');
        const problem = noticeDelayProblem(pending.until, now, e.disclosed_at === null ? now : Number(e.disclosed_at));
        if (problem) throw conflict(`the requested date ${problem}`);
        if (!(await repo.updateEmergencyIf(tx, id, guard, { notice_delay_until: pending.until }))) throw conflict('the notice delay was decided meanwhile');
        if (e.disclosed_at !== null) await this.#notices.reschedule(tx, 'emergency', id, noticeDue(Number(e.disclosed_at), e.resolved_at === null ? null : Number(e.resolved_at), pending.until));
      }
      await recordAudit(tx, {
        actorId: staff.userId, action: `emergency.notice_delay_${input.decision}`, subjectKind: 'emergency', subjectId: id, reason: reason.value,
        details: { until: new Date(pending.until).toISOString(), orderSha256: e.notice_delay_order_sha256 },
      }, now);
      return this.#view(tx, id, 'staff');
    });
    if (dropKey) await this.#documents.remove(dropKey);
    return view;
  }

  /** The reviewers' queue of notice delays waiting for a decision, oldest first. */
  async noticeDelayQueueItems(actor: Actor) {
    requireStaff(actor);
    const now = this.#ctx.clock.now();
    const rows = await this.#db.selectFrom('emergency_requests').selectAll()
      .where('notice_delay_order_key', 'is not', null).where('notice_delay_until', 'is', null).orderBy('created_at').limit(500).execute();
    const items = [];
    for (const e of rows) {
      const p = await this.#pendingDelay(this.#db, e);
      if (!p) continue;
      items.push({ kind: 'emergency_notice_delay', id: e.id, agencyId: e.agency_id, summary: `court-ordered owner-notice delay to ${new Date(p.until).toISOString()}`, createdAt: new Date(p.at).toISOString(), ageMs: Math.max(0, now - p.at) });
    }
    return items;
  }

  /** The court order delaying notice, for reviewers. */
  async noticeDelayOrder(actor: Actor, id: string) {
    requireStaff(actor);
    const e = await this.#row(this.#db, id);
    if (!e.notice_delay_order_key || !e.notice_delay_order_wrapped_key) throw notFound('no court order delays this notice');
    const size = Number((await this.#documents.vault.blobs.size(e.notice_delay_order_key)) ?? 0);
    return this.#documents.openSealed({ key: e.notice_delay_order_key, wrappedKey: e.notice_delay_order_wrapped_key, sealedSize: size });
  }

  /** Links follow-up legal process: an approved warrant of the same agency whose scope covers the emergency's. */
  async linkFollowUp(actor: Actor, agencyId: string, id: string, demandId: string): Promise<EmergencyView> {
    requireMember(actor, agencyId);
    return this.#db.transaction().execute(async (tx) => {
      const e = await this.#row(tx, id, agencyId);
      if (e.status !== 'approved') throw conflict('only an approved emergency needs follow-up legal process');
      if (e.follow_up_demand_id !== null) throw conflict('follow-up legal process is already linked');
      const d = await findDemand(tx, demandId);
      const fail = (m: string) => refuse([{ field: 'demandId', message: m }]);
      if (!d || d.agency_id !== agencyId) fail('no such legal demand of this agency');
      else if (d.type !== 'search_warrant') fail('follow-up legal process is a search warrant');
      else if (d.status !== 'approved') fail('the warrant is not approved');
      else if (!scopeWithin(parseScope(e.scope), parseScope(d.scope))) fail("the warrant's scope does not cover the emergency's cameras and window");
      await repo.updateEmergencyIf(tx, id, (q) => q.where('follow_up_demand_id', 'is', null), { follow_up_demand_id: demandId });
      return this.#view(tx, id, 'agency');
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
        const approvers = (await repo.determinationsOf(tx, e.id)).filter((d) => d.decision === 'approve').map((d) => d.reviewer_id);
        const clips = await tx.selectFrom('clips').select(['id', 'owner_id', 'sha256']).where('id', 'in', released.map((r) => r.clipId)).execute();
        await this.#disclosure.log.appendMany(tx, { basis: 'no_follow_up', agency: e.agency_id, ref: e.id, reviewers: approvers, clips: clips.map((c) => ({ clipId: c.id, ownerId: c.owner_id, sha256: c.sha256 })) });
        n++;
      });
    }
    return n;
  }

  async #describe(db: DbHandle, id: string) {
    const e = await this.#row(db, id);
    const agency = await db.selectFrom('agencies').select('name').where('id', '=', e.agency_id).executeTakeFirst();
    const text = `On ${new Date(Number(e.decided_at)).toISOString()} two Porchlight reviewers each found in good faith that an emergency involving imminent danger of death or serious physical injury justified releasing footage without a warrant to ${agency?.name ?? `agency ${e.agency_id}`}. Clips of yours recorded within the request's cameras and window were released to that agency as recorded. The agency must follow up with legal process within 7 days; the public log shows whether it did. Your disclosure receipts list the entries.`;
    return { subject: 'Notice: an emergency disclosure of your footage', text, payload: { emergencyId: e.id, agencyId: e.agency_id } };
  }
}
