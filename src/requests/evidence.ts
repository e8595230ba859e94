// The agency's evidence locker for one community request (issue 5 §5): shared
// clips grouped by pseudonym, each with its evidence manifest; video reads with
// byte ranges; and a ZIP package that verifies offline (disclosure/evidence-package.ts
// builds it, disclosure/evidence-cli.ts verifies it).
// Bytes are read only through the disclosure service, which checks the reader
// is the recipient agency and writes every read into the owner's access log.
//
// Pseudonyms: "Neighbor N" numbers are given in sharing order per request
// (answers.ts), so they are stable within a request and say nothing across
// requests. Nothing here names an owner, counts recipients or tells who declined,
// except the contact details an owner chose to share (issue 14 §3).
import type { Readable } from 'node:stream';
import type { UserActor } from '../platform/access.ts';
import type { AppContext } from '../platform/context.ts';
import type { DbHandle } from '../platform/db/db.ts';
import { notFound } from '../platform/http/errors.ts';
import type { DisclosureService } from '../disclosure/service.ts';
import { evidencePackage, toPackageItem, type AgencyManifest } from '../disclosure/evidence-package.ts';
import type { VideoAnswer } from '../clips/service.ts';
import type { SealedKeyView } from '../e2ee/service.ts';
import { isMemberOf } from '../agencies/policy.ts';
import * as repo from './repository.ts';
import { recordAnswer } from './answers.ts';

export interface EvidenceItem {
  id: string;
  /** False once the owner deleted the clip (or it passed their retention): the shared copy is destroyed with it. */
  available: boolean;
  videoUrl: string;
  manifest: AgencyManifest;
}

export interface NeighborContact {
  name: string;
  phone: string | null;
  email: string | null;
}

export interface EvidenceLocker {
  requestId: string;
  neighbors: { pseudonym: string; contact: NeighborContact | null; items: EvidenceItem[] }[];
}

/**
 * The contacts owners chose to share (issue 14 §3), read when the agency
 * looks, each showing logged for its owner in the transaction given. Only
 * consented shares reach it: this locker is the community request's.
 */
export type ContactsPort = (db: DbHandle, viewing: { agencyId: string; requestId: string; shares: { ownerId: string; clipId: string }[] }) => Promise<Map<string, NeighborContact>>;

export class EvidenceService {
  readonly #ctx: AppContext;
  readonly #disclosure: DisclosureService;
  readonly #contacts: ContactsPort;

  constructor(ctx: AppContext, disclosure: DisclosureService, contacts: ContactsPort) {
    if (typeof contacts !== 'function') throw new Error('EvidenceService needs a contacts port');
    this.#ctx = ctx;
    this.#disclosure = disclosure;
    this.#contacts = contacts;
  }

  get #db() {
    return this.#ctx.db.kysely;
  }

  /** Only members of the requesting agency; anyone else gets 404, as if the request did not exist. */
  async #request(actor: UserActor, agencyId: string, rid: string): Promise<repo.RequestRow> {
    const r = isMemberOf(actor, agencyId) ? await repo.findRequest(this.#db, rid) : undefined;
    if (!r || r.agency_id !== agencyId) throw notFound('no such request');
    return r;
  }

  async #groups(r: repo.RequestRow): Promise<{ pseudonym: string; n: number; ownerId: string; clipId: string; items: EvidenceItem[] }[]> {
    const records = (await this.#disclosure.evidenceRecordsFor('consent', r.id)).filter((e) => e.row.recipient === r.agency_id);
    let numbers = await repo.neighborNumbers(this.#db, r.id);
    // A share committed but not yet recorded as an answer (a crash between the
    // two steps): record it now, so the clip is listed and numbered.
    const sharers = new Set(records.map((e) => e.row.owner_id).filter((owner) => !numbers.has(owner)));
    if (sharers.size) {
      for (const owner of sharers) await recordAnswer(this.#ctx, this.#disclosure.log, r, owner, this.#ctx.clock.now());
      numbers = await repo.neighborNumbers(this.#db, r.id);
    }
    const groups = new Map<number, EvidenceItem[]>();
    const owners = new Map<number, { ownerId: string; clipId: string }>();
    for (const record of records) {
      const d = record.row;
      const n = numbers.get(d.owner_id);
      if (n === undefined) continue;
      const item: EvidenceItem = { ...toPackageItem(record), videoUrl: `/api/v1/agencies/${r.agency_id}/requests/${r.id}/evidence/${d.id}/video` };
      groups.set(n, [...(groups.get(n) ?? []), item]);
      if (!owners.has(n)) owners.set(n, { ownerId: d.owner_id, clipId: d.clip_id });
    }
    return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([n, items]) => ({
      pseudonym: `Neighbor ${n}`, n, ...owners.get(n)!,
      items: items.sort((a, b) => a.manifest.cameraReported.startedAt.localeCompare(b.manifest.cameraReported.startedAt) || a.id.localeCompare(b.id)),
    }));
  }

  async locker(actor: UserActor, agencyId: string, rid: string): Promise<EvidenceLocker> {
    const r = await this.#request(actor, agencyId, rid);
    const groups = await this.#groups(r);
    const shares = groups.map((g) => ({ ownerId: g.ownerId, clipId: g.clipId }));
    const contacts = await this.#db.transaction().execute((tx) => this.#contacts(tx, { agencyId: r.agency_id, requestId: r.id, shares }));
    return { requestId: r.id, neighbors: groups.map(({ pseudonym, ownerId, items }) => ({ pseudonym, contact: contacts.get(ownerId) ?? null, items })) };
  }

  async video(actor: UserActor, agencyId: string, rid: string, itemId: string, range: string | undefined): Promise<VideoAnswer> {
    const r = await this.#request(actor, agencyId, rid);
    return this.#disclosure.openEvidence(actor, { agencyId: r.agency_id, basis: { kind: 'consent', ref: r.id }, disclosureId: itemId }, range);
  }

  async sealedKey(actor: UserActor, agencyId: string, rid: string, itemId: string): Promise<SealedKeyView> {
    const r = await this.#request(actor, agencyId, rid);
    const d = await this.#disclosure.get(itemId);
    if (!d || d.basis_kind !== 'consent' || d.basis_ref !== r.id || d.recipient !== r.agency_id) throw notFound('no such evidence');
    return this.#disclosure.sealedKeyOf(actor, d.id);
  }

  /** The evidence package (disclosure/evidence-package.ts): one folder of clips per pseudonymous neighbour. */
  async zip(actor: UserActor, agencyId: string, rid: string): Promise<{ filename: string; body: Readable }> {
    const r = await this.#request(actor, agencyId, rid);
    const groups = await this.#groups(r);
    return evidencePackage(this.#ctx, this.#disclosure, actor, {
      kind: 'request',
      subject: { id: r.id, agencyId: r.agency_id, caseNumber: r.case_number, incidentType: r.incident_type, window: { start: new Date(Number(r.window_start)).toISOString(), end: new Date(Number(r.window_end)).toISOString() } },
      groups: groups.map((g) => ({ folder: `clips/neighbor-${g.n}`, label: { pseudonym: g.pseudonym }, items: g.items })),
      filename: `evidence-${r.id}.zip`,
    });
  }
}
