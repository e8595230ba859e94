// What readers see of posts and comments. The exact point goes only into the
// author's own view; everyone else gets the public (fuzzed) point. A removed
// item keeps its place as a tombstone without its text. Pure mappings.
import { FEED_LIMITS, distanceM, METRES_PER_MILE, tombstoneOf, type Point } from './policy.ts';
import type { CommentRow, PostRow } from './repository.ts';

const iso = (t: number | null) => (t === null ? null : new Date(Number(t)).toISOString());

export interface AgencyProfile {
  id: string;
  name: string;
  type: string;
  verified: boolean;
}

export interface PostView {
  id: string;
  kind: 'post' | 'agency_alert';
  category: string;
  title: string;
  body: string;
  location: Point;
  /** Only in the author's own view. */
  exactLocation?: Point;
  distanceMi: number | null;
  author: { name: string; mine: boolean };
  agency: AgencyProfile | null;
  createdAt: string;
  editedAt: string | null;
  editableUntil: string | null;
  removed: { tombstone: string; at: string } | null;
  commentCount: number;
  clips: { disclosureId: string; videoUrl: string }[];
}

export interface CommentView {
  id: string;
  postId: string;
  body: string;
  author: { name: string; mine: boolean };
  createdAt: string;
  removed: { tombstone: string; at: string } | null;
}

export interface PostExtras {
  viewerId: string;
  from: Point | null;
  authorName: string;
  agency: AgencyProfile | null;
  commentCount: number;
  disclosureIds: readonly string[];
  now: number;
}

export function toPostView(p: PostRow, x: PostExtras): PostView {
  const mine = p.author_id === x.viewerId;
  const removed = p.removed_at === null ? null : { tombstone: tombstoneOf(p.removed_reason ?? 'other'), at: iso(p.removed_at)! };
  const location = { lat: Number(p.lat), lon: Number(p.lon) };
  const editableUntil = Number(p.created_at) + FEED_LIMITS.editWindowMs;
  const view: PostView = {
    id: p.id, kind: p.agency_id ? 'agency_alert' : 'post', category: p.category,
    title: removed ? '' : p.title, body: removed ? '' : p.body, location,
    distanceMi: x.from ? Math.round((distanceM(x.from, location) / METRES_PER_MILE) * 10) / 10 : null,
    // An agency alert speaks for the agency; a resident appears by the name they chose.
    author: { name: p.agency_id ? (x.agency?.name ?? 'agency') : x.authorName, mine },
    agency: p.agency_id ? x.agency : null,
    createdAt: iso(p.created_at)!, editedAt: iso(p.edited_at),
    editableUntil: mine && !removed && x.now < editableUntil ? iso(editableUntil) : null,
    removed, commentCount: x.commentCount,
    clips: removed ? [] : x.disclosureIds.map((d) => ({ disclosureId: d, videoUrl: `/api/v1/feed/posts/${p.id}/clips/${d}/video` })),
  };
  if (mine) view.exactLocation = { lat: Number(p.exact_lat), lon: Number(p.exact_lon) };
  return view;
}

export function toCommentView(c: CommentRow, viewerId: string, authorName: string): CommentView {
  const removed = c.removed_at === null ? null : { tombstone: tombstoneOf(c.removed_reason ?? 'other'), at: iso(c.removed_at)! };
  return { id: c.id, postId: c.post_id, body: removed ? '' : c.body, author: { name: authorName, mine: c.author_id === viewerId }, createdAt: iso(c.created_at)!, removed };
}
