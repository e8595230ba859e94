// Retention per camera (issue 14, item 6): the owner sets 1 to 180 days for a
// camera, or leaves it to their account's default, and sees for each clip when
// it will be deleted and whether a hold keeps it. The deletion itself is the
// clips service's sweep (service.ts, sweepRetention), which applies the same
// rule (policy.retentionEndsAt). Owner-checked: another owner's camera is a 404.
import type { UserActor } from '../platform/access.ts';
import type { AppContext } from '../platform/context.ts';
import { notFound, orBadRequest } from '../platform/http/errors.ts';
import { decodeCursor, encodeCursor } from '../platform/http/cursor.ts';
import { findOwnedCamera } from '../cameras/repository.ts';
import { checkRetentionDays, effectiveRetentionDays, LIMITS, retentionEndsAt } from './policy.ts';
import * as repo from './repository.ts';

export interface CameraRetention {
  cameraId: string;
  /** The days that apply to this camera's clips. */
  days: number;
  /** The camera's own setting; null when it follows the owner's default. */
  cameraDays: number | null;
  ownerDays: number;
}

export interface RetentionPreviewItem {
  clipId: string;
  startedAt: string;
  /** When the retention period ends; the next hourly sweep after it deletes the clip. */
  deletesAt: string;
  /** A hold keeps the clip past that date. Only the fact: the case behind it stays sealed. */
  held: boolean;
}

export class RetentionService {
  readonly #ctx: AppContext;

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
  }

  get #db() {
    return this.#ctx.db.kysely;
  }

  async #settings(actor: UserActor, cameraId: string): Promise<CameraRetention> {
    const camera = await findOwnedCamera(this.#db, actor.userId, cameraId);
    if (!camera) throw notFound('no such camera');
    const ownerDays = await repo.retentionDays(this.#db, actor.userId);
    return { cameraId, days: effectiveRetentionDays(camera.retention_days, ownerDays), cameraDays: camera.retention_days, ownerDays };
  }

  /** Sets a camera's retention; null returns it to the owner's default. Bad days are refused before anything is read. */
  async set(actor: UserActor, cameraId: string, days: number | null): Promise<CameraRetention> {
    const checked = days === null ? null : orBadRequest(checkRetentionDays(days));
    await this.#settings(actor, cameraId);
    await repo.setCameraRetentionDays(this.#db, cameraId, checked);
    return this.#settings(actor, cameraId);
  }

  /** The camera's clips, first to go first, with the date each will be deleted. */
  async preview(actor: UserActor, cameraId: string, q: { cursor?: string; limit?: number }) {
    const after = q.cursor ? decodeCursor(q.cursor) : undefined;
    const settings = await this.#settings(actor, cameraId);
    const limit = Math.min(q.limit ?? LIMITS.pageDefault, LIMITS.pageMax);
    const rows = await repo.retentionPreview(this.#db, cameraId, this.#ctx.clock.now(), limit + 1, after && { startedAt: after.t, id: after.id });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const items: RetentionPreviewItem[] = page.map((r) => ({
      clipId: r.id,
      startedAt: new Date(r.started_at).toISOString(),
      deletesAt: new Date(retentionEndsAt(r.started_at, settings.cameraDays, settings.ownerDays)).toISOString(),
      held: r.held,
    }));
    return { ...settings, items, nextCursor: rows.length > limit && last ? encodeCursor(last.started_at, last.id) : null };
  }
}
