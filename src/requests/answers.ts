// The owner's side of a community request (issue 5 §4): the inbox, one
// request with the owner's own clips in its area and window, and the answer.
// Each shared clip goes through the disclosure service on the consent basis:
// it decides, makes the redacted copy, writes the disclosure record and
// appends the log entry in one transaction. This module never reads clip bytes.
import type { Polygon } from 'geojson';
import type { UserActor } from '../platform/access.ts';
import type { AppContext } from '../platform/context.ts';
import { HttpError, badRequest, conflict, notFound, orBadRequest } from '../platform/http/errors.ts';
import type { DisclosureService, DisclosureView, OfferedKey } from '../disclosure/service.ts';
import type { LogWriter } from '../disclosure/log.ts';
import type { E2eeService, KeyView } from '../e2ee/service.ts';
import { checkRecipientKey, checkSealedKeyText } from '../e2ee/policy.ts';
import { containsPoint } from '../agencies/geo.ts';
import { AGENCY_TYPES, typeMask } from '../agencies/policy.ts';
import { findAgency } from '../agencies/repository.ts';
import { lifecycleOf } from './policy.ts';
import * as repo from './repository.ts';
import { toInboxItem, type InboxItem } from './views.ts';

export interface ScopeClip {
  id: string;
  cameraId: string;
  cameraName: string;
  startedAt: string;
  endedAt: string;
  kind: string;
  e2ee: boolean;
  thumbnailUrl: string | null;
  shared: boolean;
}

export interface AnswerResult {
  answer: 'shared' | 'declined';
  answeredAt: string;
  shared: { clipId: string; disclosureId: string; logSeq: number; receiptsUrl: string }[];
}

export const MAX_SHARE = 100;

/**
 * Marks the home's answer "shared". Its first share is also a public count of
 * one in the log, in the same transaction (issue 13: the share of reached
 * homes that shared), so the report never counts a home twice or misses one.
 */
export async function recordAnswer(ctx: AppContext, log: LogWriter, r: repo.RequestRow, ownerId: string, now: number): Promise<void> {
  await ctx.db.kysely.transaction().execute(async (tx) => {
    if (await repo.recordShare(tx, ctx.db.engine, r.id, ownerId, now)) {
      await log.event(tx, { basis: 'request_answered', agency: r.agency_id, ref: r.id, reviewers: [], count: 1 });
    }
  });
}

export class AnswersService {
  readonly #ctx: AppContext;
  readonly #disclosure: DisclosureService;
  readonly #e2ee: E2eeService;

  constructor(ctx: AppContext, disclosure: DisclosureService, e2ee: E2eeService) {
    this.#ctx = ctx;
    this.#disclosure = disclosure;
    this.#e2ee = e2ee;
  }

  get #db() {
    return this.#ctx.db.kysely;
  }

  async inbox(actor: UserActor): Promise<InboxItem[]> {
    const now = this.#ctx.clock.now();
    return (await repo.inboxOf(this.#db, actor.userId)).map((r) => toInboxItem(r, now));
  }

  /** A request the owner received; any other id is 404, as if it did not exist. */
  async #received(actor: UserActor, id: string) {
    const rec = await repo.findRecipient(this.#db, id, actor.userId);
    const r = rec ? await repo.findRequest(this.#db, id) : undefined;
    if (!rec || !r) throw notFound('no such request');
    return { r, rec };
  }

  /** The owner's clips from their cameras inside the area whose time overlaps the window. */
  async #scope(ownerId: string, r: repo.RequestRow) {
    const area = JSON.parse(r.area) as Polygon;
    const rows = await repo.ownClipsInWindow(this.#db, ownerId, Number(r.window_start), Number(r.window_end));
    return rows.filter((c) => containsPoint(area, Number(c.lat), Number(c.lon)));
  }

  async get(actor: UserActor, id: string): Promise<InboxItem & { clips: ScopeClip[]; agencyKey: KeyView | null }> {
    const { r } = await this.#received(actor, id);
    const a = (await findAgency(this.#db, r.agency_id))!;
    const [rec] = await repo.inboxOf(this.#db, actor.userId, 1, id);
    const shared = new Set((await this.#disclosure.listByBasis('consent', id)).map((d) => d.clipId));
    const clips = (await this.#scope(actor.userId, r)).map((c) => ({
      id: c.id, cameraId: c.camera_id, cameraName: c.camera_name, startedAt: new Date(Number(c.started_at)).toISOString(),
      endedAt: new Date(Number(c.ended_at)).toISOString(), kind: c.kind, e2ee: c.e2ee === 1,
      thumbnailUrl: c.thumbnail_key ? `/api/v1/clips/${c.id}/thumbnail` : null, shared: shared.has(c.id),
    }));
    return { ...toInboxItem({ ...rec, agency_name: a.name, agency_type: a.type }, this.#ctx.clock.now()), clips, agencyKey: await this.#e2ee.agencyPublicKey(a.id) };
  }

  /**
   * Share some clips, or decline. Idempotent: sharing a clip again returns
   * its existing disclosure. A decline after a share is refused (what was
   * shared cannot be unshared); sharing after a decline is allowed.
   */
  async respond(actor: UserActor, id: string, body: { share?: string[]; decline?: boolean; sealedKeys?: Record<string, { keyId: string; sealedKey: string }> }): Promise<AnswerResult> {
    const { r, rec } = await this.#received(actor, id);
    const now = this.#ctx.clock.now();
    const life = lifecycleOf(r, now);
    if (life !== 'open') throw conflict(`the request is ${life}; it no longer takes answers`);
    const hasShare = Array.isArray(body.share);
    if (hasShare === (body.decline === true)) throw badRequest('answer with either {"share": [clip ids]} or {"decline": true}');
    if (body.sealedKeys && !hasShare) throw badRequest('sealedKeys go with a share', [{ field: 'body.sealedKeys', message: 'only with share' }]);
    if (body.decline) {
      if (rec.answer === 'shared') throw conflict('you already shared clips with this request; a shared clip cannot be withdrawn from the agency');
      if (rec.answer !== 'declined') await repo.updateRecipient(this.#db, id, actor.userId, { answer: 'declined', answered_at: now });
      return { answer: 'declined', answeredAt: new Date(Number(rec.answered_at ?? now)).toISOString(), shared: [] };
    }
    const ids = [...new Set(body.share!)];
    if (ids.length === 0) throw badRequest('share at least one clip, or decline', [{ field: 'body.share', message: 'is empty' }]);
    if (ids.length > MAX_SHARE) throw badRequest(`share at most ${MAX_SHARE} clips at once`, [{ field: 'body.share', message: 'too many' }]);
    const inScope = new Map((await this.#scope(actor.userId, r)).map((c) => [c.id, c]));
    const outside = ids.filter((c) => !inScope.has(c));
    // Someone else's clip reads exactly like one of yours outside the area or window: no existence leak.
    if (outside.length) throw badRequest(`not your clips in this request's area and window: ${outside.join(', ')}`, outside.map((c) => ({ field: 'body.share', message: `${c} is out of scope` })));
    // Refuse the whole answer before anything leaves, rather than share some clips and then fail.
    const offered = this.#offeredKeys(ids, body.sealedKeys ?? {});
    const sealed = ids.filter((c) => inScope.get(c)!.e2ee === 1 && !offered.has(c));
    if (sealed.length) {
      throw new HttpError(422, `end-to-end encrypted clips are shared from your browser, which re-wraps each one's key for the agency; none came for: ${sealed.join(', ')}`, { errors: sealed.map((c) => ({ field: 'body.sealedKeys', message: `${c} is end-to-end encrypted` })) });
    }
    const plainWithKey = [...offered.keys()].filter((c) => inScope.get(c)!.e2ee !== 1);
    if (plainWithKey.length) throw badRequest(`not end-to-end encrypted, so shared without a sealed key: ${plainWithKey.join(', ')}`, plainWithKey.map((c) => ({ field: `body.sealedKeys.${c}`, message: 'not end-to-end encrypted' })));
    if (offered.size) {
      const current = await this.#e2ee.agencyPublicKey(r.agency_id);
      for (const k of offered.values()) orBadRequest(checkRecipientKey(k.keyId, current ? { id: current.keyId } : undefined, `agency ${r.agency_id}`));
    }

    const agency = (await findAgency(this.#db, r.agency_id))!;
    const done: DisclosureView[] = [];
    let failure: unknown;
    for (const clipId of ids) {
      try {
        done.push(await this.#disclosure.disclose(actor, {
          clipId, recipient: { kind: 'agency', agencyId: agency.id, agencyType: agency.type },
          basis: { kind: 'consent', ref: id }, reviewerIds: r.reviewed_by ? [r.reviewed_by] : [], sealedKey: offered.get(clipId),
        }));
      } catch (err) {
        failure = err;
        break;
      }
    }
    if (done.length) await this.#markShared(r, actor.userId, now);
    if (failure) throw failure;
    const after = (await repo.findRecipient(this.#db, id, actor.userId))!;
    return {
      answer: 'shared', answeredAt: new Date(Number(after.answered_at)).toISOString(),
      shared: done.map((d) => ({ clipId: d.clipId, disclosureId: d.id, logSeq: d.logSeq, receiptsUrl: '/api/v1/me/receipts' })),
    };
  }

  /** Every offered key names a clip being shared and has a sealed key's shape. */
  #offeredKeys(ids: string[], keys: Record<string, { keyId: string; sealedKey: string }>): Map<string, OfferedKey> {
    const out = new Map<string, OfferedKey>();
    for (const [clipId, k] of Object.entries(keys)) {
      if (!ids.includes(clipId)) throw badRequest(`a sealed key came for clip ${clipId}, which is not among the clips shared`, [{ field: `body.sealedKeys.${clipId}`, message: 'not shared' }]);
      out.set(clipId, { keyId: k.keyId, sealedKey: orBadRequest(checkSealedKeyText(k.sealedKey, `body.sealedKeys.${clipId}.sealedKey`)) });
    }
    return out;
  }

  async #markShared(r: repo.RequestRow, ownerId: string, now: number): Promise<void> {
    await recordAnswer(this.#ctx, this.#disclosure.log, r, ownerId, now);
  }

  async policy(actor: UserActor): Promise<{ blockedAgencyTypes: string[] }> {
    return { blockedAgencyTypes: await repo.blockedTypesOf(this.#db, actor.userId) };
  }

  async setPolicy(actor: UserActor, blocked: string[]): Promise<{ blockedAgencyTypes: string[] }> {
    const bad = blocked.filter((t) => !(AGENCY_TYPES as readonly string[]).includes(t));
    if (bad.length) throw badRequest(`unknown agency types: ${bad.join(', ')}`, [{ field: 'body.blockedAgencyTypes', message: `must be among ${AGENCY_TYPES.join(', ')}` }]);
    await repo.setBlockedTypes(this.#db, actor.userId, blocked, typeMask(blocked), this.#ctx.clock.now());
    return this.policy(actor);
  }
}
