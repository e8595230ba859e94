// The log's identity does not move (#17, defect 2): the origin is fixed by the
// first checkpoint when the log is created. The same DATA_DIR restarted on
// another port or under another PUBLIC_URL keeps signing under its first
// origin; a LOG_ORIGIN that differs from it stops start-up with a message
// naming both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, ConfigError } from '../../src/config.ts';
import { wirePrepared } from '../../src/app/prepare.ts';
import { latestCheckpoint } from '../../src/ledger/repository.ts';
import { appendRange } from './helpers.ts';
import { tempDir } from '../helpers/db.ts';

const dataDir = tempDir('porchlight-origin-');
const open = (env: Record<string, string>) => wirePrepared(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', DEMO: 'false', ...env }), { logger: false });
const originOf = (note: string) => note.split('\n', 1)[0];

test('the origin chosen at creation survives a new port and a new PUBLIC_URL, and a different LOG_ORIGIN is refused', async () => {
  const first = await open({ PORT: '8181' });
  assert.equal(first.services.ledger.signer.name, 'localhost:8181/log');
  const created = (await latestCheckpoint(first.ctx.db.kysely))!;
  assert.equal(originOf(created.note), 'localhost:8181/log');
  await first.app.close();

  let next = 0;
  const restarts: Record<string, string>[] = [{ PORT: '9191' }, { PORT: '9191', PUBLIC_URL: 'https://cams.example.org' }, { LOG_ORIGIN: 'localhost:8181/log' }];
  for (const env of restarts) {
    const again = await open(env);
    assert.equal(again.services.ledger.signer.name, 'localhost:8181/log', JSON.stringify(env));
    await appendRange(again.ctx.db, next, next + 3);
    next += 3;
    assert.equal(await again.services.ledger.integrate(), 3);
    const cp = (await latestCheckpoint(again.ctx.db.kysely))!;
    assert.equal(cp.size, next);
    assert.equal(originOf(cp.note), 'localhost:8181/log', JSON.stringify(env));
    await again.app.close();
  }

  await assert.rejects(open({ LOG_ORIGIN: 'cams.example.org/log' }), (err: unknown) => {
    assert.ok(err instanceof ConfigError, String(err));
    assert.match(err.message, /LOG_ORIGIN/);
    assert.match(err.message, /cams\.example\.org\/log/);
    assert.match(err.message, /localhost:8181\/log/);
    return true;
  });
});
