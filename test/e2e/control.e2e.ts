// The owner's Control Center in Chromium (issue 14 "What it must show", in
// part): a resident ends another session, enrols TOTP by its QR code, exports
// their data and unzips it (the clip inside is byte for byte theirs), then
// deletes the account: the clip's key and the sessions are gone.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import QRCode from 'qrcode';
import { unzipSync } from 'fflate';
import { createHash } from 'node:crypto';
import { ensureWebBuilt, launchBrowser, resultsDir, startServer, Visitor, type Server } from './harness.ts';
import { PASSWORD, checkPage, freshTotp, signUpResident } from './steps.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('the Control Center', { concurrency: false }, () => {
  let server: Server;
  let browser: Browser;
  let v: Visitor;
  let other: string;
  let clipSha: string;
  const email = 'leaving@e2e.example';
  const used = new Set<string>();

  before(async () => {
    ensureWebBuilt();
    server = await startServer();
    browser = await launchBrowser();
    v = await Visitor.open(browser, 'control', server.url);
  });
  after(async () => {
    await v?.close();
    await browser?.close();
    await server?.stop();
  });

  const api = async (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(server.url + url, { method, headers: { authorization: `Bearer ${other}`, ...(body instanceof Uint8Array ? {} : { 'content-type': 'application/json' }), ...headers }, body: body instanceof Uint8Array ? new Blob([body as Uint8Array<ArrayBuffer>]) : body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, json: res.headers.get('content-type')?.includes('json') ? await res.json() : null };
  };

  it('a resident signs up; a second session (another device) adds a camera and a clip', async () => {
    await signUpResident(v, { name: 'Lee Leaving', email, home: { lat: 45.5231, lon: -122.6765 } });
    const login = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
    other = (await login.json()).token;
    const cam = await api('POST', '/api/v1/cameras', { name: 'Porch', location: { lat: 45.5231, lon: -122.6765 }, kind: 'doorbell' });
    assert.equal(cam.status, 201);
    const clip = fs.readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'clip.mp4'));
    clipSha = sha(clip);
    const now = Date.now();
    const qs = new URLSearchParams({ cameraId: cam.json.id, startedAt: new Date(now - 60_000).toISOString(), endedAt: new Date(now - 50_000).toISOString(), kind: 'manual' });
    assert.equal((await api('POST', `/api/v1/clips?${qs}`, new Uint8Array(clip), { 'content-type': 'video/mp4' })).status, 201);
  });

  it('ends the other session from the list', async () => {
    await v.goto('/home/account');
    await v.page.getByRole('heading', { name: 'Your data and account', level: 1 }).waitFor();
    await checkPage(v, 'control-center');
    const rows = v.page.getByTestId('session');
    await rows.nth(1).waitFor();
    assert.equal(await rows.count(), 2);
    await rows.getByRole('button', { name: 'End' }).click();
    await v.page.waitForFunction(() => document.querySelectorAll('[data-testid="session"]').length === 1);
    assert.equal((await api('GET', '/api/v1/me')).status, 401, 'the other device is signed out');
  });

  it('enrols TOTP by the QR code, which encodes the secret the page shows', async () => {
    await v.goto('/account/totp');
    await v.page.getByRole('button', { name: 'Show my secret' }).click();
    const secret = (await v.page.getByTestId('totp-secret').innerText()).trim();
    const shown = await v.page.getByTestId('qr-code').getAttribute('src');
    const uri = await v.page.getByRole('link', { name: 'Open in authenticator app' }).getAttribute('href');
    assert.ok(uri?.startsWith('otpauth://totp/') && uri.includes(`secret=${secret}`), uri ?? '');
    assert.equal(decodeURIComponent(shown!.replace(/^data:image\/svg\+xml;charset=utf-8,/, '')), await QRCode.toString(uri!, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }), 'the QR code is of the otpauth URI');
    await checkPage(v, 'control-totp-qr');
    await v.page.getByLabel('Current code').fill(await freshTotp(secret, used));
    await v.page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
    // The recovery codes are shown once, before the page moves on.
    await v.page.getByTestId('recovery-codes').waitFor();
    await v.page.getByRole('button', { name: 'I have stored my recovery codes' }).click();
    await v.page.getByRole('heading', { name: 'Set up two-factor sign-in' }).waitFor({ state: 'detached' });
  });

  it('exports the data and the ZIP holds the clip, byte for byte', async () => {
    await v.goto('/home/account');
    const box = v.page.getByRole('heading', { name: 'Export your data' }).locator('..');
    await box.getByLabel('Your password').fill(PASSWORD);
    await box.getByRole('button', { name: 'Export my data' }).click();
    const link = v.page.getByTestId('export-download');
    await link.waitFor({ timeout: 60_000 });
    await checkPage(v, 'control-export-ready');
    const [download] = await Promise.all([v.page.waitForEvent('download'), link.click()]);
    const file = path.join(resultsDir, 'control-export.zip');
    await download.saveAs(file);
    const files = unzipSync(new Uint8Array(fs.readFileSync(file)));
    const clips = JSON.parse(new TextDecoder().decode(files['clips.json']));
    assert.equal(clips.length, 1);
    assert.equal(sha(files[`clips/${clips[0].id}.mp4`]), clipSha);
    assert.equal(JSON.parse(new TextDecoder().decode(files['account.json'])).account.email, email);
  });

  it('deletes the account: the clip, the sessions and the sign-in are gone', async () => {
    const box = v.page.getByRole('heading', { name: 'Delete your account' }).locator('..');
    await box.getByLabel('Your password').fill(PASSWORD);
    await box.getByLabel(/^Type "delete my account"/).fill('delete my account');
    await box.getByRole('button', { name: 'Delete my account' }).click();
    await v.page.getByTestId('deletion-done').waitFor();
    assert.match(await v.page.getByTestId('deletion-done').innerText(), /^1 clip was destroyed/);
    await checkPage(v, 'control-deleted');
    const me = await v.page.evaluate(async () => (await fetch('/api/v1/me')).status);
    assert.equal(me, 401, 'this session is gone too');
    const login = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
    assert.equal(login.status, 401);
  });
});
