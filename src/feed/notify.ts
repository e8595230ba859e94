// Who hears of what on the feed (issue 12 §6; PRODUCT.md I): a new post
// reaches residents whose chosen radius holds it, a comment reaches the post's
// author. Messages are outbox rows written in the same transaction as the post
// or comment (platform/outbox): in-app (the live SSE stream) and e-mail are written for
// every reader, web push only where the reader switched it on and has a subscribed
// browser; the outbox then keeps the channels each reader chose (issue 14 §4).
import type { DbHandle } from '../platform/db/db.ts';
import type { OutboxMessage } from '../platform/outbox/outbox.ts';
import { FEED_LIMITS, METRES_PER_MILE, circleOf, distanceM } from './policy.ts';
import * as repo from './repository.ts';

const label = (category: string) => category.replace(/_/g, ' ');

/** In-app (and push) messages for the residents near a new post, its author left out. */
export async function newPostMessages(tx: DbHandle, post: repo.PostRow, publicUrl: string): Promise<OutboxMessage[]> {
  const at = { lat: Number(post.lat), lon: Number(post.lon) };
  const box = circleOf(at, FEED_LIMITS.maxRadiusMi * METRES_PER_MILE);
  const near = (await repo.homesIn(tx, box)).filter((h) => h.id !== post.author_id
    && distanceM(at, { lat: Number(h.home_lat), lon: Number(h.home_lon) }) <= Number(h.radius_mi ?? FEED_LIMITS.defaultRadiusMi) * METRES_PER_MILE);
  const pushable = await repo.withPushSubscriptions(tx, near.filter((h) => h.push_posts === 1).map((h) => h.id));
  const payload = { postId: post.id, title: post.title, category: post.category, alert: post.agency_id !== null };
  const out: OutboxMessage[] = [];
  const link = `${publicUrl}/feed?post=${post.id}`;
  const email = { ...payload, subject: `Nearby on Porchlight: ${post.title}`, text: `A ${label(post.category)} was posted near your home: ${post.title}\n\nRead it: ${link}\n` };
  for (const h of near) {
    out.push({ channel: 'inapp', userId: h.id, kind: 'feed.post', payload });
    // Written for everyone, kept only for those who chose e-mail (the outbox applies the owner's channels before inserting).
    out.push({ channel: 'email', userId: h.id, kind: 'feed.post', payload: email });
    if (pushable.has(h.id)) {
      out.push({ channel: 'push', userId: h.id, kind: 'feed.post', payload: { ...payload, title: `Nearby: ${label(post.category)}`, body: post.title, url: `${publicUrl}/feed?post=${post.id}` } });
    }
  }
  return out;
}

/** The post's author hears of a reply by someone else. */
export async function replyMessages(tx: DbHandle, post: repo.PostRow, comment: { id: string; author_id: string }, publicUrl: string): Promise<OutboxMessage[]> {
  if (comment.author_id === post.author_id) return [];
  const payload = { postId: post.id, commentId: comment.id, title: post.title };
  const out: OutboxMessage[] = [
    { channel: 'inapp', userId: post.author_id, kind: 'feed.reply', payload },
    { channel: 'email', userId: post.author_id, kind: 'feed.reply', payload: { ...payload, subject: `A reply to your post: ${post.title}`, text: `Someone replied to your post "${post.title}".\n\nRead it: ${publicUrl}/feed?post=${post.id}\n` } },
  ];
  const s = await repo.settingsOf(tx, post.author_id);
  if (s?.push_replies === 1 && (await repo.withPushSubscriptions(tx, [post.author_id])).has(post.author_id)) {
    out.push({ channel: 'push', userId: post.author_id, kind: 'feed.reply', payload: { ...payload, title: 'A reply to your post', body: post.title, url: `${publicUrl}/feed?post=${post.id}` } });
  }
  return out;
}
