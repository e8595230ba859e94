// wire() is construction only, and every port is required (issue 11 item 1):
// a service built without one stops with an error naming it, and wiring an app
// beside a DATA_DIR's leftovers removes none of them (only start() sweeps).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { freshTarget } from '../helpers/db.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { openDatabase, type Db } from '../../src/platform/db/db.ts';
import { MissingPort } from '../../src/platform/ports.ts';
import { DisclosureService } from '../../src/disclosure/service.ts';
import { LegalService } from '../../src/legal/service.ts';
import { EmergencyService } from '../../src/emergency/service.ts';
import { EmergencyNoticeDelays } from '../../src/emergency/notice-delay.ts';
import { loadConfig } from '../../src/config.ts';
import { wire } from '../../src/app/wire.ts';
import { prepare } from '../../src/app/prepare.ts';
import { sweep } from '../../src/app/start.ts';

describe('wire', () => {
  let db: Db;
  let drop: () => Promise<void>;
  let t: TestApp;
  before(async () => {
    const fresh = await freshTarget('sqlite');
    drop = fresh.drop;
    db = await openDatabase(fresh.target);
    t = await buildTestApp(db);
  });
  after(async () => {
    await t.app.close();
    await db.close();
    await drop();
  });

  test('a service built without a port stops with an error that names the port', () => {
    const { clips, disclosure, notices, legal } = t.services;
    const documents = legal.documents;
    const missing = (fn: () => unknown, service: string, port: string) =>
      assert.throws(fn, (err: unknown) => err instanceof MissingPort && err.message.includes(service) && err.message.includes(`"${port}"`), `${service} without ${port}`);
    const none = undefined as never;
    missing(() => new DisclosureService(t.ctx, { clips, ownerPolicy: none }), 'DisclosureService', 'ownerPolicy');
    missing(() => new DisclosureService(t.ctx, { clips: none, ownerPolicy: async () => ({ blockedAgencyTypes: [] }) }), 'DisclosureService', 'clips');
    missing(() => new LegalService(t.ctx, { clips, disclosure, notices, documents, agencyGate: none }), 'LegalService', 'agencyGate');
    missing(() => new EmergencyService(t.ctx, { disclosure, notices, jurisdiction: none }), 'EmergencyService', 'jurisdiction');
    missing(() => new EmergencyNoticeDelays(t.ctx, { emergency: t.services.emergency, notices, documents: none }), 'EmergencyNoticeDelays', 'documents');
  });

  test('wire and prepare leave temp files and orphan blobs alone; only the sweep of start() removes them', async () => {
    const fresh = await freshTarget('sqlite');
    const dataDir = path.dirname(fresh.target.kind === 'sqlite' ? fresh.target.file : '');
    const config = loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: dataDir, DEMO: 'false' });
    const leftovers = ['tmp/upload.part', 'blobs/ab/orphan', 'disclosures/tmp/copy.part', 'legal/tmp/doc.part'].map((f) => path.join(dataDir, f));
    for (const f of leftovers) {
      fs.mkdirSync(path.dirname(f), { recursive: true });
      fs.writeFileSync(f, 'in flight');
    }
    const built = await wire(config, { logger: false });
    try {
      await prepare(built);
      for (const f of leftovers) assert.ok(fs.existsSync(f), `${path.relative(dataDir, f)} survives wire + prepare`);
      await sweep(built);
      for (const f of leftovers) assert.equal(fs.existsSync(f), false, `${path.relative(dataDir, f)} is swept by start's sweep`);
    } finally {
      await built.app.close();
      await fresh.drop();
    }
  });
});
