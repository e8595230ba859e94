// Shared set-up for the feed tests: residents at chosen homes, and posts.
import assert from 'node:assert/strict';
import { as, createResident, type TestApp, type TestUser } from '../helpers/app.ts';
import { CENTRE, offset } from '../requests/helpers.ts';

export { CENTRE, offset };

export const MILE = 1609.344;

/** A resident whose home is `north`/`east` metres from the demo centre. */
export function residentAt(t: TestApp, north = 0, east = 0): Promise<TestUser> {
  return createResident(t, offset(north, east));
}

export function postBody(over: object = {}) {
  return { title: 'Lost cat on Alder St', body: 'Grey tabby, answers to Mochi. Last seen near the park.', category: 'lost_found_pet', ...over };
}

export async function post(t: TestApp, who: TestUser, over: object = {}): Promise<{ id: string; [k: string]: unknown }> {
  const res = await as(t, who, { method: 'POST', url: '/api/v1/feed/posts', payload: postBody(over) });
  assert.equal(res.statusCode, 201, res.body);
  return res.json();
}

export async function feed(t: TestApp, who: TestUser, qs = ''): Promise<{ items: { id: string; [k: string]: unknown }[]; nextCursor: string | null }> {
  const res = await as(t, who, { method: 'GET', url: `/api/v1/feed${qs}` });
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}
