// Shared rate limits: per account when signed in, per address otherwise; 429
// with Retry-After and a problem body; one count across nodes, in PostgreSQL or
// in Redis (REDIS_URL). Limits here are set low on purpose; the default (3,000
// a minute) is far above a person's pace and the tests' own.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { forEachEngine } from '../helpers/db.ts';
import { as, buildTestApp, createResident, type TestApp } from '../helpers/app.ts';
import { pgCluster, PG_UP, type Cluster } from '../helpers/nodes.ts';

const anon = (t: TestApp) => t.app.inject({ method: 'GET', url: '/api/v1/push/vapid-key' });

forEachEngine('rate limits', (getDb) => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp(getDb(), { RATE_LIMIT_PER_MINUTE: '5' });
  });
  after(async () => t.app.close());

  test('per address when signed out, per account when signed in; 429 with Retry-After and a problem body', async () => {
    const ann = await createResident(t); // register + login: two anonymous requests
    const bob = await createResident(t); // two more
    assert.equal((await anon(t)).statusCode, 200);
    const over = await anon(t);
    assert.equal(over.statusCode, 429);
    assert.match(over.headers['content-type'] as string, /application\/problem\+json/);
    assert.ok(Number(over.headers['retry-after']) >= 1 && Number(over.headers['retry-after']) <= 60, String(over.headers['retry-after']));
    assert.equal(over.json().status, 429);
    assert.match(over.json().detail, /at most 5 a minute/);
    // Signed-in users count on their own, whatever the address.
    for (let i = 0; i < 5; i++) assert.equal((await as(t, ann, { method: 'GET', url: '/api/v1/me' })).statusCode, 200);
    assert.equal((await as(t, ann, { method: 'GET', url: '/api/v1/me' })).statusCode, 429);
    assert.equal((await as(t, bob, { method: 'GET', url: '/api/v1/me' })).statusCode, 200, "Ann's count is not Bob's");
  });
});

describe('rate limits shared across two nodes [postgres]', { skip: PG_UP ? false : 'no PostgreSQL' }, () => {
  // One master key on every node, as scale-out requires: the counters' keys are hashed under it.
  const shared = { RATE_LIMIT_PER_MINUTE: '6', MASTER_KEY: randomBytes(32).toString('hex') };
  let pgNodes: Cluster;
  let redisNodes: Cluster | undefined;
  let redisUp = false;
  before(async () => {
    pgNodes = await pgCluster(2, shared);
    redisUp = await new Promise<boolean>((resolve) => {
      const s = net.connect(6379, '127.0.0.1', () => (s.end(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (redisUp) redisNodes = await pgCluster(2, { ...shared, REDIS_URL: 'redis://127.0.0.1:6379', MASTER_KEY: randomBytes(32).toString('hex') });
  });
  after(async () => {
    await pgNodes?.close();
    await redisNodes?.close();
  });

  const spread = async (c: Cluster) => {
    const [a, b] = c.nodes as [TestApp, TestApp];
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push((await anon(a)).statusCode, (await anon(b)).statusCode);
    return codes;
  };

  test('in PostgreSQL: requests spread over both nodes share one count', async () => {
    assert.deepEqual(await spread(pgNodes), [200, 200, 200, 200, 200, 200, 429, 429]);
  });

  test('in Redis (REDIS_URL): the same', { skip: !PG_UP }, async (t) => {
    if (!redisUp) return t.skip('no Redis on 127.0.0.1:6379');
    assert.deepEqual(await spread(redisNodes!), [200, 200, 200, 200, 200, 200, 429, 429]);
  });
});
