// The neighbourhood feed in Chromium (issue 12, "What it must show"): resident
// A posts with a clip; resident B nearby sees it live, without a reload, and
// gets it by web push too; B comments and reports it; a reviewer removes it
// and B sees the tombstone live; resident C, 20 miles away, never sees it; the
// log has the public-post entry. Text with HTML in it is shown as text.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { createDecipheriv, createECDH, hkdfSync, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { ensureWebBuilt, launchBrowser, repoRoot, startServer, Visitor, type Server } from './harness.ts';
import { checkPage, createStaffCli, firstStaffSignIn, PASSWORD, signUpResident, verifyFirstReceipt } from './steps.ts';

const CENTRE = { lat: 45.5231, lon: -122.6765 };
const north = (m: number) => ({ lat: CENTRE.lat + m / 111_320, lon: CENTRE.lon });
const TITLE = 'Prowler on <b>Alder</b> <img src=x onerror=alert(1)>';

/** RFC 8291 / RFC 8188: one aes128gcm record, decrypted with the subscriber's keys. */
function decrypt(body: Buffer, ua: ReturnType<typeof createECDH>, auth: Buffer): string {
  const salt = body.subarray(0, 16);
  const idlen = body[20];
  const asPublic = body.subarray(21, 21 + idlen);
  const ct = body.subarray(21 + idlen);
  const ikm = Buffer.from(hkdfSync('sha256', ua.computeSecret(asPublic), auth, Buffer.concat([Buffer.from('WebPush: info\0'), ua.getPublicKey(), asPublic]), 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const d = createDecipheriv('aes-128-gcm', cek, nonce);
  d.setAuthTag(ct.subarray(ct.length - 16));
  const plain = Buffer.concat([d.update(ct.subarray(0, ct.length - 16)), d.final()]);
  return plain.subarray(0, plain.lastIndexOf(2)).toString('utf8');
}

describe('the neighbourhood feed', { concurrency: false }, () => {
  let server: Server;
  let browser: Browser;
  let pushService: http.Server;
  const pushes: Buffer[] = [];
  const used = new Set<string>();

  before(async () => {
    ensureWebBuilt();
    // A local push service: what the browser's vendor service would be, allowed through WEB_PUSH_ORIGINS.
    pushService = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        pushes.push(Buffer.concat(chunks));
        res.writeHead(201).end();
      });
    });
    await new Promise<void>((r) => pushService.listen(0, '127.0.0.1', r));
    const origin = `http://127.0.0.1:${(pushService.address() as AddressInfo).port}`;
    server = await startServer({ WEB_PUSH_ORIGINS: origin });
    (server.env as Record<string, string>).PUSH_ORIGIN = origin;
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    pushService?.close();
  });

  it('A posts with a clip; B sees it live and by push, comments and reports; a reviewer removes it; C far away never sees it', async () => {
    const a = await Visitor.open(browser, 'feed-a', server.url);
    const b = await Visitor.open(browser, 'feed-b', server.url);
    const c = await Visitor.open(browser, 'feed-c', server.url);
    const r = await Visitor.open(browser, 'feed-reviewer', server.url);
    await signUpResident(a, { name: 'Ann Alder', email: 'ann@feed.example', home: CENTRE });
    await signUpResident(b, { name: 'Bo Birch', email: 'bo@feed.example', home: north(300) });
    await signUpResident(c, { name: 'Cy Far', email: 'cy@feed.example', home: north(20 * 1609.344) });
    await createStaffCli(server, 'reviewer', 'rev@feed.example', 'Rae Reviewer');
    await firstStaffSignIn(r, 'rev@feed.example', PASSWORD, used);

    // A's camera and one clip of hers, through the API with her browser session.
    const csrf = async (v: Visitor) => (await v.context.cookies()).find((k) => k.name === 'porchlight_csrf')!.value;
    const cam = await a.page.request.post('/api/v1/cameras', { headers: { 'x-csrf-token': await csrf(a) }, data: { name: 'Porch', location: CENTRE, kind: 'doorbell' } });
    assert.equal(cam.status(), 201, await cam.text());
    const start = Date.now() - 3_600_000;
    const qs = new URLSearchParams({ cameraId: (await cam.json()).id, startedAt: new Date(start).toISOString(), endedAt: new Date(start + 10_000).toISOString(), kind: 'manual' });
    const clip = await a.page.request.post(`/api/v1/clips?${qs}`, { headers: { 'x-csrf-token': await csrf(a), 'content-type': 'video/mp4' }, data: fs.readFileSync(path.join(repoRoot, 'test/fixtures/clip.mp4')) });
    assert.equal(clip.status(), 201, await clip.text());

    // B opens the feed and switches push on for new posts; the subscription is the one a browser would make.
    await b.goto('/home/feed');
    await b.page.getByRole('heading', { name: 'Neighbourhood feed' }).waitFor();
    await b.page.getByRole('switch', { name: 'Push: new posts near me' }).check();
    await b.page.waitForLoadState('networkidle');
    const ua = createECDH('prime256v1');
    ua.generateKeys();
    const auth = randomBytes(16);
    const sub = await b.page.request.post('/api/v1/me/push-subscriptions', {
      headers: { 'x-csrf-token': await csrf(b) },
      data: { endpoint: `${server.env.PUSH_ORIGIN}/push/bo`, keys: { p256dh: ua.getPublicKey().toString('base64url'), auth: auth.toString('base64url') } },
    });
    assert.equal(sub.status(), 201, await sub.text());
    await checkPage(b, 'feed-empty');
    await c.goto('/home/feed');
    await c.page.getByRole('heading', { name: 'Neighbourhood feed' }).waitFor();

    // A posts, with the clip attached.
    await a.goto('/home/feed');
    await a.page.getByRole('button', { name: 'New post' }).click();
    await a.page.getByLabel('Title').fill(TITLE);
    await a.page.getByLabel('What happened').fill('Someone tried the side gate at 2 am. <script>alert(2)</script>');
    await a.page.getByLabel(/^Category/).selectOption({ label: 'Suspicious activity' });
    await a.page.getByRole('group', { name: /Attach my clips/ }).getByRole('checkbox').first().check();
    await checkPage(a, 'feed-compose');
    await a.page.getByRole('button', { name: 'Post', exact: true }).click();
    await a.page.getByTestId('feed-post').first().getByTestId('post-title').waitFor();

    // B sees it without a reload, as text: no <img> from the title ever reaches the page.
    const bPost = b.page.getByTestId('feed-post').filter({ hasText: 'Prowler on' });
    await bPost.waitFor({ timeout: 20_000 });
    assert.equal(await bPost.getByTestId('post-title').innerText(), TITLE);
    assert.equal(await b.page.locator('[data-testid=feed-list] img[src=x]').count(), 0);
    await bPost.getByRole('button', { name: 'Play clip 1' }).click();
    await b.page.getByRole('dialog').locator('video').waitFor();
    await b.page.getByRole('button', { name: 'Close player' }).click();
    // The modal fades out: axe must not judge its half-transparent title's contrast.
    await b.page.getByRole('dialog').waitFor({ state: 'hidden' });
    await checkPage(b, 'feed-live-post');

    // The push reached B's subscription, encrypted for it.
    for (let i = 0; i < 100 && pushes.length === 0; i++) await b.page.waitForTimeout(200);
    assert.ok(pushes.length > 0, 'no push arrived');
    assert.equal(JSON.parse(decrypt(pushes[0], ua, auth)).body, TITLE);

    // B comments and reports.
    await bPost.getByRole('button', { name: /^Comments/ }).click();
    await bPost.getByLabel('Add a comment').fill('I saw someone too, around 2:15.');
    await bPost.getByRole('button', { name: 'Comment', exact: true }).click();
    await bPost.getByTestId('comment').filter({ hasText: 'around 2:15' }).waitFor();
    await bPost.getByRole('button', { name: 'Report', exact: true }).click();
    await b.page.getByRole('dialog').getByLabel(/^Reason/).selectOption({ label: 'Harassment' });
    await b.page.getByRole('button', { name: 'Send the report' }).click();
    await b.page.getByText('A reviewer will look at it.').waitFor();
    await b.page.getByRole('dialog').getByRole('button', { name: 'Close', exact: true }).click();

    // The reviewer removes it; B sees the tombstone live.
    await r.goto('/review/feed');
    const item = r.page.getByTestId('reported-item').filter({ hasText: 'Prowler on' });
    await item.waitFor();
    await checkPage(r, 'feed-review-queue');
    await item.getByRole('button', { name: 'Remove' }).click();
    await item.waitFor({ state: 'detached' });
    await b.page.getByTestId('feed-post').getByTestId('tombstone').filter({ hasText: 'removed by a reviewer: harassment' }).waitFor({ timeout: 20_000 });
    await checkPage(b, 'feed-tombstone');

    // C, 20 miles away, never saw it, even at the widest radius.
    await c.page.reload();
    await c.page.getByLabel('Within', { exact: true }).selectOption({ label: '10 miles' });
    await c.page.getByText('Nothing posted nearby yet').waitFor();
    assert.equal(await c.page.getByText('Prowler on').count(), 0);

    // The log has the public-post entry: A's receipt for it verifies in her browser.
    await verifyFirstReceipt(a);
    assert.match(await a.page.getByTestId('receipt').first().innerText(), /Posted publicly by you/);
    const receipts = await (await a.page.request.get('/api/v1/me/receipts')).json() as { receipts: { entry: string }[] };
    assert.equal(JSON.parse(receipts.receipts[0].entry).basis, 'public_post');
    for (const v of [a, b, c, r]) await v.close();
  });
});
