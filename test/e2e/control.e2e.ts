// The owner's Control Center in Chromium (issue 14 "What it must show"): a
// resident ends another session, enrols TOTP by its QR code, sets a camera's
// retention; an administrator suspends and unsuspends another resident; the
// resident shares a clip with contact sharing on and the agency sees the
// contact (and then no longer, once it is off); a preservation request holds
// the clip of a second camera, which its retention preview marks; the resident
// exports their data and unzips it (the clip inside is byte for byte theirs),
// then deletes the account: the shared clip, the sessions and the contact are
// gone, for the agency too, and the held clip is kept and named.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import QRCode from 'qrcode';
import { unzipSync } from 'fflate';
import { createHash } from 'node:crypto';
import { uniqueClip } from '../clips/helpers.ts';
import { ensureWebBuilt, launchBrowser, resultsDir, startServer, Visitor, type Server } from './harness.ts';
import { PASSWORD, approveRequestViaUi, checkPage, createAgencyViaUi, createStaffCli, fillWarrantForm, firstStaffSignIn, freshTotp, inviteMemberViaUi, requestViaUi, setContactSharing, shareFirstClip, signIn, signUpResident } from './steps.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const HOME = { lat: 45.5231, lon: -122.6765 };
const CONTACT = { name: 'Lee L.', phone: '503-555-0199', email: 'lee.contact@e2e.example' };

describe('the Control Center', { concurrency: false }, () => {
  let server: Server;
  let browser: Browser;
  let v: Visitor;
  let other: string;
  let clipSha: string;
  let cameraId: string;
  let requestId: string;
  let agency: Visitor;
  let reviewer: Visitor;
  // A second camera 600 m away, outside the community request's circle: a preservation request holds its clip.
  const FAR = { lat: HOME.lat + 0.0055, lon: HOME.lon };
  let farCameraId: string;
  let clipStarted: number;
  const email = 'leaving@e2e.example';
  const used = new Set<string>();

  before(async () => {
    ensureWebBuilt();
    server = await startServer();
    browser = await launchBrowser();
    v = await Visitor.open(browser, 'control', server.url);
  });
  after(async () => {
    await agency?.close();
    await reviewer?.close();
    await v?.close();
    await browser?.close();
    await server?.stop();
  });

  const api = async (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(server.url + url, { method, headers: { authorization: `Bearer ${other}`, ...(body instanceof Uint8Array ? {} : { 'content-type': 'application/json' }), ...headers }, body: body instanceof Uint8Array ? new Blob([body as Uint8Array<ArrayBuffer>]) : body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, json: res.headers.get('content-type')?.includes('json') ? await res.json() : null };
  };

  it('a resident signs up; a second session (another device) adds a camera and a clip', async () => {
    await signUpResident(v, { name: 'Lee Leaving', email, home: HOME });
    const login = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
    other = (await login.json()).token;
    const cam = await api('POST', '/api/v1/cameras', { name: 'Porch', location: HOME, kind: 'doorbell' });
    assert.equal(cam.status, 201);
    cameraId = cam.json.id;
    const clip = fs.readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'clip.mp4'));
    clipSha = sha(clip);
    // 90 minutes ago: inside a community request form's default window (3 h to 1 h ago).
    const started = (clipStarted = Date.now() - 90 * 60_000);
    const qs = new URLSearchParams({ cameraId, startedAt: new Date(started).toISOString(), endedAt: new Date(started + 10_000).toISOString(), kind: 'manual' });
    assert.equal((await api('POST', `/api/v1/clips?${qs}`, new Uint8Array(clip), { 'content-type': 'video/mp4' })).status, 201);
    const far = await api('POST', '/api/v1/cameras', { name: 'Garage', location: FAR, kind: 'outdoor' });
    assert.equal(far.status, 201, JSON.stringify(far.json));
    farCameraId = far.json.id;
    qs.set('cameraId', farCameraId);
    assert.equal((await api('POST', `/api/v1/clips?${qs}`, new Uint8Array(uniqueClip()), { 'content-type': 'video/mp4' })).status, 201);
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

  it("sets a camera's retention, sees when its clip will be deleted, and an out-of-range value is refused on the field", async () => {
    const p = v.page;
    await v.goto(`/home/cameras/${cameraId}`);
    const box = p.getByRole('form', { name: 'Retention' });
    await box.getByTestId('retention-days').waitFor();
    assert.equal(await p.getByTestId('retention-clip').count(), 1);
    await checkPage(v, 'control-retention');
    // The date shown is the clip's start plus the days chosen, in the page's own format.
    const deletesAfter = (days: number) => p.evaluate((t) => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(t)), clipStarted + days * 86_400_000);
    const days = box.getByLabel('Keep clips for (days)');
    await days.fill('3');
    await box.getByRole('button', { name: 'Save retention' }).click();
    await box.getByText('Saved. The list below shows the new dates.').waitFor();
    assert.equal(await box.getByTestId('retention-days').innerText(), '3 days');
    await p.getByTestId('retention-deletes-at').getByText(await deletesAfter(3), { exact: true }).waitFor();
    await checkPage(v, 'control-retention-saved');

    await days.fill('181');
    await box.getByRole('button', { name: 'Save retention' }).click();
    await p.waitForFunction(() => document.querySelector('input[aria-invalid="true"]') !== null);
    const error = await days.evaluate((el) => document.getElementById(el.getAttribute('aria-describedby')?.split(' ').find((id) => id.endsWith('-error')) ?? '')?.textContent ?? '');
    assert.match(error, /180/, `the server's message is on the field: ${error}`);
    v.expectErrors(/status of 400/);
    await checkPage(v, 'control-retention-refused');
    await v.goto(`/home/cameras/${cameraId}`);
    assert.equal(await p.getByRole('form', { name: 'Retention' }).getByTestId('retention-days').innerText(), '3 days', 'nothing was written');
  });

  it('an administrator finds a resident, suspends them with a reason, and unsuspends them; suspended, they cannot sign in', async () => {
    const sam = await Visitor.open(browser, 'suspended', server.url);
    await signUpResident(sam, { name: 'Sam Suspended', email: 'sam@e2e.example', home: HOME });
    await createStaffCli(server, 'admin', 'admin@e2e.example', 'Ada Admin');
    const admin = await Visitor.open(browser, 'admin', server.url);
    await firstStaffSignIn(admin, 'admin@e2e.example', PASSWORD, used);
    const p = admin.page;
    await admin.goto('/admin/users');
    await p.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    await p.getByLabel('E-mail or name begins with').fill('sam@');
    await p.getByRole('button', { name: 'Find' }).click();
    await p.waitForFunction(() => [...document.querySelectorAll('[data-testid="user-row"]')].map((r) => r.textContent).join().includes('sam@e2e.example') && document.querySelectorAll('[data-testid="user-row"]').length === 1);
    const row = p.getByTestId('user-row');
    await checkPage(admin, 'admin-users-found');

    await row.getByRole('button', { name: 'Suspend sam@e2e.example', exact: true }).click();
    const dialog = p.getByRole('dialog');
    await dialog.getByLabel(/^Reason/).fill('Repeated abusive feed posts, ticket 42');
    await checkPage(admin, 'admin-users-suspend-dialog');
    await dialog.getByRole('button', { name: 'Suspend account' }).click();
    await dialog.waitFor({ state: 'detached' });
    await row.getByTestId('status').getByText('suspended', { exact: true }).waitFor();
    await checkPage(admin, 'admin-users-suspended');

    // Suspending ended Sam's session; signing in again is refused, saying why.
    await sam.goto('/signin');
    await sam.page.getByLabel('E-mail').fill('sam@e2e.example');
    await sam.page.getByLabel(/^Password/).fill(PASSWORD);
    await sam.page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await sam.page.getByRole('alert').getByText(/suspended/).waitFor();
    sam.expectErrors(/status of 40[13]/);
    await checkPage(sam, 'control-suspended-sign-in');

    await row.getByRole('button', { name: 'Unsuspend sam@e2e.example' }).click();
    await dialog.getByLabel(/^Reason/).fill('Appeal upheld, ticket 42');
    await dialog.getByRole('button', { name: 'Unsuspend account' }).click();
    await dialog.waitFor({ state: 'detached' });
    await row.getByTestId('status').getByText('active', { exact: true }).waitFor();
    await checkPage(admin, 'admin-users-unsuspended');
    await signIn(sam, 'sam@e2e.example');
    await sam.close();
    await admin.close();
  });

  it('a reviewer verifies an agency, whose officer asks for footage around the camera; the reviewer approves', async () => {
    await createStaffCli(server, 'reviewer', 'reviewer@e2e.example', 'Rae Reviewer');
    reviewer = await Visitor.open(browser, 'reviewer', server.url);
    await firstStaffSignIn(reviewer, 'reviewer@e2e.example', PASSWORD, used);
    await createAgencyViaUi(reviewer, 'Eastside Police', HOME);
    const password = await inviteMemberViaUi(reviewer, 'officer@e2e.example', 'Officer Ortiz');
    agency = await Visitor.open(browser, 'agency', server.url);
    await firstStaffSignIn(agency, 'officer@e2e.example', password, used);
    requestId = await requestViaUi(agency, '2026-EP-0777', HOME);
    await approveRequestViaUi(reviewer, requestId);
  });

  const locker = async () => {
    await agency.goto(`/agency/requests/${requestId}`);
    await agency.page.getByRole('heading', { name: 'Evidence locker' }).waitFor();
    await agency.page.waitForLoadState('networkidle');
  };
  const contactLine = `Contact shared by this neighbour: ${CONTACT.name} · ${CONTACT.phone} · ${CONTACT.email}`;

  it('with contact sharing on, the resident shares the clip and the agency sees the name, phone and e-mail', async () => {
    await setContactSharing(v, { enabled: true, ...CONTACT });
    await checkPage(v, 'control-contact-on');
    await shareFirstClip(v, requestId);
    await checkPage(v, 'control-contact-shared');
    await locker();
    assert.equal(await agency.page.getByTestId('evidence-clip').count(), 1);
    assert.equal(await agency.page.getByTestId('neighbor-contact').innerText(), contactLine);
    await checkPage(agency, 'control-agency-sees-contact');
  });

  it("the resident's access log shows that the agency saw the contact; once it is off, the agency no longer sees it", async () => {
    const seen = v.page.getByTestId('access-purpose').filter({ hasText: 'saw the contact details you share: name, phone number, e-mail address' });
    await v.goto('/home/access-log');
    await v.page.getByRole('heading', { name: 'Access log' }).waitFor();
    await seen.first().waitFor();
    const times = await seen.count();
    await checkPage(v, 'control-access-log-contact');

    await setContactSharing(v, { enabled: false });
    await locker();
    assert.equal(await agency.page.getByTestId('evidence-clip').count(), 1, 'the clip stays shared');
    assert.equal(await agency.page.getByTestId('neighbor-contact').count(), 0);
    await checkPage(agency, 'control-agency-contact-off');
    await v.goto('/home/access-log');
    await v.page.getByRole('heading', { name: 'Access log' }).waitFor();
    await v.page.waitForLoadState('networkidle');
    assert.equal(await seen.count(), times, 'nothing shown, nothing logged');

    // On again, for the account deletion below to take away.
    await setContactSharing(v, { enabled: true });
    await locker();
    assert.equal(await agency.page.getByTestId('neighbor-contact').innerText(), contactLine);
  });

  it("a preservation request holds the far camera's clip, and its retention preview marks it held", async () => {
    const p = agency.page;
    await fillWarrantForm(agency, '26PR-0031', FAR);
    await p.getByLabel('Type').selectOption('preservation');
    await p.getByRole('button', { name: 'Submit for review' }).click();
    await p.getByText('Submitted for review.').waitFor();
    // Not the reviewer who verified the agency: that one may not review its demands.
    await createStaffCli(server, 'reviewer', 'reviewer2@e2e.example', 'Remy Reviewer');
    const second = await Visitor.open(browser, 'reviewer2', server.url);
    await firstStaffSignIn(second, 'reviewer2@e2e.example', PASSWORD, used);
    const r = second.page;
    await second.goto('/review');
    await r.getByTestId('queue-legal_demand').getByRole('link', { name: /26PR-0031/ }).click();
    await r.getByLabel(/^Reason/).selectOption({ label: 'Valid process, scope supported' });
    await r.getByLabel(/^Written reasons/).fill('Signed preservation letter for one address.');
    await checkPage(second, 'control-preservation-review');
    await r.getByRole('button', { name: 'Record decision' }).click();
    const decided = r.getByText(/^Decided: approve/);
    await decided.or(r.getByRole('alert')).first().waitFor();
    assert.ok(await decided.isVisible(), `the decision was refused: ${await r.getByRole('alert').allInnerTexts()}`);
    await second.close();

    await v.goto(`/home/cameras/${farCameraId}`);
    await v.page.getByTestId('retention-clip').getByText('On hold: kept past this date').waitFor();
    await checkPage(v, 'control-retention-held');
    await v.goto(`/home/cameras/${cameraId}`);
    await v.page.getByTestId('retention-clip').waitFor();
    assert.equal(await v.page.getByText('On hold: kept past this date').count(), 0, 'the shared clip is not held');
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
    assert.equal(clips.length, 2);
    assert.ok(clips.some((c: { id: string }) => sha(files[`clips/${c.id}.mp4`]) === clipSha), 'the porch clip is in it, byte for byte');
    assert.equal(JSON.parse(new TextDecoder().decode(files['account.json'])).account.email, email);
  });

  it('deletes the account: the clip, the sessions and the sign-in are gone', async () => {
    const box = v.page.getByRole('heading', { name: 'Delete your account' }).locator('..');
    await box.getByLabel('Your password').fill(PASSWORD);
    await box.getByLabel(/^Type "delete my account"/).fill('delete my account');
    await box.getByRole('button', { name: 'Delete my account' }).click();
    await v.page.getByTestId('deletion-done').waitFor();
    assert.match(await v.page.getByTestId('deletion-done').innerText(), /^1 clip was destroyed/);
    // The held clip stays until the hold ends, and the owner is told so, without the case.
    const kept = v.page.getByRole('heading', { name: 'Your account is deleted' }).locator('..').getByRole('listitem');
    assert.equal(await kept.count(), 1);
    assert.match(await kept.innerText(), /^The clip of .+: until .+\. It is deleted then\.$/);
    assert.doesNotMatch(await kept.innerText(), /26PR-0031/);
    await checkPage(v, 'control-deleted');
    const me = await v.page.evaluate(async () => (await fetch('/api/v1/me')).status);
    assert.equal(me, 401, 'this session is gone too');
    const login = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
    assert.equal(login.status, 401);
  });

  it("the agency's evidence locker no longer shows the deleted owner's clip or contact, only the record of the share", async () => {
    await locker();
    await agency.page.getByTestId('evidence-gone').waitFor();
    assert.equal(await agency.page.getByRole('button', { name: /^Play / }).count(), 0, 'nothing to play');
    assert.equal(await agency.page.getByTestId('neighbor-contact').count(), 0);
    await checkPage(agency, 'control-agency-after-deletion');
  });
});
