// Steps shared by the browser tests: each drives the real UI the way a person
// would (labels and roles, not CSS selectors) and checks the page it lands on
// with axe-core, the console and a screenshot.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Secret, TOTP } from 'otpauth';
import type { Server, Visitor } from './harness.ts';
import { minimalPdf } from '../../src/legal/pdf.ts';
import { uniqueClip } from '../clips/helpers.ts';

export const PASSWORD = 'e2e-correct-horse-battery-9';

/** axe-core finds no serious or critical problem, the console has no error, and a screenshot is kept. */
export async function checkPage(v: Visitor, name: string): Promise<void> {
  await v.page.waitForLoadState('networkidle');
  await v.screenshot(name);
  const violations = await v.axe();
  assert.deepEqual(violations, [], `axe on ${name}:\n${violations.join('\n')}`);
  assert.deepEqual(v.errors, [], `console errors on ${name}:\n${v.errors.join('\n')}`);
}

export function totpNow(secret: string): string {
  return new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate();
}

/** A TOTP code from a 30-second step not used before by this account (the server refuses reuse). */
export async function freshTotp(secret: string, used: Set<string>): Promise<string> {
  for (;;) {
    const step = Math.floor(Date.now() / 30000);
    const key = `${secret}:${step}`;
    if (!used.has(key)) {
      used.add(key);
      return totpNow(secret);
    }
    await new Promise((r) => setTimeout(r, 30000 - (Date.now() % 30000) + 200));
  }
}

export async function signUpResident(v: Visitor, who: { name: string; email: string; home: { lat: number; lon: number } }): Promise<void> {
  await v.goto('/signup');
  const p = v.page;
  await p.getByLabel('Your name').fill(who.name);
  await p.getByLabel('E-mail').fill(who.email);
  await p.getByLabel(/^Password/).fill(PASSWORD);
  // The hint is the server's own rule (GET /api/v1/public/config), not a copy that can drift.
  await p.getByText(/^At least 12 characters; not a common password/).waitFor();
  await p.getByLabel('Latitude').fill(String(who.home.lat));
  await p.getByLabel('Longitude').fill(String(who.home.lon));
  await checkPage(v, 'resident-signup');
  await p.getByRole('button', { name: 'Create account' }).click();
  await p.getByRole('heading', { name: 'My cameras' }).waitFor();
}

/** Signs in through the form; answers the TOTP step when the account has one. */
export async function signIn(v: Visitor, email: string, totp?: () => Promise<string>): Promise<void> {
  await v.goto('/signin');
  const p = v.page;
  await p.getByLabel('E-mail').fill(email);
  await p.getByLabel(/^Password/).fill(PASSWORD);
  if (totp) await p.getByLabel(/^Authenticator code/).fill(await totp());
  await p.getByRole('button', { name: 'Sign in', exact: true }).click();
  await p.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** Staff must enrol TOTP on first sign-in; returns the secret the page showed. */
export async function enrolTotp(v: Visitor, used: Set<string>): Promise<string> {
  const p = v.page;
  await p.getByRole('heading', { name: 'Set up two-factor sign-in' }).waitFor();
  await checkPage(v, 'totp-enrol');
  await p.getByRole('button', { name: 'Show my secret' }).click();
  const secret = (await p.getByTestId('totp-secret').innerText()).trim();
  await p.getByLabel('Current code').fill(await freshTotp(secret, used));
  await p.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
  // The recovery codes are shown once, before the page moves on.
  await p.getByTestId('recovery-codes').waitFor();
  await p.getByRole('button', { name: 'I have stored my recovery codes' }).click();
  await p.getByRole('heading', { name: 'Set up two-factor sign-in' }).waitFor({ state: 'detached' });
  return secret;
}

/** Uploads the fixture clip through the camera agent CLI, as a camera would. */
export async function agentEnrolAndUpload(server: Server, code: string, clips: { startedAt: Date; endedAt: Date }[]): Promise<string> {
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'porchlight-agent-'));
  await server.cli(['camera', 'enroll', '--server', server.url, '--code', code, '--state', state, '--force']);
  const clipDir = fs.mkdtempSync(path.join(os.tmpdir(), 'porchlight-clips-'));
  for (const [i, c] of clips.entries()) {
    // Each clip its own bytes: the same file twice on one camera would be one clip.
    const file = path.join(clipDir, `clip-${i}.mp4`);
    fs.writeFileSync(file, uniqueClip());
    await server.cli(['camera', 'upload', file, '--started', c.startedAt.toISOString(), '--ended', c.endedAt.toISOString(), '--kind', 'motion', '--state', state]);
  }
  return state;
}

export async function createStaffCli(server: Server, role: 'reviewer' | 'admin' | 'agency', email: string, name: string, agencyId?: string): Promise<void> {
  await server.cli(['admin', 'create-user', '--role', role, '--email', email, '--password', PASSWORD, '--name', name, ...(agencyId ? ['--agency', agencyId] : [])]);
}

/** Signs in with an explicit password (an invited member's initial one) and enrols TOTP as the app requires of staff. */
export async function firstStaffSignIn(v: Visitor, email: string, password: string, used: Set<string>): Promise<string> {
  await v.goto('/signin');
  await v.page.getByLabel('E-mail').fill(email);
  await v.page.getByLabel(/^Password/).fill(password);
  await v.page.getByRole('button', { name: 'Sign in', exact: true }).click();
  return enrolTotp(v, used);
}

/** A reviewer creates and verifies an agency whose jurisdiction is a circle around a point; returns its id. */
export async function createAgencyViaUi(v: Visitor, name: string, centre: { lat: number; lon: number }, radiusKm = 3): Promise<string> {
  const p = v.page;
  await v.goto('/review/agencies');
  await p.getByRole('heading', { name: 'Create and verify an agency' }).waitFor();
  await p.getByLabel('Agency name').fill(name);
  await p.getByLabel('Jurisdiction centre latitude').fill(String(centre.lat));
  await p.getByLabel('Jurisdiction centre longitude').fill(String(centre.lon));
  await p.getByLabel('Radius (km)').fill(String(radiusKm));
  await p.getByRole('button', { name: 'Use centre and radius' }).click();
  await checkPage(v, 'reviewer-agency-create');
  await p.getByRole('button', { name: 'Create agency' }).click();
  await p.getByRole('link', { name }).click();
  await p.getByRole('heading', { name, level: 1 }).waitFor();
  return p.url().split('/').pop()!;
}

/** On the agency's page, a reviewer invites a member; returns the initial password the page shows once. */
export async function inviteMemberViaUi(v: Visitor, email: string, name: string): Promise<string> {
  const p = v.page;
  await p.getByLabel('Member e-mail').fill(email);
  await p.getByLabel('Member name').fill(name);
  await p.getByRole('button', { name: 'Invite member' }).click();
  const pw = (await p.getByTestId('initial-password').innerText()).trim();
  await checkPage(v, 'reviewer-agency-members');
  return pw;
}

/** On the agency's legal page, fills a search warrant for one address (the submit is the caller's). */
export async function fillWarrantForm(v: Visitor, caseNumber: string, where: { lat: number; lon: number }): Promise<void> {
  const p = v.page;
  await v.goto('/agency/legal');
  await p.getByLabel(/^Issuing court or authority/).fill('Multnomah County Circuit Court');
  await p.getByLabel(/^Case number/).fill(caseNumber);
  await p.locator('input[type=file]').setInputFiles({ name: 'warrant.pdf', mimeType: 'application/pdf', buffer: minimalPdf(`search warrant ${caseNumber}`) });
  await p.getByLabel('Address latitude').fill(String(where.lat));
  await p.getByLabel('Address longitude').fill(String(where.lon));
}

/** Receipts come once the log integrates the entry: reload until one shows, then verify the first in the browser. */
export async function verifyFirstReceipt(v: Visitor): Promise<void> {
  const p = v.page;
  for (let i = 0; i < 50; i++) {
    await v.goto('/home/receipts');
    await p.getByRole('heading', { name: 'Receipts' }).waitFor();
    await p.waitForLoadState('networkidle');
    if (await p.getByTestId('receipt').count()) break;
    await p.waitForTimeout(200);
  }
  await p.getByTestId('receipt').first().getByRole('button', { name: 'Verify' }).click();
  await p.getByTestId('receipt').first().getByText('verified').waitFor();
}

/** An agency member asks for footage in a 250 m circle around a point, in the form's default window (3 h to 1 h ago); returns the request id. */
export async function requestViaUi(v: Visitor, caseNumber: string, centre: { lat: number; lon: number }): Promise<string> {
  const p = v.page;
  await v.goto('/agency/new');
  await p.getByRole('heading', { name: 'New community request' }).waitFor();
  await p.getByLabel('Centre latitude').fill(String(centre.lat));
  await p.getByLabel('Centre longitude').fill(String(centre.lon));
  await p.getByLabel('Radius (m)').fill('250');
  await p.getByRole('button', { name: 'Use centre and radius' }).click();
  await p.getByTestId('check-area').getByText(/within the 0.025–0.5 sq mi limit/).waitFor();
  await p.getByLabel(/^Case number/).fill(caseNumber);
  await p.getByLabel(/^Investigator contact/).fill('Det. Ortiz, 503-555-0142');
  await p.getByLabel('Description').fill('Package theft from porches, late afternoon.');
  await p.getByRole('button', { name: 'Submit for review' }).click();
  await p.getByRole('heading', { name: `Case ${caseNumber}` }).waitFor();
  return p.url().split('/').pop()!;
}

/** A reviewer approves a community request from its review page. */
export async function approveRequestViaUi(v: Visitor, requestId: string): Promise<void> {
  await v.goto(`/review/requests/${requestId}`);
  await v.page.getByRole('button', { name: 'Approve request' }).click();
  await v.page.getByTestId('review-done').waitFor();
}

/** Turns contact sharing on or off in the Control Center, with the details given. */
export async function setContactSharing(v: Visitor, c: { enabled: boolean; name?: string; phone?: string; email?: string }): Promise<void> {
  const p = v.page;
  await v.goto('/home/account');
  const box = p.getByRole('heading', { name: 'Contact sharing' }).locator('..');
  const toggle = box.getByLabel('Share my contact details with agencies I share clips with');
  await toggle.waitFor();
  if (c.name !== undefined) await box.getByLabel('Name').fill(c.name);
  if (c.phone !== undefined) await box.getByLabel('Phone number').fill(c.phone);
  if (c.email !== undefined) await box.getByLabel('E-mail address').fill(c.email);
  await toggle.setChecked(c.enabled);
  await box.getByRole('button', { name: 'Save contact sharing' }).click();
  await box.getByText(c.enabled ? 'Agencies you share clips with will see these details.' : 'Contact sharing is off.').waitFor();
}

/** The resident opens a request from the inbox (once the approval reaches it) and shares its first clip. */
export async function shareFirstClip(v: Visitor, requestId: string): Promise<void> {
  const p = v.page;
  for (let i = 0; i < 60; i++) {
    await v.goto(`/home/requests/${requestId}`);
    await p.waitForLoadState('networkidle');
    if (await p.getByTestId('inbox-clip').count()) break;
    await p.waitForTimeout(500);
  }
  await p.getByTestId('inbox-clip').first().getByRole('checkbox').check();
  await p.getByRole('button', { name: 'Share 1 selected clip' }).click();
  await p.getByText(/Your answer was sent/).waitFor();
}
