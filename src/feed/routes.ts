// The neighbourhood feed over HTTP (issue 12): residents read, post, comment
// and report; agency members post alerts for their agency; reviewers work the
// report queue (review-routes.ts). Response schemas list every field an
// audience may see: the exact point is in `exactLocation`, which only the
// author's own view carries (views.ts), so nothing else can leak.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Readable } from 'node:stream';
import { Type } from 'typebox';
import { requireUser } from '../platform/access.ts';
import { errorResponses } from '../platform/http/errors.ts';
import { Id, IdParams, LatLon } from '../platform/http/schemas.ts';
import { CATEGORIES, FEED_LIMITS, REPORT_REASONS } from './policy.ts';
import { Comment, Post, Settings, strict } from './schemas.ts';
import type { FeedInteractions } from './interactions.ts';
import type { FeedService } from './service.ts';

const Binary = (description: string) => Type.Unsafe<Buffer | Readable>({ type: 'string', format: 'binary', description });
const Text = (max: number, description: string) => Type.String({ maxLength: max * 4, description });
const PostBody = {
  title: Text(FEED_LIMITS.titleMaxLength, `at most ${FEED_LIMITS.titleMaxLength} characters`),
  body: Text(FEED_LIMITS.bodyMaxLength, `plain text, at most ${FEED_LIMITS.bodyMaxLength} characters`),
  category: Type.String({ maxLength: 40, description: `one of ${CATEGORIES.join(', ')}` }),
};
const PostParams = Type.Object({ id: Id, commentId: Id }, strict);

export function feedRoutes(posts: FeedService, talk: FeedInteractions): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['feed'];

    app.get('/api/v1/feed', {
      config: { access: 'feed.read' },
      schema: {
        tags, summary: 'Posts around my home, newest first (keyset-paged; filter by categories, comma-separated)',
        querystring: Type.Object({
          radiusMi: Type.Optional(Type.Number({ description: `${FEED_LIMITS.minRadiusMi} to ${FEED_LIMITS.maxRadiusMi}; my saved radius when absent` })),
          category: Type.Optional(Type.String({ maxLength: 200 })),
          cursor: Type.Optional(Type.String({ maxLength: 300 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: FEED_LIMITS.pageSize })),
        }, strict),
        response: { 200: Type.Object({ items: Type.Array(Post), nextCursor: Type.Union([Type.String(), Type.Null()]), radiusMi: Type.Number() }), ...errorResponses(400, 401, 403, 409) },
      },
    }, async (req) => posts.page(requireUser(req.actor), { ...req.query, category: req.query.category?.split(',').filter(Boolean) }));

    app.post('/api/v1/feed/posts', {
      config: { access: 'feed.write' },
      schema: {
        tags, summary: 'Post to the feed; the public point is fuzzed about 150 m once; attached clips are disclosed to the public and logged',
        body: Type.Object({
          ...PostBody,
          location: Type.Optional(LatLon),
          clipIds: Type.Optional(Type.Array(Id, { maxItems: FEED_LIMITS.clipsPerPost, description: 'your own clips; each becomes a public disclosure (basis public_post)' })),
        }, strict),
        response: { 201: Post, ...errorResponses(400, 401, 403, 404, 409, 410, 422, 429) },
      },
    }, async (req, reply) => reply.code(201).send(await posts.create(requireUser(req.actor), req.body)));

    app.get('/api/v1/feed/posts/:id', {
      config: { access: 'feed.read' },
      schema: { tags, summary: 'One post', params: IdParams, response: { 200: Post, ...errorResponses(400, 401, 403, 404, 409) } },
    }, async (req) => posts.get(requireUser(req.actor), req.params.id));

    app.patch('/api/v1/feed/posts/:id', {
      config: { access: 'feed.write' },
      schema: { tags, summary: 'Edit my post (within 15 minutes of posting)', params: IdParams, body: Type.Object(PostBody, strict), response: { 200: Post, ...errorResponses(400, 401, 403, 404, 409) } },
    }, async (req) => posts.edit(requireUser(req.actor), req.params.id, req.body));

    app.delete('/api/v1/feed/posts/:id', {
      config: { access: 'feed.write' },
      schema: { tags, summary: 'Delete my post; its clips are withdrawn (their log entries stay)', params: IdParams, response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) } },
    }, async (req, reply) => reply.code(204).send(await posts.delete(requireUser(req.actor), req.params.id).then(() => null)));

    app.get('/api/v1/feed/posts/:id/clips/:disclosureId/video', {
      config: { access: 'feed.read' },
      schema: {
        tags, summary: "An attached clip's public copy (privacy zones burned in), with byte ranges",
        params: Type.Object({ id: Id, disclosureId: Id }, strict),
        response: { 200: Binary('video/mp4'), 206: Binary('video/mp4, the requested range'), ...errorResponses(400, 401, 403, 404, 409, 410, 416) },
      },
    }, async (req, reply) => {
      const v = await posts.clipVideo(requireUser(req.actor), req.params.id, req.params.disclosureId, req.headers.range);
      return reply.code(v.status).headers(v.headers).send(v.body);
    });

    app.get('/api/v1/feed/posts/:id/comments', {
      config: { access: 'feed.read' },
      schema: {
        tags, summary: "A post's comments, oldest first", params: IdParams,
        querystring: Type.Object({ cursor: Type.Optional(Type.String({ maxLength: 300 })) }, strict),
        response: { 200: Type.Object({ items: Type.Array(Comment), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses(400, 401, 403, 404, 409) },
      },
    }, async (req) => talk.comments(requireUser(req.actor), req.params.id, req.query.cursor));

    app.post('/api/v1/feed/posts/:id/comments', {
      config: { access: 'feed.write' },
      schema: {
        tags, summary: 'Comment on a post (plain text)', params: IdParams,
        body: Type.Object({ body: Text(FEED_LIMITS.commentMaxLength, `plain text, at most ${FEED_LIMITS.commentMaxLength} characters`) }, strict),
        response: { 201: Comment, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    }, async (req, reply) => reply.code(201).send(await talk.comment(requireUser(req.actor), req.params.id, req.body.body)));

    app.delete('/api/v1/feed/posts/:id/comments/:commentId', {
      config: { access: 'feed.write' },
      schema: { tags, summary: 'Delete my comment', params: PostParams, response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) } },
    }, async (req, reply) => reply.code(204).send(await talk.deleteComment(requireUser(req.actor), req.params.id, req.params.commentId).then(() => null)));

    app.post('/api/v1/feed/posts/:id/reports', {
      config: { access: 'feed.write' },
      schema: {
        tags, summary: 'Report a post, or one of its comments, to the reviewers', params: IdParams,
        body: Type.Object({
          commentId: Type.Optional(Id),
          reason: Type.Union(REPORT_REASONS.map((r) => Type.Literal(r))),
          note: Type.Optional(Type.String({ maxLength: FEED_LIMITS.reportNoteMaxLength })),
        }, strict),
        response: { 201: Type.Object({ reported: Type.Literal(true) }), ...errorResponses(400, 401, 403, 404, 409) },
      },
    }, async (req, reply) => reply.code(201).send(await talk.report(requireUser(req.actor), req.params.id, req.body)));

    app.get('/api/v1/me/feed-settings', {
      config: { access: 'feed.read' },
      schema: { tags, summary: 'My feed radius and web push per kind', response: { 200: Settings, ...errorResponses(401, 403) } },
    }, async (req) => talk.settings(requireUser(req.actor)));

    app.put('/api/v1/me/feed-settings', {
      config: { access: 'feed.write' },
      schema: { tags, summary: 'Set my feed radius and web push per kind', body: Settings, response: { 200: Settings, ...errorResponses(400, 401, 403) } },
    }, async (req) => talk.saveSettings(requireUser(req.actor), req.body));

    app.post('/api/v1/agencies/:id/alerts', {
      config: { access: 'agency.feed' },
      schema: {
        tags, summary: "Post an alert for my agency at a point in its jurisdiction; it shows the agency's verified profile", params: IdParams,
        body: Type.Object({ ...PostBody, location: LatLon }, strict),
        response: { 201: Post, ...errorResponses(400, 401, 403, 404, 429) },
      },
    }, async (req, reply) => reply.code(201).send(await posts.alert(requireUser(req.actor), req.params.id, req.body)));
  };
}
