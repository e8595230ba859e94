// The start-up banner comes last, after the listen line, and names the address
// and /docs; the log before it is one JSON object a line (stdout is no terminal
// here). The server is a real child process, killed with SIGKILL (issue 19).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { serveBanner, demoLines, terminalQr } from '../../src/cli/banner.ts';
import { demoSignIns, DEMO_PASSWORD, DEMO_STAFF } from '../../src/demo/seed.ts';
import { spawnPorchlight } from '../helpers/server.ts';
import { tempDir } from '../helpers/db.ts';

test('serve --init on a fresh DATA_DIR: the listen line, then the banner with the address and /docs', { timeout: 180_000 }, async () => {
  const dataDir = path.join(tempDir(), 'data');
  const child = spawnPorchlight(['serve', '--init'], { DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'info', DEMO: 'false' });
  let out = '';
  let err = '';
  child.stderr!.on('data', (b) => (err += b));
  const exited = once(child, 'exit');
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (b) => {
        out += b;
        if (out.includes('openapi.json\n')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`serve exited (${code}): ${err}`)));
    });
    const base = /Porchlight is running at (http:\/\/127\.0\.0\.1:\d+)\n/.exec(out)?.[1];
    assert.ok(base, out);
    const bannerAt = out.indexOf('\nPorchlight is running at');
    const listenAt = out.indexOf(`Server listening at ${base}`);
    assert.ok(listenAt >= 0 && listenAt < bannerAt, `the listen line comes before the banner:\n${out}`);
    assert.ok(out.slice(bannerAt).includes(`API reference: ${base}/docs`));
    // Everything above the banner is JSON lines (pino's synchronous destination).
    for (const line of out.slice(0, bannerAt).split('\n').filter(Boolean)) assert.doesNotThrow(() => JSON.parse(line), line);
    assert.equal(err.split('\n')[0], `porchlight: DATA_DIR ${dataDir} · database sqlite ${path.join(dataDir, 'porchlight.db')} (new)`);
    assert.ok(fs.existsSync(path.join(dataDir, 'porchlight.db')));
  } finally {
    const pid = child.pid!;
    child.kill('SIGKILL');
    const [, signal] = (await exited) as [number | null, string | null];
    assert.equal(signal, 'SIGKILL');
    assert.throws(() => process.kill(pid, 0), (e: NodeJS.ErrnoException) => e.code === 'ESRCH', 'the server process is gone');
    fs.rmSync(path.dirname(dataDir), { recursive: true, force: true });
  }
});

test('the banner with a demo: every role\'s sign-in and password, and the agency\'s otpauth URI and QR', async () => {
  const demo = demoSignIns(() => 0);
  const officer = DEMO_STAFF.find((s) => s.role === 'agency')!;
  const qr = await terminalQr(demo.agencyTotp.otpauthUri);
  assert.ok(qr && qr.split('\n').length > 10, 'the qrcode terminal renderer drew a code');
  const text = serveBanner({ base: 'http://127.0.0.1:8080', metricsAddress: null, demo, qr });
  assert.match(text, /^\nPorchlight is running at http:\/\/127\.0\.0\.1:8080\nAPI reference: http:\/\/127\.0\.0\.1:8080\/docs/);
  assert.ok(text.includes(`password for every demo account: ${DEMO_PASSWORD}`));
  for (const s of DEMO_STAFF) assert.ok(text.includes(s.email), s.email);
  assert.ok(text.includes('resident1@demo.porchlight.invalid'));
  assert.ok(text.includes(`otpauth://totp/Porchlight:${encodeURIComponent(officer.email)}?`), 'the agency officer\'s URI');
  assert.ok(text.includes(`secret=${officer.totp}`));
  assert.ok(text.includes(qr.split('\n')[1]!), 'the QR is drawn into the banner');
  // Without a terminal the URI stays and the QR goes.
  const plain = demoLines(demo, null).join('\n');
  assert.ok(plain.includes(demo.agencyTotp.otpauthUri));
  assert.equal(plain.includes(qr.split('\n')[1]!), false);
});
