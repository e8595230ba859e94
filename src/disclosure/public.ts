// Clips attached to a feed post: a consent-based disclosure to the public
// (PRODUCT.md B, "Posts"; issue 12 §3), logged with the basis `public_post`.
//
// - Every attached clip gets its own public copy, with the camera's privacy
//   zones burned in (copies.ts), even from a camera without zones: the public
//   never reads the owner's original, so withdrawing the copy withdraws all of it.
// - The copies are made before the transaction (ffmpeg takes seconds); then ONE
//   transaction writes the caller's post, each consent, each disclosure row and
//   each log entry. A post never exists with half its clips, and no clip is
//   public without its entry.
// - A clip from an end-to-end encrypted camera is refused: the server cannot
//   read it, so it cannot make a public copy.
// - Deleting (or removing) the post withdraws: the consents are revoked and the
//   copies destroyed; the disclosure rows and the log entries stay, because the
//   disclosure did happen.
import type { UserActor } from '../platform/access.ts';
import type { AppContext } from '../platform/context.ts';
import { newId } from '../platform/crypto.ts';
import type { DbHandle } from '../platform/db/db.ts';
import { HttpError, notFound } from '../platform/http/errors.ts';
import type { ClipBytes } from '../clips/internal.ts';
import type { CopyStore, StoredCopy } from './copies.ts';
import type { LogWriter } from './log.ts';
import { decideDisclosure, type ConsentBasis } from './policy.ts';
import * as repo from './repository.ts';
import { refusalStatus, toDisclosureView, toFacts, zonesOf, type DisclosureView } from './views.ts';

const PUBLIC = { kind: 'public' } as const;

export const PUBLIC_E2EE_REFUSAL = 'comes from an end-to-end encrypted camera: the server cannot read it, so it cannot make the public copy a post needs, and it cannot be attached';

/** What the public-post door needs of the disclosure service: its copy store, log writer and clip bytes. */
export interface PublicDoorParts {
  copies: CopyStore;
  log: LogWriter;
  bytes: ClipBytes;
}

export class PublicDisclosures {
  readonly #ctx: AppContext;
  readonly #parts: PublicDoorParts;

  constructor(ctx: AppContext, parts: PublicDoorParts) {
    this.#ctx = ctx;
    this.#parts = parts;
  }

  /** The decision for one clip, on the consent this attachment gives; throws the refusal. */
  #check(row: repo.ClipFactsRow | undefined, actor: UserActor, clipId: string, postId: string, now: number): repo.ClipFactsRow {
    if (!row || row.owner_id !== actor.userId) throw notFound(`no clip ${clipId} of yours`);
    const facts = toFacts(row);
    if (facts.e2ee && !facts.deleted) throw new HttpError(422, `clip ${clipId} ${PUBLIC_E2EE_REFUSAL}`);
    const offered: ConsentBasis = { kind: 'consent', id: postId, ownerId: actor.userId, clipId, recipient: 'public', givenAt: now, revokedAt: null, expiresAt: null };
    const d = decideDisclosure({ recipient: PUBLIC, clip: facts, bases: [offered], ownerPolicy: { blockedAgencyTypes: [] }, now });
    if (!d.allow) throw new HttpError(refusalStatus(d.code), d.code === 'deleted' ? `clip ${clipId} is deleted` : d.reason);
    return row;
  }

  /**
   * Checks every clip, makes their public copies, then runs `write` (the post's
   * own rows, given the disclosures' ids) and records each disclosure, in one transaction.
   */
  async attach(actor: UserActor, postId: string, clipIds: readonly string[], write: (tx: DbHandle, disclosureIds: string[]) => Promise<void>): Promise<DisclosureView[]> {
    const db = this.#ctx.db.kysely;
    const now = this.#ctx.clock.now();
    const ids = [...new Set(clipIds)];
    const rows: repo.ClipFactsRow[] = [];
    for (const id of ids) rows.push(this.#check(await repo.clipFacts(db, id), actor, id, postId, now));
    const made: (StoredCopy & { id: string; zones: unknown[] })[] = [];
    try {
      for (const row of rows) {
        const clip = await this.#parts.bytes.findAny(row.id);
        if (!clip) throw new HttpError(410, `clip ${row.id} is deleted`);
        const id = newId();
        const zones = zonesOf(row.privacy_zones);
        made.push({ ...(await this.#parts.copies.makeRedacted(id, clip, zones)), id, zones });
      }
      return await db.transaction().execute(async (tx) => {
        await write(tx, made.map((c) => c.id));
        const out: DisclosureView[] = [];
        for (const [i, copy] of made.entries()) {
          // Locked and read again: a clip deleted while its copy was made is refused, and the shred cannot miss this copy.
          await repo.lockClip(tx, this.#ctx.db.engine, rows[i].id);
          const row = this.#check(await repo.clipFacts(tx, rows[i].id), actor, rows[i].id, postId, now);
          await repo.insertConsent(tx, { id: newId(), owner_id: row.owner_id, clip_id: row.id, recipient: 'public', ref: postId, given_at: now, revoked_at: null });
          const logged = await this.#parts.log.append(tx, { basis: 'public_post', agency: null, ref: postId, reviewers: [], clips: [{ clipId: row.id, ownerId: row.owner_id, sha256: row.sha256 }] });
          const disclosure: repo.DisclosureRow = {
            id: copy.id, clip_id: row.id, owner_id: row.owner_id, recipient: 'public', basis_kind: 'consent', basis_ref: postId, content: 'derived',
            copy_blob_key: copy.blobKey, copy_wrapped_key: copy.wrappedKey, copy_sha256: copy.sha256, copy_size: copy.size, original_sha256: row.sha256,
            log_seq: logged.seq, salt: logged.salts[0], created_at: now, redaction: JSON.stringify(copy.zones),
          };
          await repo.insertDisclosure(tx, disclosure);
          out.push(toDisclosureView(disclosure));
        }
        return out;
      });
    } catch (err) {
      for (const c of made) await this.#parts.copies.remove(c.blobKey);
      throw err;
    }
  }

  /**
   * Withdraws what a post disclosed, in the caller's transaction: consents
   * revoked, copies' keys destroyed. Returns what to run once it commits (the
   * blobs' removal; a crash before leaves blobs no row names, which the copies'
   * start-up sweep removes).
   */
  async withdraw(tx: DbHandle, postId: string): Promise<() => Promise<void>> {
    const now = this.#ctx.clock.now();
    const keys = await repo.withdrawPublic(tx, postId, now);
    return async () => {
      for (const key of keys) await this.#parts.copies.remove(key);
    };
  }
}

/** A reader's request for an attached clip of a post: anything but a live public disclosure of that post is 404. */
export async function checkPublicDisclosure(db: DbHandle, postId: string, disclosureId: string): Promise<void> {
  const d = await repo.findDisclosure(db, disclosureId);
  if (!d || d.recipient !== 'public' || d.basis_ref !== postId) throw notFound('no such clip on this post');
}

