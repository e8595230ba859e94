// Notification channels (issue 14 §4): per kind, in-app, e-mail and web push.
// The outbox applies the choice when a capability enqueues a message
// (platform/outbox/outbox.ts, enqueueMany); this service only reads and saves
// it. Feed push has had its own switch on the feed's settings since before
// this page: saving here sets that switch too, so the two never disagree on
// the one browser they both speak for.
import type { UserActor } from '../platform/access.ts';
import type { AppContext } from '../platform/context.ts';
import { badRequest } from '../platform/http/errors.ts';
import { requirePorts } from '../platform/ports.ts';
import { DEFAULT_CHANNELS, NOTIFICATION_KINDS, settingProblem, type Channels, type NotificationKind } from '../platform/outbox/policy.ts';
import * as repo from './repository.ts';

export type NotificationSettings = Record<NotificationKind, Channels>;

export interface FeedPushPort {
  get(actor: UserActor): Promise<{ posts: boolean; replies: boolean }>;
  set(actor: UserActor, push: { posts: boolean; replies: boolean }): Promise<void>;
}

export class NotificationSettingsService {
  readonly #ctx: AppContext;
  readonly #feedPush: FeedPushPort;

  constructor(ctx: AppContext, deps: { feedPush: FeedPushPort }) {
    requirePorts('NotificationSettingsService', deps, ['feedPush']);
    this.#ctx = ctx;
    this.#feedPush = deps.feedPush;
  }

  get #db() {
    return this.#ctx.db.kysely;
  }

  async get(actor: UserActor): Promise<NotificationSettings> {
    const saved = new Map((await repo.channelsOf(this.#db, actor.userId)).map((r) => [r.kind, { inapp: r.inapp === 1, email: r.email === 1, push: r.push === 1 }]));
    const feed = await this.#feedPush.get(actor);
    const out = {} as NotificationSettings;
    for (const kind of NOTIFICATION_KINDS) out[kind] = saved.get(kind) ?? { ...DEFAULT_CHANNELS[kind] };
    // Unsaved feed kinds push exactly when the feed's own switch is on, as before.
    if (!saved.has('feed_posts')) out.feed_posts.push = feed.posts;
    if (!saved.has('feed_replies')) out.feed_replies.push = feed.replies;
    return out;
  }

  /** Saves the kinds given; refuses the whole request, writing nothing, if one would silence a kind that must stay. */
  async put(actor: UserActor, input: Partial<NotificationSettings>): Promise<NotificationSettings> {
    const given = NOTIFICATION_KINDS.filter((k) => input[k] !== undefined);
    const problems = given.flatMap((k) => {
      const p = settingProblem(k, input[k]!);
      return p ? [{ field: `body.${k}`, message: p }] : [];
    });
    if (problems.length) throw badRequest(problems.map((p) => p.message).join('; '), problems);
    const now = this.#ctx.clock.now();
    await repo.saveChannels(this.#db, given.map((k) => ({ user_id: actor.userId, kind: k, inapp: input[k]!.inapp ? 1 : 0, email: input[k]!.email ? 1 : 0, push: input[k]!.push ? 1 : 0, updated_at: now })));
    if (input.feed_posts || input.feed_replies) {
      const feed = await this.#feedPush.get(actor);
      await this.#feedPush.set(actor, { posts: input.feed_posts?.push ?? feed.posts, replies: input.feed_replies?.push ?? feed.replies });
    }
    return this.get(actor);
  }
}
