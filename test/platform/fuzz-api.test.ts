// The OpenAPI-driven bad-input test (issue 17, "Tests that must exist"): for
// every operation the app serves, as every caller it lets in, hostile path
// parameters, query values, bodies (the schema's own properties with wrong
// values, malformed JSON, other content types, and fast-check's arbitrary
// values with a fixed seed) and headers. Whatever comes in, the answer is
// below 500, and a 4xx says what was wrong. Path parameters are real ids where
// the route names a camera, clip, agency or request, so the bodies reach the
// validation behind the access check.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { forEachEngine } from '../helpers/db.ts';
import { as, buildTestApp, createResident, createStaff, type TestApp, type TestUser } from '../helpers/app.ts';
import { exportDevicePublicKey } from '../../src/cameras/signature.ts';
import { times, upload } from '../clips/helpers.ts';
import { agencyMember, createAgency, requestBody } from '../requests/helpers.ts';

type Json = Record<string, unknown>;
interface Operation { parameters?: { name: string; in: string }[]; requestBody?: { content?: Record<string, { schema?: Json }> } }

// A stream that stays open by design (server-sent events): its one input, Last-Event-ID, is tested where it is served.
const STREAMS = new Set(['GET /api/v1/me/events']);
// Routes that end the caller's own session or device token run last, so every other case still has its callers.
const LAST = ['POST /api/v1/auth/logout', 'POST /api/v1/devices/me/token/rotate', 'DELETE /api/v1/cameras/:id/device-token'];
const HOSTILE_PATH = ['%00', '%ZZ', '..%2F..%2Fetc%2Fpasswd', 'x'.repeat(2000), '%F0%9F%92%A9', '-1', '%20', 'null'];
const HOSTILE_QUERY = ['', '%00', 'x'.repeat(5000), '-1', '1e999', '9'.repeat(40), 'true', '[]', '%ZZ'];
const HOSTILE_VALUES: unknown[] = [null, -1, 1e308, 2 ** 53 + 1, '', 'x'.repeat(20_000), [], {}, true, [[[[[]]]]], { $ne: 1 }, '\u0000', '2026-13-45T99:99:99Z'];
const RAW_BODIES: { type: string; body: string }[] = [
  { type: 'application/json', body: '{' },
  { type: 'application/json', body: '[]' },
  { type: 'application/json', body: 'null' },
  { type: 'application/json', body: '"text"' },
  { type: 'application/json', body: '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}' },
  { type: 'application/json', body: '{"a":'.repeat(3000) + '1' + '}'.repeat(3000) },
  { type: 'text/plain', body: 'hello' },
  { type: 'application/x-www-form-urlencoded', body: 'a=1&b=2' },
  { type: 'multipart/form-data', body: '--x\r\n' },
  { type: 'application/octet-stream', body: '\u0000\u0001\u0002' },
];
const HOSTILE_HEADERS: Record<string, string>[] = [
  { range: 'bytes=abc' }, { range: 'bytes=5-1' }, { range: 'bytes=99999999999999999999-' }, { range: `bytes=${Array.from({ length: 300 }, (_, i) => `${i}-${i}`).join(',')}` },
  { range: 'items=0-1' }, { 'accept-encoding': 'gzip;q=abc, br;q=' }, { 'if-none-match': '*' }, { 'idempotency-key': 'k'.repeat(5000) },
  { 'x-device-signature': '!!!' }, { 'x-e2ee-key-id': '\u00ff'.repeat(10), 'x-e2ee-sealed-key': '###' }, { 'last-event-id': '-1' }, { accept: 'text/html' },
];

/** What is wrong with an answer, or null: a 5xx, or a 4xx without a JSON problem that says something. */
function problemWith(res: LightMyRequestResponse, what: string): string | null {
  if (res.statusCode >= 500) return `${what} answered ${res.statusCode}: ${res.body.slice(0, 300)}`;
  if (res.statusCode < 400) return null;
  let body: { title?: unknown; detail?: unknown };
  try {
    body = res.json();
  } catch {
    return `${what} answered ${res.statusCode} without a JSON problem: ${res.body.slice(0, 200)}`;
  }
  const said = (typeof body.detail === 'string' && body.detail) || (typeof body.title === 'string' && body.title);
  return said ? null : `${what} answered ${res.statusCode} with no message`;
}

forEachEngine('every operation survives hostile input', (getDb) => {
  let t: TestApp;
  let callers: Record<string, TestUser>;
  const real: Record<string, string> = {};
  let spec: { paths: Record<string, Record<string, Operation>> };

  before(async () => {
    t = await buildTestApp(getDb(), { REQUESTS_PER_DAY: '1000' });
    const reviewer = await createStaff(t, 'reviewer');
    const admin = await createStaff(t, 'admin');
    const resident = await createResident(t);
    const agency = await createAgency(t, reviewer);
    const officer = await agencyMember(t, agency.id);
    const cam = await as(t, resident, { method: 'POST', url: '/api/v1/cameras', payload: { name: 'Porch', location: { lat: 45.5231, lon: -122.6765 }, kind: 'doorbell' } });
    real.cameras = cam.json().id;
    real.clips = (await upload(t, { user: resident }, { cameraId: real.cameras, ...times(t, 2 * 3_600_000) })).json().id;
    const code = await as(t, resident, { method: 'POST', url: `/api/v1/cameras/${real.cameras}/enrolment-code` });
    const enrolled = await t.app.inject({ method: 'POST', url: '/api/v1/devices/enroll', payload: { code: code.json().code, publicKey: exportDevicePublicKey(generateKeyPairSync('ed25519').publicKey) } });
    const device = { ...resident, token: enrolled.json().token, auth: { authorization: `Bearer ${enrolled.json().token}` } };
    real.agencies = agency.id;
    const rq = await as(t, officer, { method: 'POST', url: `/api/v1/agencies/${agency.id}/requests`, payload: requestBody(t) });
    real.requests = rq.json().id;
    callers = { anonymous: null as unknown as TestUser, resident, officer, reviewer, admin, device };
    spec = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json();
  });
  after(async () => t.app.close());

  /** A route's URL with every parameter real where it can be, or the one named replaced by a hostile value. */
  function urlFor(route: string, hostile?: { param: string; value: string }): string {
    const parts = route.split('/');
    return parts.map((p, i) => {
      if (!p.startsWith(':') && p !== '*') return p;
      const name = p === '*' ? '*' : p.slice(1);
      if (hostile?.param === name) return hostile.value;
      const prev = parts[i - 1];
      return (name === 'rid' ? real.requests : real[prev]) ?? 'x0000';
    }).join('/');
  }

  const openapiPath = (route: string) => route.replace(/:([A-Za-z]+)/g, '{$1}');

  test('no operation answers 5xx, and every 4xx carries a message', { timeout: 600_000 }, async () => {
    const routes = [...t.routes].filter((r) => !STREAMS.has(`${r.method} ${r.url}`)).sort((a, b) => Number(LAST.includes(`${a.method} ${a.url}`)) - Number(LAST.includes(`${b.method} ${b.url}`)) || Number(a.method === 'DELETE') - Number(b.method === 'DELETE'));
    let cases = 0;
    const failures: string[] = [];
    const spent = new Map<string, number>();
    for (const r of routes) {
      const op = spec.paths[openapiPath(r.url)]?.[r.method.toLowerCase()] ?? {};
      const send = async (who: string, opts: { url: string; payload?: string | object; headers?: Record<string, string> }, what: string) => {
        cases++;
        const started = performance.now();
        const res = await Promise.race([
          as(t, callers[who], { method: r.method as 'GET', url: opts.url, payload: opts.payload as string, headers: opts.headers }),
          new Promise<never>((_, fail) => setTimeout(() => fail(new Error(`${who}: ${r.method} ${what} did not answer in 20 s`)), 20_000).unref()),
        ]);
        spent.set(r.url, (spent.get(r.url) ?? 0) + performance.now() - started);
        const wrong = problemWith(res, `${who}: ${r.method} ${what}`);
        if (wrong) failures.push(wrong);
        return res;
      };
      // The first caller past the access check (a plain request, real ids where there are any) carries
      // the hostile input: who may call what is test/platform/access.test.ts's subject, not this one's.
      let admitted: string | null = null;
      for (const who of Object.keys(callers)) {
        const res = await send(who, { url: urlFor(r.url) }, `${r.url} (plain)`);
        if (res.statusCode !== 401 && res.statusCode !== 403) {
          admitted = who;
          break;
        }
      }
      for (const who of admitted ? [admitted] : []) {
        for (const param of (r.url.match(/:([A-Za-z]+)|\*/g) ?? []).map((p) => (p === '*' ? '*' : p.slice(1)))) {
          for (const value of HOSTILE_PATH) await send(who, { url: urlFor(r.url, { param, value }) }, `${r.url} with ${param}=${value.slice(0, 20)}`);
        }
        const queryNames = [...(op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name), 'zzz'];
        for (const name of queryNames) {
          for (const value of HOSTILE_QUERY) await send(who, { url: `${urlFor(r.url)}?${encodeURIComponent(name)}=${value}` }, `${r.url}?${name}=${value.slice(0, 20)}`);
        }
        for (const headers of HOSTILE_HEADERS) await send(who, { url: urlFor(r.url), headers }, `${r.url} with ${Object.keys(headers).join(',')}`);
        if (r.method === 'GET' || r.method === 'HEAD') continue;
        for (const raw of RAW_BODIES) await send(who, { url: urlFor(r.url), payload: raw.body, headers: { 'content-type': raw.type } }, `${r.url} with a ${raw.type} body ${raw.body.slice(0, 20)}`);
        const schema = op.requestBody?.content?.['application/json']?.schema as { properties?: Record<string, unknown> } | undefined;
        for (const prop of Object.keys(schema?.properties ?? {})) {
          for (const value of HOSTILE_VALUES) await send(who, { url: urlFor(r.url), payload: { [prop]: value } }, `${r.url} with ${prop}=${JSON.stringify(value).slice(0, 30)}`);
        }
        for (const body of fc.sample(fc.anything(), { numRuns: 6, seed: 17 })) {
          await send(who, { url: urlFor(r.url), payload: JSON.stringify(body) ?? 'null', headers: { 'content-type': 'application/json' } }, `${r.url} with ${String(JSON.stringify(body)).slice(0, 40)}`);
        }
      }
    }
    const slowest = [...spent].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([u, ms]) => `${u} ${Math.round(ms)} ms`);
    console.log(`${cases} hostile cases over ${routes.length} operations; slowest: ${slowest.join(', ')}`);
    assert.deepEqual(failures.slice(0, 40), [], `${failures.length} of ${cases} cases failed`);
    assert.ok(cases > 5000, `${cases} cases`);
  });
});
