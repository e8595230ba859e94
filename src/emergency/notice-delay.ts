// A court-ordered delay of owner notice for an emergency disclosure (PRODUCT.md E
// "Notice"): the agency uploads the order and the date; a reviewer outside the
// agency approves or rejects it. Its own small state table is in states.ts:
// none → requested → in force, or back to none. While requested, notice keeps
// its 72 h / resolution schedule; the order is stored sealed on the request.
import type { Actor } from '../platform/access.ts';
import type { AppContext } from '../platform/context.ts';
import { requirePorts } from '../platform/ports.ts';
import { HttpError, conflict, notFound } from '../platform/http/errors.ts';
import { recordAudit } from '../platform/audit.ts';
import { conflictRefusal } from '../disclosure/conflict.ts';
import type { DocumentStore, FormUpload } from '../legal/documents.ts';
import type { Notices } from '../disclosure/notices.ts';
import { LIMITS, checkText, parseIsoTime } from '../legal/policy.ts';
import { userAgency } from '../legal/repository.ts';
import { requireMember, requireStaff } from '../platform/access.ts';
import { noticeDelayProblem, noticeDue } from './policy.ts';
import * as repo from './repository.ts';
import { findEmergencyOr404, refuse, type EmergencyService } from './service.ts';
import { noticeDelayStep, type NoticeDelayState } from './states.ts';
import type { EmergencyView } from './view.ts';
import type { FieldProblem } from '../platform/problems.ts';

/** Where a request's notice delay stands, from its columns. */
export function noticeDelayState(e: repo.EmergencyRow): NoticeDelayState {
  if (e.notice_delay_until !== null) return 'in_force';
  return e.notice_delay_requested_until !== null ? 'requested' : 'none';
}

const REFUSED: Record<NoticeDelayState, string> = {
  none: 'no notice delay is waiting for review',
  requested: 'a notice delay is already waiting for a reviewer',
  in_force: 'a court-ordered delay is already in force',
};

export class EmergencyNoticeDelays {
  readonly #ctx: AppContext;
  readonly #emergency: EmergencyService;
  readonly #notices: Notices;
  readonly #documents: DocumentStore;

  constructor(ctx: AppContext, deps: { emergency: EmergencyService; notices: Notices; documents: DocumentStore }) {
    requirePorts('EmergencyNoticeDelays', deps, ['emergency', 'notices', 'documents']);
    this.#ctx = ctx;
    this.#emergency = deps.emergency;
    this.#notices = deps.notices;
    this.#documents = deps.documents;
  }

  get #db() {
    return this.#ctx.db.kysely;
  }

  /** 409 unless the delay's state allows `step`; returns the state it moves to. */
  #move(e: repo.EmergencyRow, step: 'request' | 'approve' | 'reject'): NoticeDelayState {
    const from = noticeDelayState(e);
    const to = noticeDelayStep(from, step);
    if (to === null) throw conflict(step === 'request' ? REFUSED[from] : REFUSED.none);
    return to;
  }

  /**
   * The agency asks to delay notice to the court's date, with the order (a PDF
   * field "document" and the field "until"). `readForm` reads the multipart
   * body; it is called only after the member and the request are checked.
   */
  async request(actor: Actor, agencyId: string, id: string, readForm: () => Promise<FormUpload>): Promise<EmergencyView> {
    const member = requireMember(actor, agencyId);
    await findEmergencyOr404(this.#db, id, agencyId);
    const { fields, document } = await readForm();
    try {
      const until = parseIsoTime(fields.until);
      const now = this.#ctx.clock.now();
      const problems: FieldProblem[] = [];
      if (until === null) problems.push({ field: 'until', message: 'the date the court delayed notice to is required (ISO 8601)' });
      if (!document) problems.push({ field: 'document', message: 'the court order (PDF) is required' });
      if (problems.length || !document || until === null) refuse(problems);
      const e0 = await findEmergencyOr404(this.#db, id, agencyId);
      const problem = noticeDelayProblem(until, now, e0.disclosed_at === null ? now : Number(e0.disclosed_at));
      if (problem) refuse([{ field: 'until', message: problem }]);
      const doc = await this.#documents.commit(document);
      try {
        await this.#db.transaction().execute(async (tx) => {
          const e = await findEmergencyOr404(tx, id, agencyId);
          if ((await this.#notices.list(tx, 'emergency', id)).some((n) => n.sent_at !== null)) throw conflict('owners have already been told; a delay can no longer apply');
          this.#move(e, 'request');
          const ok = await repo.updateEmergencyIf(tx, id, (q) => q.where('notice_delay_requested_until', 'is', null).where('notice_delay_until', 'is', null), {
            notice_delay_order_key: doc.key, notice_delay_order_wrapped_key: doc.wrappedKey, notice_delay_order_sha256: doc.sha256,
            notice_delay_requested_until: until, notice_delay_requested_at: now,
          });
          if (!ok) throw conflict(REFUSED.requested);
          await recordAudit(tx, {
            actorId: member.userId, action: 'emergency.notice_delay_requested', subjectKind: 'emergency', subjectId: id, reason: 'court order delaying owner notice, for review',
            details: { until: new Date(until).toISOString(), orderSha256: doc.sha256 },
          }, now);
        });
      } catch (err) {
        await this.#documents.remove(doc.key);
        throw err;
      }
      return this.#emergency.view(this.#db, id, 'agency');
    } catch (err) {
      if (document) await this.#documents.discard(document);
      throw err;
    }
  }

  /**
   * A reviewer without a conflict of interest approves or rejects a requested
   * delay, with reasons. Approval moves the owners' notices to the court's date;
   * rejection drops the order and leaves notice on its schedule.
   */
  async decide(actor: Actor, id: string, input: { decision: 'approve' | 'reject'; reason: string }): Promise<EmergencyView> {
    const staff = requireStaff(actor);
    const reason = checkText(input.reason, 'reason', LIMITS.textMax);
    if ('field' in reason) refuse([reason]);
    const now = this.#ctx.clock.now();
    let dropKey: string | null = null;
    const view = await this.#db.transaction().execute(async (tx) => {
      const e = await findEmergencyOr404(tx, id);
      const conflicted = conflictRefusal(await repo.partiesOf(tx, e), { id: staff.userId, agencyId: await userAgency(tx, staff.userId) }, 'notice delay', 'requesting');
      if (conflicted) throw new HttpError(403, conflicted);
      this.#move(e, input.decision);
      const until = Number(e.notice_delay_requested_until);
      const guard: Parameters<typeof repo.updateEmergencyIf>[2] = (q) => q.where('notice_delay_requested_at', '=', e.notice_delay_requested_at).where('notice_delay_until', 'is', null);
      const cleared = { notice_delay_requested_until: null, notice_delay_requested_at: null };
      if (input.decision === 'reject') {
        if (!(await repo.updateEmergencyIf(tx, id, guard, { ...cleared, notice_delay_order_key: null, notice_delay_order_wrapped_key: null, notice_delay_order_sha256: null }))) throw conflict('the notice delay was decided meanwhile');
        dropKey = e.notice_delay_order_key;
      } else {
        if ((await this.#notices.list(tx, 'emergency', id)).some((n) => n.sent_at !== null)) throw conflict('owners have already been told; a delay can no longer apply');
        const problem = noticeDelayProblem(until, now, e.disclosed_at === null ? now : Number(e.disclosed_at));
        if (problem) throw conflict(`the requested date ${problem}`);
        if (!(await repo.updateEmergencyIf(tx, id, guard, { ...cleared, notice_delay_until: until }))) throw conflict('the notice delay was decided meanwhile');
        if (e.disclosed_at !== null) await this.#notices.reschedule(tx, 'emergency', id, noticeDue(Number(e.disclosed_at), e.resolved_at === null ? null : Number(e.resolved_at), until));
      }
      await recordAudit(tx, {
        actorId: staff.userId, action: `emergency.notice_delay_${input.decision}`, subjectKind: 'emergency', subjectId: id, reason: reason.value,
        details: { until: new Date(until).toISOString(), orderSha256: e.notice_delay_order_sha256 },
      }, now);
      return this.#emergency.view(tx, id, 'staff');
    });
    if (dropKey) await this.#documents.remove(dropKey);
    return view;
  }

  /** The reviewers' queue of notice delays waiting for a decision, oldest first. */
  async queueItems(actor: Actor) {
    requireStaff(actor);
    const now = this.#ctx.clock.now();
    return (await repo.listDelaysRequested(this.#db, 500)).map((e) => {
      const at = Number(e.notice_delay_requested_at);
      return {
        kind: 'emergency_notice_delay', id: e.id, agencyId: e.agency_id, summary: `court-ordered owner-notice delay to ${new Date(Number(e.notice_delay_requested_until)).toISOString()}`,
        createdAt: new Date(at).toISOString(), ageMs: Math.max(0, now - at),
      };
    });
  }

  /** The court order delaying notice, for reviewers. */
  async order(actor: Actor, id: string) {
    requireStaff(actor);
    const e = await findEmergencyOr404(this.#db, id);
    if (!e.notice_delay_order_key || !e.notice_delay_order_wrapped_key) throw notFound('no court order delays this notice');
    const size = Number((await this.#documents.vault.blobs.size(e.notice_delay_order_key)) ?? 0);
    return this.#documents.openSealed({ key: e.notice_delay_order_key, wrappedKey: e.notice_delay_order_wrapped_key, sealedSize: size });
  }
}
