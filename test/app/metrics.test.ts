// /metrics is not public (issue 17, defect 4): the real server serves it only on
// its own listener (METRICS_PORT, on 127.0.0.1 by default), and the public port
// does not answer it with metrics.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { freshTarget, tempDir } from '../helpers/db.ts';
import { killServer, startServer, type Server } from '../helpers/server.ts';

let server: Server | undefined;
const dataDir = tempDir('porchlight-metrics-');
after(async () => {
  if (server) await killServer(server);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('metrics answer on their own loopback listener, not on the public one', async () => {
  const db = await freshTarget('sqlite');
  try {
    server = await startServer({ DATA_DIR: dataDir, DATABASE_URL: `sqlite:${db.target.kind === 'sqlite' ? db.target.file : ''}`, METRICS_PORT: '0' });
    const line = /Metrics: (http:\/\/\S+)\/metrics/.exec(server.stdout());
    assert.ok(line, `the start-up lines name the metrics address: ${server.stdout()}`);
    const metricsBase = line[1];
    assert.equal(new URL(metricsBase).hostname, '127.0.0.1', 'bound to loopback by default');
    assert.notEqual(new URL(metricsBase).port, new URL(server.base).port);

    assert.equal((await fetch(`${server.base}/readyz`)).status, 200);
    const pub = await fetch(`${server.base}/metrics`, { headers: { accept: '*/*' } });
    const pubBody = await pub.text();
    assert.doesNotMatch(pubBody, /http_request_duration_seconds/, 'the public port serves no metrics');
    assert.notEqual(pub.status, 200);

    const res = await fetch(`${metricsBase}/metrics`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /http_request_duration_seconds_count\{method="GET",route="\/readyz",status_code="200"\}/);
  } finally {
    await db.drop();
  }
});
