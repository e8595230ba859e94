// Community-request use cases for agencies, reviewers and the public:
// creation with every limit, review, fan-out through the outbox in the
// approval's own transaction, reminders, closing and public posts.
import type { UserActor } from '../platform/access.ts';
import type { AppContext } from '../platform/context.ts';
import { DAY } from '../platform/clock.ts';
import { newId } from '../platform/crypto.ts';
import { HttpError, badRequest, conflict, notFound } from '../platform/http/errors.ts';
import { enqueueMany, type OutboxMessage } from '../platform/outbox/outbox.ts';
import type { Area } from '../agencies/geo.ts';
import { isMemberOf } from '../agencies/policy.ts';
import { findAgency, type AgencyRow } from '../agencies/repository.ts';
import { REQUEST_LIMITS, checkRequest, lifecycleOf, reminderDue, type RequestInput, type ReviewReason } from './policy.ts';
import * as repo from './repository.ts';
import { targetOwners } from './targeting.ts';
import { toAgencyView, toPublicPost, type AgencyRequestView, type PublicRequestPost, type ReviewerRequestView } from './views.ts';
import type { Polygon } from 'geojson';
import { recordAudit } from '../platform/audit.ts';
import { requirePorts } from '../platform/ports.ts';
import type { LogWriter } from '../disclosure/log.ts';

export const REMINDER_WORKER = 'requests.reminders';

const when = (t: number) => new Date(t).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

export class RequestsService {
  readonly #ctx: AppContext;

  readonly #log: LogWriter;

  constructor(ctx: AppContext, deps: { log: LogWriter }) {
    requirePorts('RequestsService', deps, ['log']);
    this.#ctx = ctx;
    this.#log = deps.log;
    ctx.workers.add({ name: REMINDER_WORKER, intervalMs: 10 * 60_000, run: async () => void (await this.sendReminders()) });
  }

  get #db() {
    return this.#ctx.db.kysely;
  }

  #now(): number {
    return this.#ctx.clock.now();
  }

  /** The actor's own verified agency; another agency's id answers 404 as if absent. */
  async #ownAgency(actor: UserActor, agencyId: string): Promise<AgencyRow> {
    const agency = isMemberOf(actor, agencyId) ? await findAgency(this.#db, agencyId) : undefined;
    if (!agency || agency.verified_at === null) throw notFound('no such agency');
    return agency;
  }

  async #ownRequest(actor: UserActor, agencyId: string, id: string): Promise<repo.RequestRow> {
    await this.#ownAgency(actor, agencyId);
    const r = await repo.findRequest(this.#db, id);
    if (!r || r.agency_id !== agencyId) throw notFound('no such request');
    return r;
  }

  async create(actor: UserActor, agencyId: string, input: RequestInput): Promise<AgencyRequestView> {
    const agency = await this.#ownAgency(actor, agencyId);
    const now = this.#now();
    const checked = checkRequest(input, JSON.parse(agency.jurisdiction) as Area, now);
    if ('problems' in checked) throw badRequest(checked.problems.map((p) => `${p.field} ${p.message}`).join('; '), checked.problems);
    const c = checked.value;
    const row: repo.RequestRow = {
      id: newId(), agency_id: agencyId, created_by: actor.userId, case_number: c.caseNumber, incident_type: c.incidentType,
      description: c.description, investigator_contact: c.investigatorContact, area: JSON.stringify(c.area), area_m2: c.areaM2,
      min_lat: c.bbox.minLat, max_lat: c.bbox.maxLat, min_lon: c.bbox.minLon, max_lon: c.bbox.maxLon,
      window_start: c.windowStart, window_end: c.windowEnd, status: 'pending', reviewed_by: null, reviewed_at: null,
      review_reason: null, review_note: null, sent_at: null, expires_at: null, closed_at: null, resolved_at: null, created_at: now,
    };
    const limit = this.#ctx.config.REQUESTS_PER_DAY;
    await this.#db.transaction().execute(async (tx) => {
      // The agency row lock makes the count and the insert one step for concurrent members.
      await repo.lockRow(tx, this.#ctx.db.engine, 'agencies', agencyId);
      if ((await repo.countCreatedSince(tx, agencyId, now - DAY)) >= limit) {
        throw new HttpError(429, `an agency may create at most ${limit} requests in 24 hours`, { headers: { 'retry-after': '3600' } });
      }
      await repo.insertRequest(tx, row);
    });
    return toAgencyView(row, now);
  }

  /** How many requests the agency may still create in the rolling 24 hours the limit counts (issue 19: shown before the form). */
  async quota(actor: UserActor, agencyId: string): Promise<{ limit: number; used: number; left: number }> {
    await this.#ownAgency(actor, agencyId);
    const limit = this.#ctx.config.REQUESTS_PER_DAY;
    const used = await repo.countCreatedSince(this.#db, agencyId, this.#now() - DAY);
    return { limit, used, left: Math.max(0, limit - used) };
  }

  async listForAgency(actor: UserActor, agencyId: string): Promise<AgencyRequestView[]> {
    await this.#ownAgency(actor, agencyId);
    const now = this.#now();
    return (await repo.listByAgency(this.#db, agencyId)).map((r) => toAgencyView(r, now));
  }

  async getForAgency(actor: UserActor, agencyId: string, id: string): Promise<AgencyRequestView> {
    return toAgencyView(await this.#ownRequest(actor, agencyId, id), this.#now());
  }

  /** The agency stops a request early; `resolved` also marks its public post resolved. The post itself stays. */
  async close(actor: UserActor, agencyId: string, id: string, opts: { resolved: boolean }): Promise<AgencyRequestView> {
    const r = await this.#ownRequest(actor, agencyId, id);
    if (r.status === 'pending' || r.status === 'rejected') throw conflict('only an approved request can be closed');
    const now = this.#now();
    const patch: Parameters<typeof repo.updateRequest>[2] = {};
    if (r.closed_at === null && lifecycleOf(r, now) === 'open') Object.assign(patch, { status: 'closed', closed_at: now });
    if (opts.resolved && r.resolved_at === null) patch.resolved_at = now;
    if (Object.keys(patch).length) await repo.updateRequest(this.#db, id, patch);
    return toAgencyView((await repo.findRequest(this.#db, id))!, now);
  }

  // Review

  async #reviewerView(r: repo.RequestRow, withReach = false): Promise<ReviewerRequestView> {
    const a = await findAgency(this.#db, r.agency_id);
    const type = a?.type ?? 'other_public_safety';
    // The same targeting an approval runs, so the figure is what approving would do now.
    const reach = withReach && r.status === 'pending' ? (await targetOwners(this.#ctx.db, this.#db, JSON.parse(r.area) as Polygon, type)).length : null;
    return {
      ...toAgencyView(r, this.#now()), agency: { id: r.agency_id, name: a?.name ?? '', type },
      createdBy: r.created_by, reviewedBy: r.reviewed_by, areaSqMi: Math.round((r.area_m2 / 2_589_988.110336) * 1000) / 1000, reach,
    };
  }

  async reviewList(status: 'pending' | 'reviewed'): Promise<ReviewerRequestView[]> {
    const rows = await repo.listByStatus(this.#db, status === 'pending' ? ['pending'] : ['approved', 'rejected', 'closed']);
    return Promise.all(rows.map((r) => this.#reviewerView(r)));
  }

  async reviewGet(id: string): Promise<ReviewerRequestView> {
    const r = await repo.findRequest(this.#db, id);
    if (!r) throw notFound('no such request');
    return this.#reviewerView(r, true);
  }

  /**
   * Approve or reject. Approval targets the owners, writes their inbox items
   * and every outbox message in the same transaction as the status change: a
   * crash either loses the approval entirely or delivers all of it.
   */
  async decide(actor: UserActor, id: string, input: { decision: 'approve' | 'reject'; reason?: ReviewReason; note?: string }): Promise<ReviewerRequestView> {
    if (input.decision === 'reject' && !input.reason) throw badRequest('a rejection needs a reason from the list', [{ field: 'body.reason', message: 'is required to reject' }]);
    const now = this.#now();
    const db = this.#ctx.db;
    await db.kysely.transaction().execute(async (tx) => {
      await repo.lockRow(tx, db.engine, 'community_requests', id);
      const r = await repo.findRequest(tx, id);
      if (!r) throw notFound('no such request');
      if (r.status !== 'pending') throw conflict(`the request was already ${r.status === 'rejected' ? 'rejected' : 'approved'}`);
      const base = { reviewed_by: actor.userId, reviewed_at: now, review_reason: input.reason ?? null, review_note: input.note?.trim() || null };
      await recordAudit(tx, {
        actorId: actor.userId, action: input.decision, subjectKind: 'community_request', subjectId: id,
        reason: [base.review_reason, base.review_note].filter(Boolean).join(': '), details: { agencyId: r.agency_id },
      }, now);
      const agency = (await findAgency(tx, r.agency_id))!;
      const toAgency: OutboxMessage = {
        channel: 'inapp', userId: r.created_by, kind: 'request.reviewed',
        payload: { requestId: id, decision: input.decision === 'approve' ? 'approved' : 'rejected', reason: base.review_reason },
      };
      if (input.decision === 'reject') {
        await repo.updateRequest(tx, id, { ...base, status: 'rejected' }, 'pending');
        await enqueueMany(tx, [toAgency], now);
        return;
      }
      await repo.updateRequest(tx, id, { ...base, status: 'approved', sent_at: now, expires_at: now + REQUEST_LIMITS.lifetimeMs }, 'pending');
      const owners = await targetOwners(db, tx, JSON.parse(r.area) as Polygon, agency.type);
      await repo.insertRecipients(tx, id, owners, now);
      // How many homes a request reached is public (issue 13); who they are never is.
      await this.#log.event(tx, { basis: 'request_sent', agency: r.agency_id, ref: id, reviewers: [actor.userId], incident: r.incident_type, count: owners.length });
      const messages: OutboxMessage[] = [toAgency];
      const pushable = await repo.withPushSubscriptions(tx, owners);
      for (const userId of owners) messages.push(...this.#ownerMessages(userId, r, agency, 'request.new', undefined, pushable.has(userId)));
      await enqueueMany(tx, messages, now);
    });
    return this.reviewGet(id);
  }

  #ownerMessages(userId: string, r: { id: string; incident_type: string; window_start: number; window_end: number }, agency: { name: string }, kind: 'request.new' | 'request.reminder', reminder?: 24 | 72, push = false): OutboxMessage[] {
    const link = `${this.#ctx.config.PUBLIC_URL}/requests/${r.id}`;
    const what = `${agency.name} asks for footage of a ${r.incident_type.replace(/_/g, ' ')} between ${when(Number(r.window_start))} and ${when(Number(r.window_end))}.`;
    const subject = reminder ? `Reminder: ${agency.name} asks for camera footage` : `${agency.name} asks neighbours for camera footage`;
    const text = [
      what,
      'One or more of your cameras is inside the area. Open the request to see which of your clips fall in the window; you may share some, all or none.',
      'The agency never learns who declined or did not answer.',
      `Open it: ${link}`,
    ].join('\n\n') + '\n';
    const payload = { requestId: r.id, agencyName: agency.name, incidentType: r.incident_type, reminder: reminder ?? null };
    const out: OutboxMessage[] = [
      { channel: 'inapp', userId, kind, payload },
      { channel: 'email', userId, kind, payload: { ...payload, subject, text } },
    ];
    // Web push only for owners with a subscribed browser: no dead rows for everyone else.
    if (push) out.push({ channel: 'push', userId, kind, payload: { ...payload, title: subject, body: what, url: link } });
    return out;
  }

  /** Reminders at 24 h and 72 h after sending, to owners who have not answered an open request. */
  async sendReminders(): Promise<number> {
    const now = this.#now();
    let sent = 0;
    for (;;) {
      // Claimed in the transaction that records them: two nodes never remind one owner twice.
      const { due, batch } = await this.#db.transaction().execute(async (tx) => {
        const due = await repo.remindable(tx, now, REQUEST_LIMITS.reminders[0], 1000, this.#ctx.db.engine === 'postgres');
        const batch = due.map((d) => ({ d, which: reminderDue(Number(d.sent_at), now, { r24: d.reminded_24_at !== null, r72: d.reminded_72_at !== null }) })).filter((x) => x.which !== null);
        if (batch.length === 0) return { due, batch };
        const messages: OutboxMessage[] = [];
        const pushable = await repo.withPushSubscriptions(tx, batch.map((x) => x.d.owner_id));
        for (const { d, which } of batch) {
          await repo.updateRecipient(tx, d.request_id, d.owner_id, which === 72 ? { reminded_72_at: now, reminded_24_at: d.reminded_24_at ?? now } : { reminded_24_at: now });
          messages.push(...this.#ownerMessages(d.owner_id, { id: d.request_id, incident_type: d.incident_type, window_start: d.window_start, window_end: d.window_end }, { name: d.agency_name }, 'request.reminder', which!, pushable.has(d.owner_id)));
        }
        await enqueueMany(tx, messages, now);
        return { due, batch };
      });
      if (batch.length === 0) return sent;
      sent += batch.length;
      if (due.length < 1000) return sent;
    }
  }

  // Public posts: every approved request, forever (closed, expired and resolved ones too).

  async publicList(): Promise<PublicRequestPost[]> {
    const rows = await repo.listByStatus(this.#db, ['approved', 'closed']);
    const agencies = new Map<string, AgencyRow | undefined>();
    const now = this.#now();
    const out: PublicRequestPost[] = [];
    for (const r of rows) {
      if (!agencies.has(r.agency_id)) agencies.set(r.agency_id, await findAgency(this.#db, r.agency_id));
      const a = agencies.get(r.agency_id)!;
      out.push(toPublicPost(r, { id: a.id, name: a.name, type: a.type }, now));
    }
    return out;
  }

  async publicGet(id: string): Promise<PublicRequestPost> {
    const r = await repo.findRequest(this.#db, id);
    if (!r || (r.status !== 'approved' && r.status !== 'closed')) throw notFound('no such request post');
    const a = (await findAgency(this.#db, r.agency_id))!;
    return toPublicPost(r, { id: a.id, name: a.name, type: a.type }, this.#now());
  }
}

/** Pending requests for the review console's queue (same shape as legal's QueueItem). */
export async function pendingQueueItems(requests: RequestsService, now: number) {
  const rows = await requests.reviewList('pending');
  return rows.map((r) => ({
    kind: 'community_request', id: r.id, agencyId: r.agencyId,
    summary: `${r.agency.name}: ${r.incidentType.replace(/_/g, ' ')}, case ${r.caseNumber}`,
    createdAt: r.createdAt, ageMs: Math.max(0, now - Date.parse(r.createdAt)),
  }));
}
