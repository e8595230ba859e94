// Legal demands (issue 6 §1; PRODUCT.md D): intake as multipart with a real
// PDF, refusal of overbroad scopes at intake, review (approve, narrow, reject)
// with written reasons, and what each approved type releases (release.ts).
import { requireMember, requireStaff, type Actor, type UserActor } from '../platform/access.ts';
import type { AppContext } from '../platform/context.ts';
import { requirePorts } from '../platform/ports.ts';
import type { DbHandle } from '../platform/db/db.ts';
import { newId } from '../platform/crypto.ts';
import { HttpError, badRequest, conflict, forbidden, notFound } from '../platform/http/errors.ts';
import type { ClipsService } from '../clips/service.ts';
import type { Readable } from 'node:stream';
import type { DisclosureService } from '../disclosure/service.ts';
import { evidencePackage, toPackageItem } from '../disclosure/evidence-package.ts';
import { E2EE_REFUSAL, type Scope, type WarrantBasis } from '../disclosure/policy.ts';
import { recordAudit } from '../platform/audit.ts';
import { conflictRefusal } from '../disclosure/conflict.ts';
import type { DocumentStore, FormUpload } from './documents.ts';
import type { NoticeTimeline, Notices } from '../disclosure/notices.ts';
import { DEMAND_TYPES, LIMITS, checkScope, checkText, narrowingProblem, parseScope, scopeView, type DemandType, type ScopeInput } from './policy.ts';
import { extendHolds, placeHolds, releaseRecords, releaseWarrant, type Records, type ReleaseDeps } from './release.ts';
import * as repo from './repository.ts';
import { agencyName } from '../disclosure/repository.ts';
import { ScopeInput as ScopeInputSchema, schemaProblems } from './schemas.ts';
import type { FieldProblem } from '../platform/problems.ts';
import type { DemandKind, Outcome } from '../ledger/entry.ts';

export interface ReviewInput {
  decision: 'approve' | 'narrow' | 'reject';
  reason: string;
  scope?: ScopeInput;
}

const iso = (t: number | null) => (t === null ? null : new Date(Number(t)).toISOString());

export function toDemandView(r: repo.DemandRow, now: number) {
  return {
    id: r.id, agencyId: r.agency_id, type: r.type, status: r.status, issuingAuthority: r.issuing_authority, caseNumber: r.case_number,
    nondisclosureUntil: iso(r.nondisclosure_until),
    scopeRequested: scopeView(parseScope(r.scope_requested)), scope: scopeView(parseScope(r.scope)),
    document: { sha256: r.document_sha256, size: Number(r.document_size) },
    createdAt: iso(r.created_at)!, ageMs: Math.max(0, now - Number(r.created_at)),
    review: r.reviewed_at === null ? null : { decision: r.review_decision!, reason: r.review_reason!, reviewerId: r.reviewed_by!, at: iso(r.reviewed_at)! },
    hold: r.hold_until === null ? null : { until: iso(r.hold_until)!, extended: r.hold_extended === 1 },
    refused: Number(r.refused_e2ee) > 0 ? { clips: Number(r.refused_e2ee), reason: E2EE_REFUSAL } : null,
  };
}
export type DemandView = ReturnType<typeof toDemandView>;

function refuse(problems: FieldProblem[]): never {
  const errors = problems.map((p) => ({ field: p.field.startsWith('body.') ? p.field : `body.${p.field}`, message: p.message }));
  throw badRequest(errors.map((e) => `${e.field} ${e.message}`).join('; '), errors);
}

/** 403 when the reviewer stands on the demanding agency's side (disclosure/conflict.ts). */
/** The log's names (docs/ledger.md) for a demand's type and a review's decision. */
const DEMAND_KIND = { search_warrant: 'warrant', subpoena: 'subpoena', court_order: 'court_order', preservation: 'preservation' } as const satisfies Record<DemandType, DemandKind>;
const OUTCOME = { approve: 'approved', narrow: 'narrowed', reject: 'rejected' } as const satisfies Record<ReviewInput['decision'], Outcome>;

async function refuseConflicted(tx: DbHandle, staff: UserActor, d: repo.DemandRow): Promise<void> {
  const parties = await repo.agencyParties(tx, d.agency_id);
  const refusal = conflictRefusal(
    { agencyId: d.agency_id, submittedBy: d.submitted_by, agencyCreatedBy: parties?.created_by ?? null, agencyVerifiedBy: parties?.verified_by ?? null },
    { id: staff.userId, agencyId: await repo.userAgency(tx, staff.userId) },
    'legal demand', 'demanding',
  );
  if (refusal) throw forbidden(refusal);
}

/** Whether an agency is verified and may act (the agencies capability answers). */
export type AgencyGate = (db: DbHandle, agencyId: string) => Promise<boolean>;

export class LegalService {
  readonly #ctx: AppContext;
  readonly #deps: ReleaseDeps;
  readonly documents: DocumentStore;
  readonly #agencyGate: AgencyGate;

  constructor(ctx: AppContext, deps: { clips: ClipsService; disclosure: DisclosureService; notices: Notices; documents: DocumentStore; agencyGate: AgencyGate }) {
    requirePorts('LegalService', deps, ['clips', 'disclosure', 'notices', 'documents', 'agencyGate']);
    this.#ctx = ctx;
    this.#agencyGate = deps.agencyGate;
    this.#deps = { ctx, clips: deps.clips, disclosure: deps.disclosure, notices: deps.notices };
    this.documents = deps.documents;
    // The disclosure door loads warrants itself, inside its own transaction.
    deps.disclosure.registerBasisSource('warrant', (db, ref) => this.warrantBasis(db, ref));
  }

  get #db() {
    return this.#ctx.db.kysely;
  }

  /** Start-up sweep of the document store (demands' PDFs and emergencies' court orders). */
  async startupSweep(): Promise<void> {
    const swept = await this.documents.sweep(await repo.documentKeysInUse(this.#db));
    if (swept.temp || swept.orphans) this.#ctx.log.info(swept, 'swept interrupted legal document uploads');
  }

  async warrantBasis(db: DbHandle, id: string): Promise<WarrantBasis | undefined> {
    const d = await repo.findDemand(db, id);
    if (!d || d.type !== 'search_warrant') return undefined;
    const approvedAt = d.status === 'approved' && d.reviewed_at !== null ? Number(d.reviewed_at) : null;
    return {
      kind: 'warrant', id: d.id, agencyId: d.agency_id, status: d.status, scope: parseScope(d.scope), approvedAt,
      reviewerIds: d.reviewed_by ? [d.reviewed_by] : [], revokedAt: null, expiresAt: approvedAt === null ? null : approvedAt + LIMITS.warrantLifeMs,
    };
  }

  /**
   * POST /agencies/{id}/legal-demands: multipart fields plus the PDF as
   * "document". `readForm` reads the body; it runs only once the member and the
   * agency are checked, so a refused caller's upload is never spooled.
   */
  async submit(actor: Actor, agencyId: string, readForm: () => Promise<FormUpload>): Promise<DemandView> {
    const member = requireMember(actor, agencyId);
    if (!(await this.#agencyGate(this.#db, agencyId))) throw forbidden('this agency is not verified');
    const { fields, document } = await readForm();
    try {
      const now = this.#ctx.clock.now();
      const problems: FieldProblem[] = [];
      const type = fields.type as DemandType;
      if (!(DEMAND_TYPES as readonly string[]).includes(type)) problems.push({ field: 'type', message: `must be one of ${DEMAND_TYPES.join(', ')}` });
      const authority = checkText(fields.issuingAuthority, 'issuingAuthority');
      const caseNumber = checkText(fields.caseNumber, 'caseNumber', 100);
      for (const c of [authority, caseNumber]) if ('field' in c) problems.push(c);
      let nondisclosureUntil: number | null = null;
      if (fields.nondisclosureUntil) {
        nondisclosureUntil = Date.parse(fields.nondisclosureUntil);
        if (!Number.isFinite(nondisclosureUntil) || !/^\d{4}-\d{2}-\d{2}/.test(fields.nondisclosureUntil)) problems.push({ field: 'nondisclosureUntil', message: 'must be an ISO 8601 date or time' });
        else if (nondisclosureUntil <= now) problems.push({ field: 'nondisclosureUntil', message: 'must be in the future' });
      }
      let scope: Scope | null = null;
      let scopeInput: ScopeInput = {};
      try {
        scopeInput = JSON.parse(fields.scope ?? 'null') ?? {};
        if (typeof scopeInput !== 'object' || Array.isArray(scopeInput)) throw new Error('not an object');
      } catch {
        problems.push({ field: 'scope', message: 'must be JSON: { "cameraIds": [...] or "address": { lat, lon, radiusM }, "ranges": [{ "from", "to" }] }' });
      }
      if (!problems.some((p) => p.field === 'scope')) problems.push(...schemaProblems(ScopeInputSchema, scopeInput, 'scope'));
      if (!problems.some((p) => p.field === 'scope' || p.field.startsWith('scope.'))) {
        const checked = checkScope(scopeInput, LIMITS.maxDemandWindowMs);
        if ('problems' in checked) problems.push(...checked.problems);
        else scope = checked.scope;
      }
      if (!document) problems.push({ field: 'document', message: 'the PDF of the demand is required' });
      if (problems.length || !document || !scope || 'field' in authority || 'field' in caseNumber) refuse(problems);

      const doc = await this.documents.commit(document);
      const id = newId();
      try {
        await repo.insertDemand(this.#db, {
          id, agency_id: agencyId, type, status: 'pending', issuing_authority: authority.value, case_number: caseNumber.value, nondisclosure_until: nondisclosureUntil,
          scope_requested: JSON.stringify(scope), scope: JSON.stringify(scope), document_key: doc.key, document_wrapped_key: doc.wrappedKey,
          document_sha256: doc.sha256, document_size: doc.size, submitted_by: member.userId, created_at: now,
          reviewed_by: null, reviewed_at: null, review_decision: null, review_reason: null, records: null, hold_until: null, hold_extended: 0,
        });
      } catch (err) {
        await this.documents.remove(doc.key);
        throw err;
      }
      return toDemandView((await repo.findDemand(this.#db, id))!, now);
    } catch (err) {
      if (document) await this.documents.discard(document);
      throw err;
    }
  }

  async #visible(actor: Actor, id: string, agencyId?: string): Promise<repo.DemandRow> {
    const d = await repo.findDemand(this.#db, id);
    if (agencyId !== undefined) requireMember(actor, agencyId);
    else requireStaff(actor);
    // Another agency's demand answers 404, like one that does not exist.
    if (!d || (agencyId !== undefined && d.agency_id !== agencyId)) throw notFound('no such legal demand');
    return d;
  }

  async get(actor: Actor, id: string, agencyId?: string): Promise<DemandView> {
    return toDemandView(await this.#visible(actor, id, agencyId), this.#ctx.clock.now());
  }

  async listForAgency(actor: Actor, agencyId: string): Promise<DemandView[]> {
    requireMember(actor, agencyId);
    const now = this.#ctx.clock.now();
    return (await repo.listDemandsOfAgency(this.#db, agencyId, 200)).map((r) => toDemandView(r, now));
  }

  /** The reviewers' queue: pending demands, oldest first, each with its age. */
  async queue(actor: Actor): Promise<DemandView[]> {
    requireStaff(actor);
    const now = this.#ctx.clock.now();
    return (await repo.listDemandsByStatus(this.#db, 'pending', 500)).map((r) => toDemandView(r, now));
  }

  /** The console's view of the queue. */
  async queueItems(actor: Actor) {
    return (await this.queue(actor)).map((d) => ({ kind: 'legal_demand', id: d.id, agencyId: d.agencyId, summary: `${d.type} (case ${d.caseNumber})`, createdAt: d.createdAt, ageMs: d.ageMs }));
  }

  async document(actor: Actor, id: string, agencyId?: string) {
    const d = await this.#visible(actor, id, agencyId);
    return this.documents.open({ key: d.document_key, wrappedKey: d.document_wrapped_key, size: Number(d.document_size) });
  }

  /** Non-content records a subpoena or court order released (only to its agency, or to staff). */
  async records(actor: Actor, id: string, agencyId?: string) {
    const d = await this.#visible(actor, id, agencyId);
    if (d.type !== 'subpoena' && d.type !== 'court_order') throw notFound('only a subpoena or court order releases records');
    if (d.status !== 'approved' || d.records === null) throw conflict('the demand has not been approved');
    return JSON.parse(d.records) as Records;
  }

  /** Content a warrant released: the disclosures, each readable through the disclosure door. */
  async evidence(actor: Actor, id: string, agencyId?: string) {
    const d = await this.#visible(actor, id, agencyId);
    if (d.type !== 'search_warrant') throw notFound('only a search warrant releases content');
    return this.#deps.disclosure.evidenceFor('warrant', d.id);
  }

  /**
   * The evidence package (disclosure/evidence-package.ts) of what a search
   * warrant released to its agency. 404 to anyone but the agency's members,
   * for any other type of demand, and until clips were actually released.
   */
  async evidenceZip(actor: Actor, agencyId: string, id: string): Promise<{ filename: string; body: Readable }> {
    const d = await this.#visible(actor, id, agencyId);
    if (d.type !== 'search_warrant') throw notFound('only a search warrant releases content');
    const disclosure = this.#deps.disclosure;
    const records = (await disclosure.evidenceRecordsFor('warrant', d.id)).filter((r) => r.row.recipient === d.agency_id);
    if (records.length === 0) throw notFound('no clips have been released under this warrant');
    return evidencePackage(this.#ctx, disclosure, actor, {
      kind: 'warrant',
      subject: { id: d.id, agencyId: d.agency_id, issuingAuthority: d.issuing_authority, caseNumber: d.case_number, reviewedAt: iso(d.reviewed_at) },
      groups: [{ folder: 'clips', label: {}, items: records.map(toPackageItem) }],
      filename: `evidence-warrant-${d.id}.zip`,
    });
  }

  /** A reviewer's decision, with written reasons. Approval releases what the type releases, in the same transaction. */
  async review(actor: Actor, id: string, input: ReviewInput): Promise<DemandView> {
    const staff = requireStaff(actor);
    const reason = checkText(input.reason, 'reason', LIMITS.textMax);
    if ('field' in reason) refuse([reason]);
    const now = this.#ctx.clock.now();
    return this.#db.transaction().execute(async (tx) => {
      const d = await repo.findDemand(tx, id);
      if (!d) throw notFound('no such legal demand');
      await refuseConflicted(tx, staff, d);
      if (d.status !== 'pending') throw conflict(`the demand was already ${d.status}`);
      const current = parseScope(d.scope);
      let scope = current;
      if (input.decision === 'narrow') {
        if (!input.scope) refuse([{ field: 'scope', message: 'a narrowing gives the narrower scope' }]);
        const checked = checkScope(input.scope, LIMITS.maxDemandWindowMs);
        if ('problems' in checked) refuse(checked.problems);
        const named = await repo.camerasInScope(tx, { cameraIds: checked.scope.cameraIds, area: null, ranges: [] });
        const widens = narrowingProblem(checked.scope, current, new Map(named.map((c) => [c.id, c])));
        if (widens) refuse([{ field: 'scope', message: widens }]);
        scope = checked.scope;
      } else if (input.scope) {
        refuse([{ field: 'scope', message: 'only a narrowing gives a scope' }]);
      }
      const status = input.decision === 'reject' ? 'rejected' : 'approved';
      const set = { status, scope: JSON.stringify(scope), reviewed_by: staff.userId, reviewed_at: now, review_decision: input.decision, review_reason: reason.value } as const;
      if (!(await repo.updateDemandIf(tx, id, 'pending', set))) throw conflict('the demand was decided meanwhile');
      // The decision itself is public (issue 13): the transparency report counts outcomes from the log.
      await this.#deps.disclosure.log.event(tx, { basis: 'decision', agency: d.agency_id, ref: id, reviewers: [staff.userId], demand: DEMAND_KIND[d.type], outcome: OUTCOME[input.decision] });
      await recordAudit(tx, { actorId: staff.userId, action: `legal.${input.decision}`, subjectKind: 'legal_demand', subjectId: id, reason: reason.value, details: { type: d.type, scope: input.decision === 'narrow' ? scope : undefined } }, now);
      if (status === 'approved') await this.#release(tx, staff, { ...d, ...set }, scope);
      return toDemandView((await repo.findDemand(tx, id))!, now);
    });
  }

  async #release(tx: DbHandle, staff: UserActor, d: repo.DemandRow, scope: Scope): Promise<void> {
    if (d.type === 'search_warrant') {
      const { refusedE2ee } = await releaseWarrant(this.#deps, tx, staff, d, scope);
      await repo.updateDemand(tx, d.id, { refused_e2ee: refusedE2ee });
    }
    else if (d.type === 'preservation') {
      const until = this.#ctx.clock.now() + LIMITS.holdMs;
      await placeHolds(this.#deps, tx, staff, d, scope, until, true);
      await repo.updateDemand(tx, d.id, { hold_until: until });
    } else {
      const records = await releaseRecords(this.#deps, tx, staff, d, scope);
      await repo.updateDemand(tx, d.id, { records: JSON.stringify(records) });
    }
  }

  /** Extends an approved preservation's holds once, by 90 days from their current end. */
  async extendHold(actor: Actor, id: string, reasonText: string): Promise<DemandView> {
    const staff = requireStaff(actor);
    const reason = checkText(reasonText, 'reason', LIMITS.textMax);
    if ('field' in reason) refuse([reason]);
    const now = this.#ctx.clock.now();
    return this.#db.transaction().execute(async (tx) => {
      const d = await repo.findDemand(tx, id);
      if (!d) throw notFound('no such legal demand');
      await refuseConflicted(tx, staff, d);
      if (d.type !== 'preservation' || d.status !== 'approved' || d.hold_until === null) throw conflict('only an approved preservation request has holds to extend');
      if (d.hold_extended === 1) throw conflict('a preservation hold can be extended only once');
      if (Number(d.hold_until) <= now) throw conflict('the hold has already ended');
      const until = Number(d.hold_until) + LIMITS.holdMs;
      if (!(await repo.extendHoldOnce(tx, id, until))) throw conflict('a preservation hold can be extended only once');
      await extendHolds(this.#deps, tx, staff, d, until);
      await recordAudit(tx, { actorId: staff.userId, action: 'legal.extend_hold', subjectKind: 'legal_demand', subjectId: id, reason: reason.value, details: { until: new Date(until).toISOString() } }, now);
      return toDemandView((await repo.findDemand(tx, id))!, now);
    });
  }
}

/** The words of an owner's notice about a legal demand (disclosure/notices.ts). */
export async function describeDemandNotice(db: DbHandle, id: string, ownerId: string) {
  const d = await repo.findDemand(db, id);
  if (!d) throw new HttpError(500, `notice for a missing demand ${id}`);
  const what = { search_warrant: 'a search warrant', court_order: 'a court order', subpoena: 'a subpoena', preservation: 'a preservation request' }[d.type];
  const effect = {
    search_warrant: 'Clips of yours within its scope were released to the agency as recorded, as evidence.',
    court_order: 'Records about your account, cameras and clips (no video) were released to the agency.',
    subpoena: 'Records about your account, cameras and clips (no video) were released to the agency.',
    preservation: 'Clips of yours within its scope are kept from deletion for 90 days (extendable once); nothing was released.',
  }[d.type];
  const agency = await agencyName(db, d.agency_id);
  const text = `Porchlight received ${what} from ${agency ?? `agency ${d.agency_id}`} (issued by ${d.issuing_authority}, case ${d.case_number}), reviewed on ${iso(d.reviewed_at)}. ${effect} Your disclosure receipts list every log entry concerning your clips.`;
  return { subject: `Notice: ${what} concerning your footage`, text, payload: { demandId: d.id, type: d.type, agencyId: d.agency_id, ownerId }, timeline: demandTimeline(d) };
}

/** A demand's events: whatever it releases (or holds) is released in its approval's transaction. */
function demandTimeline(d: repo.DemandRow): NoticeTimeline {
  const reviewed = d.reviewed_at === null ? null : Number(d.reviewed_at);
  const nd = d.nondisclosure_until === null ? null : Number(d.nondisclosure_until);
  return {
    receivedAt: iso(d.created_at)!, reviewedAt: iso(reviewed), reviewers: d.reviewed_by ? 1 : 0, releasedAt: iso(reviewed),
    delay: nd !== null && reviewed !== null && nd > reviewed ? { kind: 'nondisclosure_order', until: iso(nd)! } : null,
  };
}
