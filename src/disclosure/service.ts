// THE door through which clip bytes leave their owner (ENGINEERING.md,
// "The disclosure rule lives in one pure function"). Every release runs the
// pure decision (policy.ts) on the bases on record, writes the disclosure
// record and appends its log entry in ONE transaction: no disclosure without a
// log entry, no log entry without its disclosure.
//
// Consent releases a redacted copy (privacy zones burned in); it is made before
// the transaction (ffmpeg takes seconds, and a transaction must not wait on it),
// then the decision runs again inside the transaction on fresh rows, and the
// copy is removed if anything there refuses or fails. Warrant and emergency
// release the original bytes as evidence; no copy is made, so they run entirely
// inside the caller's transaction (legal and emergency release many clips at once).
//
// Bases other than consent live in the capabilities that own them (legal,
// emergency), which sit above this module: they register a loader for their
// kind, and this module loads the basis itself inside its transaction.
import type { Actor } from '../platform/access.ts';
import type { AppContext } from '../platform/context.ts';
import { requirePorts } from '../platform/ports.ts';
import { newId } from '../platform/crypto.ts';
import type { DbHandle } from '../platform/db/db.ts';
import { HttpError, forbidden, notFound } from '../platform/http/errors.ts';
import type { Readable } from 'node:stream';
import type { ClipRow, ClipsService, VideoAnswer } from '../clips/service.ts';
import { clipBytesOf, type ClipBytes } from '../clips/internal.ts';
import { decideRange } from '../clips/policy.ts';
import { CopyStore, type StoredCopy } from './copies.ts';
import { LogWriter, type LogClip } from './log.ts';
import { manifestsOf, type EvidenceManifest, type EvidenceRecord } from './manifest.ts';
import {
  decideDisclosure, eligibleApprovals, recipientKey, type Basis, type ClipFacts, type ConsentBasis, type Decision,
  type OwnerPolicy, type Recipient, type RefusalCode,
} from './policy.ts';
import * as repo from './repository.ts';

export type BasisKind = 'consent' | 'warrant' | 'emergency';
export type BasisSource = (db: DbHandle, ref: string) => Promise<Basis | undefined>;

export interface DiscloseInput {
  clipId: string;
  recipient: Recipient;
  basis: { kind: BasisKind; ref: string };
  /** Reviewers who approved the request a consent answers (their ids go into the entry). */
  reviewerIds?: readonly string[];
}

export interface DisclosureView {
  id: string;
  clipId: string;
  recipient: string;
  basis: { kind: BasisKind; ref: string };
  content: 'derived' | 'original';
  sha256: string;
  originalSha256: string;
  size: number;
  logSeq: number;
  createdAt: string;
}

export type Release = { ok: true; disclosure: DisclosureView; created: boolean } | { ok: false; code: RefusalCode; reason: string };

export const toDisclosureView = (r: repo.DisclosureRow): DisclosureView => ({
  id: r.id,
  clipId: r.clip_id,
  recipient: r.recipient,
  basis: { kind: r.basis_kind, ref: r.basis_ref },
  content: r.content,
  sha256: r.copy_sha256,
  originalSha256: r.original_sha256,
  size: Number(r.copy_size),
  logSeq: Number(r.log_seq),
  createdAt: new Date(Number(r.created_at)).toISOString(),
});

/** HTTP status for a refusal: absent → 404/410, not yours → 403, encrypted → 422, otherwise a state conflict. */
export function refusalStatus(code: RefusalCode): number {
  if (code === 'deleted') return 410;
  if (code === 'e2ee') return 422;
  if (code === 'no_basis' || code === 'wrong_clip' || code === 'wrong_owner' || code === 'wrong_recipient') return 403;
  return 409;
}

export function toFacts(row: repo.ClipFactsRow): ClipFacts {
  return {
    id: row.id,
    ownerId: row.owner_id,
    cameraId: row.camera_id,
    cameraLocation: row.lat === null || row.lon === null ? null : { lat: row.lat, lon: row.lon },
    startedAt: Number(row.started_at),
    endedAt: Number(row.ended_at),
    // Either the clip was uploaded as ciphertext, or its camera is in e2ee mode now.
    e2ee: row.clip_e2ee === 1 || row.camera_e2ee === 1,
    deleted: row.deleted_at !== null,
  };
}

const consentBasis = (c: repo.ConsentRow): ConsentBasis => ({
  kind: 'consent', id: c.ref, ownerId: c.owner_id, clipId: c.clip_id, recipient: c.recipient, givenAt: Number(c.given_at),
  revokedAt: c.revoked_at === null ? null : Number(c.revoked_at), expiresAt: null,
});

/** The reviewer ids a basis puts into its log entry. */
function reviewersOf(b: Basis, now: number, extra: readonly string[] = []): string[] {
  if (b.kind === 'warrant') return [...b.reviewerIds];
  if (b.kind === 'emergency') return eligibleApprovals(b, now);
  return [...extra];
}

/** Where an owner's sharing preferences come from (requests' blocked agency types today). */
export type OwnerPolicySource = (db: DbHandle, ownerId: string) => Promise<OwnerPolicy>;

export class DisclosureService {
  readonly #ctx: AppContext;
  readonly #bytes: ClipBytes;
  readonly copies: CopyStore;
  readonly log: LogWriter;
  readonly #sources = new Map<BasisKind, BasisSource>();
  readonly #ownerPolicy: OwnerPolicySource;

  constructor(ctx: AppContext, deps: { clips: ClipsService; ownerPolicy: OwnerPolicySource }) {
    requirePorts('DisclosureService', deps, ['clips', 'ownerPolicy']);
    const { clips } = deps;
    this.#ctx = ctx;
    this.#ownerPolicy = deps.ownerPolicy;
    this.#bytes = clipBytesOf(clips);
    this.copies = new CopyStore(ctx.config, ctx.masterKey, this.#bytes);
    this.log = new LogWriter(ctx);
    // A shredded clip takes its consent copies with it: their keys in the
    // shredding transaction, their blobs after it commits (a crash in between
    // leaves blobs no row names, which the copies' start-up sweep removes).
    clips.onShred(async (tx, clipId) => {
      const keys = await repo.shredCopiesOf(tx, clipId);
      return async () => {
        for (const key of keys) await this.copies.remove(key);
      };
    });
  }

  get #db() {
    return this.#ctx.db.kysely;
  }

  /** Legal registers 'warrant', emergency registers 'emergency'. */
  registerBasisSource(kind: Exclude<BasisKind, 'consent'>, source: BasisSource): void {
    this.#sources.set(kind, source);
  }

  async #decide(db: DbHandle, facts: ClipFacts, input: DiscloseInput, extra: Basis[] = []): Promise<Decision> {
    const key = recipientKey(input.recipient);
    let bases: Basis[];
    if (input.basis.kind === 'consent') {
      bases = (await repo.consentsFor(db, facts.id, key)).filter((c) => c.ref === input.basis.ref).map(consentBasis);
    } else {
      const source = this.#sources.get(input.basis.kind);
      const b = source ? await source(db, input.basis.ref) : undefined;
      bases = b ? [b] : [];
    }
    return decideDisclosure({ recipient: input.recipient, clip: facts, bases: [...bases, ...extra], ownerPolicy: await this.#ownerPolicy(db, facts.ownerId), now: this.#ctx.clock.now() });
  }

  /**
   * A release through an HTTP use case. Consent comes only from the clip's owner
   * (a clip of someone else's answers 404, as if absent); warrant and emergency
   * releases are made by staff. Refusals throw with the decision's reason.
   */
  async disclose(actor: Actor, input: DiscloseInput): Promise<DisclosureView> {
    const res = input.basis.kind === 'consent'
      ? await this.#discloseByConsent(actor, input)
      : await this.#db.transaction().execute((tx) => this.releaseOriginal(tx, actor, input));
    if (!res.ok) throw new HttpError(refusalStatus(res.code), res.reason);
    return res.disclosure;
  }

  async #discloseByConsent(actor: Actor, input: DiscloseInput): Promise<Release> {
    if (actor.kind !== 'user') throw forbidden('only the clip\'s owner can consent to share it');
    const row = await repo.clipFacts(this.#db, input.clipId);
    if (!row || row.owner_id !== actor.userId) throw notFound('no such clip');
    const key = recipientKey(input.recipient);
    const earlier = await repo.findExisting(this.#db, row.id, key, 'consent', input.basis.ref);
    if (earlier) return { ok: true, disclosure: toDisclosureView(earlier), created: false };

    // Decide once before the expensive copy, on the consent this call would record.
    const now = this.#ctx.clock.now();
    const offered: ConsentBasis = { kind: 'consent', id: input.basis.ref, ownerId: actor.userId, clipId: row.id, recipient: key, givenAt: now, revokedAt: null, expiresAt: null };
    const recorded = await repo.findConsent(this.#db, row.id, key, input.basis.ref);
    const first = await this.#decide(this.#db, toFacts(row), input, recorded ? [] : [offered]);
    if (!first.allow) return { ok: false, code: first.code, reason: first.reason };

    const clip = await this.#bytes.findAny(row.id);
    if (!clip) return { ok: false, code: 'deleted', reason: `clip ${row.id} is deleted` };
    const id = newId();
    const copy = await this.copies.makeRedacted(id, clip, zonesOf(row.privacy_zones));
    try {
      const res = await this.#db.transaction().execute(async (tx) => {
        if (!(await repo.findConsent(tx, row.id, key, input.basis.ref))) {
          await repo.insertConsent(tx, { id: newId(), owner_id: actor.userId, clip_id: row.id, recipient: key, ref: input.basis.ref, given_at: now, revoked_at: null });
        }
        return this.#record(tx, id, input, copy);
      });
      if (!res.ok || !res.created) await this.copies.remove(copy.blobKey);
      return res;
    } catch (err) {
      await this.copies.remove(copy.blobKey);
      // The same answer sent twice at once: the unique indexes let one commit; the other returns it.
      const winner = await repo.findExisting(this.#db, row.id, key, 'consent', input.basis.ref);
      if (winner) return { ok: true, disclosure: toDisclosureView(winner), created: false };
      throw err;
    }
  }

  /**
   * Releases the original bytes of one clip on a warrant or emergency basis, in
   * the caller's transaction. Returns the refusal instead of throwing, so a
   * release of many clips can log end-to-end encryption refusals and go on.
   */
  async releaseOriginal(tx: DbHandle, actor: Actor, input: DiscloseInput): Promise<Release> {
    if (input.basis.kind === 'consent') throw new Error('consent releases a redacted copy; use disclose()');
    if (actor.kind !== 'user' || (actor.role !== 'reviewer' && actor.role !== 'admin')) throw forbidden('only staff release content on legal process or an emergency');
    return this.#record(tx, newId(), input, null);
  }

  /** Decides on fresh rows and, when allowed, writes the log entry and the disclosure. */
  async #record(tx: DbHandle, id: string, input: DiscloseInput, copy: StoredCopy | null): Promise<Release> {
    // A copy must not be recorded for a clip being shredded at the same moment (the shred would miss it).
    if (copy) await repo.lockClip(tx, this.#ctx.db.engine, input.clipId);
    const row = await repo.clipFacts(tx, input.clipId);
    if (!row) return { ok: false, code: 'deleted', reason: `no clip ${input.clipId}` };
    const key = recipientKey(input.recipient);
    const earlier = await repo.findExisting(tx, row.id, key, input.basis.kind, input.basis.ref);
    if (earlier) return { ok: true, disclosure: toDisclosureView(earlier), created: false };
    const decision = await this.#decide(tx, toFacts(row), input);
    if (!decision.allow) return { ok: false, code: decision.code, reason: decision.reason };

    const now = this.#ctx.clock.now();
    const clip: LogClip = { clipId: row.id, ownerId: row.owner_id, sha256: row.sha256 };
    const basisName = input.basis.kind === 'consent' && input.recipient.kind === 'public' ? 'public_post' : input.basis.kind;
    const logged = await this.log.append(tx, {
      basis: basisName,
      agency: input.recipient.kind === 'agency' ? input.recipient.agencyId : null,
      ref: input.basis.ref,
      reviewers: reviewersOf(decision.basis, now, input.reviewerIds),
      clips: [clip],
    });
    const disclosure: repo.DisclosureRow = {
      id, clip_id: row.id, owner_id: row.owner_id, recipient: key, basis_kind: input.basis.kind, basis_ref: input.basis.ref,
      content: copy ? 'derived' : 'original',
      copy_blob_key: copy?.blobKey ?? null, copy_wrapped_key: copy?.wrappedKey ?? null,
      copy_sha256: copy?.sha256 ?? row.sha256, copy_size: copy?.size ?? Number(row.size), original_sha256: row.sha256,
      log_seq: logged.seq, salt: logged.salts[0], created_at: now,
    };
    await repo.insertDisclosure(tx, disclosure);
    return { ok: true, disclosure: toDisclosureView(disclosure), created: true };
  }

  /**
   * The recipient's read of disclosed bytes, with an HTTP byte range (RFC 9110
   * §14). Only the recipient agency's members may read (a 'public' disclosure:
   * anyone); anyone else gets 404, as if the disclosure did not exist. Every read
   * goes into the owner's access log, in the same transaction that checks the
   * copy is still there.
   */
  async openDisclosedClip(actor: Actor, disclosureId: string, rangeHeader: string | undefined): Promise<VideoAnswer> {
    const d = await repo.findDisclosure(this.#db, disclosureId);
    const isRecipient = d && (d.recipient === 'public' || (actor.kind === 'user' && actor.role === 'agency' && actor.agencyId === d.recipient));
    if (!d || !isRecipient) throw notFound('no such disclosure');
    const size = Number(d.copy_size);
    const range = decideRange(rangeHeader, size);
    if (range.kind === 'unsatisfiable') throw new HttpError(416, `range not satisfiable for a ${size}-byte clip`, { headers: { 'content-range': `bytes */${size}` } });
    const part = range.kind === 'partial' ? { start: range.start, end: range.end } : undefined;
    // The owner sees the agency by name (agencies are public; their members are not named).
    const who = d.recipient === 'public' ? 'the public (feed post)' : `${(await repo.agencyName(this.#db, d.recipient)) ?? 'agency'} (${d.recipient})`;
    const entry = { actor: `${who}, disclosure ${d.id}`, purpose: `${d.basis_kind} ${d.basis_ref}` };
    // ONE transaction checks that the clip (and the copy) are still there and
    // writes the read into the owner's access log: a read is never served
    // without its entry, and a shred that commits first wins (410). Once its
    // owner deleted the clip, or it passed their retention period, nothing
    // derived from it is served either.
    const gone = () => new HttpError(410, 'the owner has deleted this clip (or it reached the end of their retention period); the shared copy was destroyed with it');
    const source = await this.#db.transaction().execute(async (tx): Promise<{ copy: repo.DisclosureRow } | { clip: ClipRow }> => {
      const facts = await repo.clipFacts(tx, d.clip_id);
      const fresh = await repo.findDisclosure(tx, d.id);
      if (!facts || facts.deleted_at !== null || !fresh) throw gone();
      if (fresh.content === 'derived') {
        if (fresh.copy_wrapped_key === null || fresh.copy_blob_key === null) throw gone();
        await this.#bytes.recordAccess({ id: d.clip_id, owner_id: d.owner_id }, entry, tx);
        return { copy: fresh };
      }
      const clip = await this.#bytes.findAny(d.clip_id, tx);
      if (!clip) throw gone();
      await this.#bytes.recordAccess(clip, entry, tx);
      return { clip };
    });
    const body: Readable = 'copy' in source
      ? await this.copies.open({ id: d.id, size, wrapped_key: source.copy.copy_wrapped_key, blob_key: source.copy.copy_blob_key }, part)
      : await this.#bytes.open(source.clip, part);
    const headers: Record<string, string> = {
      'content-type': 'video/mp4', 'accept-ranges': 'bytes', etag: `"${d.copy_sha256}"`, 'cache-control': 'private, no-store',
      'content-length': String(part ? part.end - part.start + 1 : size),
    };
    if (part) headers['content-range'] = `bytes ${part.start}-${part.end}/${size}`;
    return { status: part ? 206 : 200, headers, body };
  }

  /**
   * An agency's read of evidence released on one basis (a warrant, an
   * emergency, the consents answering a community request): the one handler
   * behind every evidence-video route. A disclosure of another basis or to
   * another agency is 404, as if it did not exist.
   */
  async openEvidence(actor: Actor, q: { agencyId: string; basis: { kind: BasisKind; ref: string }; disclosureId: string }, rangeHeader: string | undefined): Promise<VideoAnswer> {
    const d = await repo.findDisclosure(this.#db, q.disclosureId);
    if (!d || d.basis_kind !== q.basis.kind || d.basis_ref !== q.basis.ref || d.recipient !== q.agencyId) throw notFound('no such evidence');
    return this.openDisclosedClip(actor, d.id, rangeHeader);
  }

  async get(id: string, db: DbHandle = this.#db): Promise<repo.DisclosureRow | undefined> {
    return repo.findDisclosure(db, id);
  }

  /** Every disclosure made on one basis, each with its evidence manifest. */
  async evidenceFor(kind: BasisKind, ref: string, db: DbHandle = this.#db): Promise<EvidenceManifest[]> {
    return (await this.evidenceRecordsFor(kind, ref, db)).map((e) => e.manifest);
  }

  /** As evidenceFor, with each disclosure's row and whether its clip still exists (the evidence locker). */
  async evidenceRecordsFor(kind: BasisKind, ref: string, db: DbHandle = this.#db): Promise<EvidenceRecord[]> {
    return manifestsOf(db, await repo.listByBasis(db, kind, ref));
  }

  async listByBasis(kind: BasisKind, ref: string, db: DbHandle = this.#db): Promise<DisclosureView[]> {
    return (await repo.listByBasis(db, kind, ref)).map(toDisclosureView);
  }

  /** The disclosures of many bases of one kind, by basis ref, in one query (for list views). */
  async listByBases(kind: BasisKind, refs: readonly string[], db: DbHandle = this.#db): Promise<Map<string, DisclosureView[]>> {
    const out = new Map<string, DisclosureView[]>(refs.map((r) => [r, []]));
    for (const row of await repo.listByBases(db, kind, refs)) out.get(row.basis_ref)?.push(toDisclosureView(row));
    return out;
  }
}

/** Stored zones were validated by the cameras capability; a row that is not a JSON array has none. */
function zonesOf(json: string | null): unknown[] {
  try {
    const v: unknown = JSON.parse(json ?? '[]');
    return Array.isArray(v) ? v : [];
  } catch {
    return [];
  }
}
