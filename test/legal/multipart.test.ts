// Multipart bodies that end badly, over a real socket on both engines: a body
// whose Content-Length is all sent but which lacks the closing boundary must
// get a 400 (not hang) and leave no temp file; a multipart content type with
// no boundary, or garbage for a body, is a 400, never a 500.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { forEachEngine } from '../helpers/db.ts';
import { as, buildTestApp, type TestApp } from '../helpers/app.ts';
import { minimalPdf } from '../../src/legal/pdf.ts';
import { HOUR, multipart, pdfPart, range, scene, snapshot, type Scene } from './helpers.ts';

/** Sends raw bytes and reads the whole answer; the server closes or the guard (far above any real answer) gives up. */
function rawRequest(port: number, head: string, body: Buffer, guardMs = 20_000): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const guard = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no answer: the server left the request hanging (received: ${JSON.stringify(Buffer.concat(chunks).toString("latin1").slice(0, 300))})`));
    }, guardMs);
    sock.on('data', (c) => {
      chunks.push(c);
      const text = Buffer.concat(chunks).toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      const len = /\r\ncontent-length: (\d+)/i.exec(text);
      const split = text.indexOf('\r\n\r\n');
      if (m && len && split >= 0 && Buffer.byteLength(text, 'latin1') - split - 4 >= Number(len[1])) {
        clearTimeout(guard);
        sock.destroy();
        resolve({ status: Number(m[1]), text: text.slice(split + 4) });
      }
    });
    sock.on('error', (err) => {
      clearTimeout(guard);
      reject(err);
    });
    sock.write(head);
    sock.write(body);
  });
}

const tempFiles = (t: TestApp) => {
  const dir = path.join(t.dataDir, 'legal', 'tmp');
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
};

forEachEngine('legal multipart bodies that end badly', (getDb) => {
  let t: TestApp;
  let s: Scene;
  let port: number;
  before(async () => {
    t = await buildTestApp(getDb());
    s = await scene(t);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as AddressInfo).port;
  });
  after(async () => t.app.close());

  const url = () => `/api/v1/agencies/${s.agencyId}/legal-demands`;
  const fields = () => ({ type: 'search_warrant', issuingAuthority: 'Circuit Court', caseNumber: 'MP-1', scope: JSON.stringify({ cameraIds: [s.cams.a], ranges: [range(t.clock.now() - 4 * HOUR, t.clock.now() - HOUR)] }) });
  const head = (contentType: string, length: number) =>
    `POST ${url()} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${s.officer.token}\r\nContent-Type: ${contentType}\r\nContent-Length: ${length}\r\nConnection: close\r\n\r\n`;

  test('a body without its closing boundary: 400 over the socket, no temp file, nothing stored', async () => {
    const before = await snapshot(getDb());
    const whole = multipart(fields(), pdfPart(minimalPdf('search warrant')));
    const boundary = /boundary=(.+)$/.exec(whole.headers['content-type'])![1];
    // Everything up to (not including) the closing delimiter: the PDF part never ends.
    const cut = whole.payload.subarray(0, whole.payload.lastIndexOf(Buffer.from(`\r\n--${boundary}--`)));
    const res = await rawRequest(port, head(whole.headers['content-type'], cut.length), cut);
    assert.equal(res.status, 400, res.text);
    assert.match(JSON.parse(res.text).detail, /multipart|ended|form/i);
    assert.deepEqual(tempFiles(t), [], 'no temp file left');
    assert.deepEqual(await snapshot(getDb()), before);
  });

  test('a body cut inside the fields: 400', async () => {
    const whole = multipart(fields(), pdfPart());
    const cut = whole.payload.subarray(0, 60);
    const res = await rawRequest(port, head(whole.headers['content-type'], cut.length), cut);
    assert.equal(res.status, 400, res.text);
    assert.deepEqual(tempFiles(t), []);
  });

  test('multipart/form-data with no boundary, or a garbage body: 400 with a message, never 500', async () => {
    const before = await snapshot(getDb());
    const garbage = Buffer.from('this is not a multipart body at all\r\n\r\n--\r\n');
    for (const contentType of ['multipart/form-data', 'multipart/form-data; boundary=', 'multipart/form-data; charset=utf-8']) {
      const res = await as(t, s.officer, { method: 'POST', url: url(), headers: { 'content-type': contentType }, payload: garbage });
      assert.equal(res.statusCode, 400, `${contentType}: ${res.body}`);
      assert.ok(res.json().detail, contentType);
    }
    const res = await as(t, s.officer, { method: 'POST', url: url(), headers: { 'content-type': 'multipart/form-data; boundary=xyz' }, payload: garbage });
    assert.equal(res.statusCode, 400, res.body);
    assert.ok(res.json().detail);
    assert.deepEqual(tempFiles(t), []);
    assert.deepEqual(await snapshot(getDb()), before);
  });
});
