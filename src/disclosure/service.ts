// THE door through which clip bytes leave their owner (ENGINEERING.md,
// "The disclosure rule lives in one pure function"). Every release runs the
// pure decision (policy.ts) on the bases on record, writes the disclosure
// record and appends its log entry in ONE transaction: no disclosure without a
// log entry, no log entry without its disclosure.
//
// Consent from a camera with privacy zones releases a redacted copy (the zones
// burned in); without zones it releases the original bytes, so the device
// signature verifies on what the recipient gets. A copy is made before
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
import { HttpError, badRequest, forbidden, notFound, orBadRequest } from '../platform/http/errors.ts';
import { checkRecipientKey, agencySubject } from '../e2ee/policy.ts';
import { clipKeyOfDisclosure, currentKey, insertClipKey } from '../e2ee/repository.ts';
import { toSealedKeyView, type SealedKeyView } from '../e2ee/service.ts';
import type { Readable } from 'node:stream';
import type { ClipRow, ClipsService, VideoAnswer } from '../clips/service.ts';
import { clipBytesOf, type ClipBytes } from '../clips/internal.ts';
import { decideRange } from '../clips/policy.ts';
import { CopyStore, type StoredCopy } from './copies.ts';
import { LogWriter, type LogClip } from './log.ts';
import { manifestsOf, type EvidenceManifest, type EvidenceRecord } from './manifest.ts';
import {
  decideDisclosure, recipientKey, type Basis, type ClipFacts, type ConsentBasis, type Decision,
  type OwnerPolicy, type Recipient, type RefusalCode, E2EE_REFUSAL,
} from './policy.ts';
import * as repo from './repository.ts';
import { consentBasis, refusalStatus, reviewersOf, toDisclosureView, toFacts, zonesOf, type BasisKind, type DisclosureView } from './views.ts';

export { refusalStatus, toDisclosureView, toFacts, type BasisKind, type DisclosureView };

export type BasisSource = (db: DbHandle, ref: string) => Promise<Basis | undefined>;

export interface DiscloseInput {
  clipId: string;
  recipient: Recipient;
  basis: { kind: BasisKind; ref: string };
  /** Reviewers who approved the request a consent answers (their ids go into the entry). */
  reviewerIds?: readonly string[];
  /** An end-to-end clip's secret, re-wrapped by the owner's browser for the recipient agency's key. */
  sealedKey?: OfferedKey;
}

export interface OfferedKey {
  keyId: string;
  sealedKey: Uint8Array;
}


export type Release = { ok: true; disclosure: DisclosureView; created: boolean } | { ok: false; code: RefusalCode; reason: string };

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
    this.copies = new CopyStore(ctx.config, ctx.blobs.open('disclosures'), ctx.masterKey, this.#bytes);
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
    return decideDisclosure({
      recipient: input.recipient, clip: facts, bases: [...bases, ...extra], ownerPolicy: await this.#ownerPolicy(db, facts.ownerId), now: this.#ctx.clock.now(),
      rewrapped: input.basis.kind === 'consent' && input.sealedKey !== undefined,
    });
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

    if (toFacts(row).e2ee) return this.#shareSealed(actor.userId, row.id, input, now);
    if (input.sealedKey) throw badRequest(`clip ${row.id} is not end-to-end encrypted: share it without a sealed key`, [{ field: 'body.sealedKeys', message: `${row.id} is not end-to-end encrypted` }]);
    const clip = await this.#bytes.findAny(row.id);
    if (!clip) return { ok: false, code: 'deleted', reason: `clip ${row.id} is deleted` };
    const id = newId();
    const zones = zonesOf(row.privacy_zones);
    const copy = zones.length ? { ...(await this.copies.makeRedacted(id, clip, zones)), zones } : null;
    let res: Release;
    try {
      res = await this.#recordConsent(actor.userId, row.id, input, now, (tx) => this.#record(tx, id, input, copy));
    } catch (err) {
      if (copy) await this.copies.remove(copy.blobKey);
      throw err;
    }
    if (copy && (!res.ok || !res.created)) await this.copies.remove(copy.blobKey);
    return res;
  }

  /**
   * The owner's consent (recorded once) and what `record` writes, in one
   * transaction. The same answer sent twice at once: the unique indexes let
   * one commit, and the other returns it.
   */
  async #recordConsent(ownerId: string, clipId: string, input: DiscloseInput, now: number, record: (tx: DbHandle) => Promise<Release>): Promise<Release> {
    const key = recipientKey(input.recipient);
    try {
      return await this.#db.transaction().execute(async (tx) => {
        if (!(await repo.findConsent(tx, clipId, key, input.basis.ref))) {
          await repo.insertConsent(tx, { id: newId(), owner_id: ownerId, clip_id: clipId, recipient: key, ref: input.basis.ref, given_at: now, revoked_at: null });
        }
        return record(tx);
      });
    } catch (err) {
      const winner = await repo.findExisting(this.#db, clipId, key, 'consent', input.basis.ref);
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
  async #record(tx: DbHandle, id: string, input: DiscloseInput, copy: (StoredCopy & { zones: unknown[] }) | null): Promise<Release> {
    // A copy or a re-wrapped key must not be recorded for a clip being shredded at the same moment (the shred would miss it).
    if (copy || input.sealedKey) await repo.lockClip(tx, this.#ctx.db.engine, input.clipId);
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
      content: copy ? 'derived' : input.sealedKey ? 'sealed' : 'original',
      copy_blob_key: copy?.blobKey ?? null, copy_wrapped_key: copy?.wrappedKey ?? null,
      copy_sha256: copy?.sha256 ?? row.sha256, copy_size: copy?.size ?? Number(row.size), original_sha256: row.sha256,
      log_seq: logged.seq, salt: logged.salts[0], created_at: now, redaction: copy ? JSON.stringify(copy.zones) : null,
    };
    await repo.insertDisclosure(tx, disclosure);
    if (input.sealedKey) {
      await insertClipKey(tx, { id: newId(), clip_id: row.id, key_id: input.sealedKey.keyId, recipient: key, sealed_key: input.sealedKey.sealedKey, disclosure_id: id, created_at: now });
    }
    return { ok: true, disclosure: toDisclosureView(disclosure), created: true };
  }

  /**
   * Consent to share an end-to-end clip: no copy can be made (the server cannot
   * read it), so the owner's browser re-wrapped the clip secret for the agency's
   * current key; the disclosure, the sealed key and the log entry commit together.
   */
  async #shareSealed(ownerId: string, clipId: string, input: DiscloseInput, now: number): Promise<Release> {
    const r = input.recipient;
    if (r.kind !== 'agency') throw badRequest('an end-to-end encrypted clip can be shared only with an agency that has an end-to-end key');
    const offered = input.sealedKey;
    if (!offered) return { ok: false, code: 'e2ee', reason: `${E2EE_REFUSAL}; share it from your browser, which re-wraps its key for the recipient` };
    return this.#recordConsent(ownerId, clipId, input, now, async (tx) => {
      // In the transaction, so a key replaced a moment ago is not recorded as current.
      orBadRequest(checkRecipientKey(offered.keyId, await currentKey(tx, agencySubject(r.agencyId)), `agency ${r.agencyId}`));
      return this.#record(tx, newId(), input, null);
    });
  }

  /** The recipient agency's re-wrapped key of a sealed disclosure (404 to anyone else, as for its bytes). */
  async sealedKeyOf(actor: Actor, disclosureId: string): Promise<SealedKeyView> {
    const d = await repo.findDisclosure(this.#db, disclosureId);
    if (!d || !(actor.kind === 'user' && actor.role === 'agency' && actor.agencyId === d.recipient)) throw notFound('no such disclosure');
    if (d.content !== 'sealed') throw new HttpError(409, 'this disclosure is not end-to-end encrypted: play it directly');
    const clip = (await repo.manifestClipFacts(this.#db, [d.clip_id])).get(d.clip_id);
    const sealed = await clipKeyOfDisclosure(this.#db, d.id);
    const header = clip?.envelope_header;
    if (!sealed || !header || clip?.deleted_at !== null) throw new HttpError(410, 'the owner has deleted this clip; its key was destroyed with it');
    return toSealedKeyView(sealed, header);
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
      'content-type': d.content === 'sealed' ? 'application/octet-stream' : 'video/mp4', 'accept-ranges': 'bytes', etag: `"${d.copy_sha256}"`, 'cache-control': 'private, no-store',
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

  /** Every disclosure of the owner's clips (their data export). */
  sharesOf = async (ownerId: string): Promise<DisclosureView[]> => (await repo.listByOwner(this.#db, ownerId, 100_000)).map(toDisclosureView);

  /** Every disclosure made on one basis, each with its evidence manifest. */
  evidenceFor = async (kind: BasisKind, ref: string, db: DbHandle = this.#db): Promise<EvidenceManifest[]> => (await this.evidenceRecordsFor(kind, ref, db)).map((e) => e.manifest);

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
