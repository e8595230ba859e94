// The feed's response shapes, shared by its route files.
import { Type } from 'typebox';
import { FEED_LIMITS } from './policy.ts';

export const strict = { additionalProperties: false } as const;
const T = Type.String({ format: 'date-time' });
const NT = Type.Union([T, Type.Null()]);
const Point = Type.Object({ lat: Type.Number(), lon: Type.Number() });
const Removed = Type.Union([Type.Object({ tombstone: Type.String(), at: T }), Type.Null()]);
const Author = Type.Object({ name: Type.String(), mine: Type.Boolean() });

export const Post = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal('post'), Type.Literal('agency_alert')]),
  category: Type.String(), title: Type.String(), body: Type.String(),
  location: Type.Object(Point.properties, { description: 'the public point, fuzzed about 150 m once when the post was made' }),
  exactLocation: Type.Optional(Type.Object(Point.properties, { description: "the true point: only in the author's own view" })),
  distanceMi: Type.Union([Type.Number(), Type.Null()]),
  author: Author,
  agency: Type.Union([Type.Object({ id: Type.String(), name: Type.String(), type: Type.String(), verified: Type.Boolean() }), Type.Null()]),
  createdAt: T, editedAt: NT, editableUntil: NT, removed: Removed, commentCount: Type.Integer(),
  clips: Type.Array(Type.Object({ disclosureId: Type.String(), videoUrl: Type.String() })),
});

export const Comment = Type.Object({ id: Type.String(), postId: Type.String(), body: Type.String(), author: Author, createdAt: T, removed: Removed });

export const Settings = Type.Object({
  radiusMi: Type.Number({ description: `${FEED_LIMITS.minRadiusMi} to ${FEED_LIMITS.maxRadiusMi} miles` }),
  push: Type.Object({ posts: Type.Boolean(), replies: Type.Boolean() }, strict),
}, strict);

export const ReportedItem = Type.Object({
  kind: Type.Union([Type.Literal('post'), Type.Literal('comment')]), id: Type.String(), postId: Type.String(), title: Type.String(), text: Type.String(),
  author: Type.Object({ id: Type.String(), name: Type.String() }), reports: Type.Integer(),
  reasons: Type.Array(Type.Object({ reason: Type.String(), count: Type.Integer() })), notes: Type.Array(Type.String()), firstReportedAt: T, ageMs: Type.Integer(),
});
