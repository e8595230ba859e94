// The demo neighbourhood's feed (issue 12 §7): a few dozen posts across the
// categories, comments, one agency alert with its verified profile and one
// removed post as a tombstone, as the demo resident reads them.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { freshTarget } from '../helpers/db.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { openDatabase, type Db } from '../../src/platform/db/db.ts';
import { DEMO_PASSWORD, seedDemo } from '../../src/demo/seed.ts';
import { CATEGORIES } from '../../src/feed/policy.ts';

let t: TestApp;
let db: Db;
let drop: () => Promise<void>;
before(async () => {
  const fresh = await freshTarget('sqlite');
  drop = fresh.drop;
  db = await openDatabase(fresh.target);
  t = await buildTestApp(db);
  await seedDemo(t);
});
after(async () => {
  await t.app.close();
  await db.close();
  await drop();
});

test('the demo resident sees a living feed: every category, comments, an agency alert and a tombstone', async () => {
  const signIn = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'resident1@demo.porchlight.invalid', password: DEMO_PASSWORD } });
  assert.equal(signIn.statusCode, 200, signIn.body);
  const res = await t.app.inject({ method: 'GET', url: '/api/v1/feed?radiusMi=2', headers: { authorization: `Bearer ${signIn.json().token}` } });
  assert.equal(res.statusCode, 200, res.body);
  const { items } = res.json() as { items: { kind: string; category: string; commentCount: number; removed: unknown; agency: { verified: boolean } | null }[] };
  assert.ok(items.length >= 25, `${items.length} posts`);
  for (const c of CATEGORIES) assert.ok(items.some((i) => i.category === c), c);
  assert.ok(items.some((i) => i.commentCount > 0));
  assert.equal(items.filter((i) => i.kind === 'agency_alert' && i.agency?.verified).length, 1);
  assert.equal(items.filter((i) => i.removed).length, 1);
});
