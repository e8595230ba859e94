import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachEngine } from '../helpers/db.ts';
import { as, buildTestApp, createResident, type TestApp } from '../helpers/app.ts';
import { seedDemoCameras } from '../../src/demo/cameras.ts';
import { demoHomes } from '../../src/demo/neighbourhood.ts';

forEachEngine('demo cameras', (getDb) => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp(getDb());
  });
  after(async () => t.app.close());

  test('the demo homes get their cameras, readable through the API like any other', async () => {
    const owners = [await createResident(t), await createResident(t)];
    const homes = demoHomes(10).map((h, i) => ({ ...h, userId: owners[i % 2].id }));
    let last = 0;
    const seeded = await seedDemoCameras(getDb().kysely, homes, t.clock.now(), (done) => (last = done));
    const expected = homes.reduce((n, h) => n + h.cameras.length, 0);
    assert.equal(seeded.length, expected);
    assert.equal(last, expected);
    const listed = (await as(t, owners[0], { method: 'GET', url: '/api/v1/cameras' })).json();
    assert.equal(listed.length, seeded.filter((c) => c.ownerId === owners[0].id).length);
    assert.ok(listed.some((c: { privacyZones: unknown[] }) => c.privacyZones.length === 1), 'some doorbells carry a privacy zone');
  });
});
