// Property test of the whole door, on a real database through the real routes
// and services (issue 6 §4): random sequences of register, upload, respond
// (consent, sometimes by the wrong person), demand, review (approve, narrow,
// reject), emergency, callback and determinations, delete, expire and reads.
// After each sequence:
//   - the disclosures made are exactly those the sequence's history calls for:
//     nothing left that no basis covered, nothing covered was held back;
//   - each disclosure has exactly one log entry, of its basis, agency and ref,
//     whose commitment opens to the clip's SHA-256 with the owner's salt;
//   - no entry of a releasing basis exists without its disclosure;
//   - only the recipient agency can read a disclosure.
// The policy property test (policy.property.test.ts) covers 300 / 20,000
// sequences of the pure rule; this one runs fewer, slower, end-to-end sequences
// (SQLite; 20, or 150 with DEEP=1).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import path from 'node:path';
import { freshTarget } from '../helpers/db.ts';
import { as, buildTestApp, createResident, createStaff, type TestApp, type TestUser } from '../helpers/app.ts';
import { enrolOwnerKey, newCamera, upload, uploadSealed, type OwnerKey } from '../clips/helpers.ts';
import { openDatabase, type Db } from '../../src/platform/db/db.ts';
import { clipCommitment } from '../../src/ledger/entry.ts';
import { fromHex } from '../../src/ledger/primitives.ts';
import type { Actor } from '../../src/platform/access.ts';
import { agency, box, multipart, pdfPart, range } from '../legal/helpers.ts';

const RUNS = process.env.DEEP === '1' ? 150 : 20;
const MIN = 60_000;
const BASE = Date.UTC(2026, 5, 1, 12);

type Op =
  | { op: 'register'; owner: number; e2ee: boolean }
  | { op: 'upload'; cam: number; ago: number }
  | { op: 'respond'; clip: number; agency: number; asOwner: boolean }
  | { op: 'demand'; agency: number; cams: number[]; from: number; len: number }
  | { op: 'review'; demand: number; verdict: 'approve' | 'narrow' | 'reject' }
  | { op: 'emergency'; agency: number; cams: number[]; from: number; len: number }
  | { op: 'determine'; em: number; reviewer: number; approve: boolean }
  | { op: 'delete'; clip: number }
  | { op: 'expire'; minutes: number };

const n = fc.nat(5);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ op: fc.constant('register' as const), owner: fc.nat(1), e2ee: fc.nat(3).map((x) => x === 0) }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('upload' as const), cam: n, ago: fc.integer({ min: 5, max: 240 }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('respond' as const), clip: n, agency: fc.nat(1), asOwner: fc.nat(3).map((x) => x > 0) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('demand' as const), agency: fc.nat(1), cams: fc.array(n, { minLength: 1, maxLength: 3 }), from: fc.integer({ min: 0, max: 300 }), len: fc.integer({ min: 10, max: 300 }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('review' as const), demand: n, verdict: fc.constantFrom('approve' as const, 'narrow' as const, 'reject' as const) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('emergency' as const), agency: fc.nat(1), cams: fc.array(n, { minLength: 1, maxLength: 3 }), from: fc.integer({ min: 0, max: 300 }), len: fc.integer({ min: 10, max: 360 }) }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant('determine' as const), em: n, reviewer: fc.nat(2), approve: fc.nat(4).map((x) => x > 0) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('delete' as const), clip: n }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('expire' as const), minutes: fc.integer({ min: 1, max: 600 }) }) },
);

let db: Db;
let drop: () => Promise<void>;
let t: TestApp;
let owners: TestUser[];
let officers: TestUser[];
let reviewers: TestUser[];
const AG = [`prop-a-${process.pid}`, `prop-b-${process.pid}`];

before(async () => {
  const fresh = await freshTarget('sqlite');
  drop = fresh.drop;
  db = await openDatabase(fresh.target);
  // No ffmpeg: consent copies of zone-free cameras are the original bytes, so a sequence takes a second, not a minute.
  t = await buildTestApp(db, { FFMPEG_PATH: path.join('nonexistent', 'ffmpeg') });
  for (const id of AG) await agency(t, id, box(44, 47, -124, -121));
  owners = [await createResident(t), await createResident(t)];
  officers = [await createStaff(t, 'agency', { agencyId: AG[0] }), await createStaff(t, 'agency', { agencyId: AG[1] })];
  reviewers = [await createStaff(t, 'reviewer'), await createStaff(t, 'reviewer'), await createStaff(t, 'reviewer')];
});
after(async () => {
  await t.app.close();
  await db.close();
  await drop();
});

const userActor = (u: TestUser): Actor => ({ kind: 'user', userId: u.id, role: u.role, agencyId: null, totpEnabled: true, sessionId: 's', via: 'bearer' });
const key = (clip: string, recipient: string, kind: string, ref: string) => `${clip}|${recipient}|${kind}|${ref}`;

interface Clip { id: string; cam: number; owner: number; start: number; end: number; deleted: boolean }
interface Cam { id: string; owner: number; e2ee: boolean }
type Scope = { cams: number[]; from: number; to: number };

/** Every sequence starts on two plain cameras and an end-to-end encrypted one, each with a clip, so most operations have something to act on. */
const PRELUDE: Op[] = [
  { op: 'register', owner: 0, e2ee: false }, { op: 'register', owner: 1, e2ee: false }, { op: 'register', owner: 0, e2ee: true },
  { op: 'upload', cam: 0, ago: 60 }, { op: 'upload', cam: 1, ago: 90 }, { op: 'upload', cam: 2, ago: 60 },
];

async function runSequence(generated: Op[]): Promise<void> {
  const ops = [...PRELUDE, ...generated];
  t.clock.set(BASE);
  const cams: Cam[] = [];
  const clips: Clip[] = [];
  const demands: { id: string; agency: number; scope: Scope; decided: boolean }[] = [];
  const ems: { id: string; agency: number; scope: Scope; dets: { reviewer: number; approve: boolean }[]; status: string }[] = [];
  const expected = new Set<string>();
  const pick = <T>(xs: T[], i: number) => (xs.length ? xs[i % xs.length] : undefined);
  // The rule, in the sequence's own terms: a live clip of a plain camera, on a scope camera, inside the window.
  const releasable = (s: Scope) => clips.filter((c) => !c.deleted && !cams[c.cam].e2ee && s.cams.includes(c.cam) && c.start >= s.from && c.end <= s.to);
  const scopeBody = (s: Scope) => ({ cameraIds: [...new Set(s.cams.map((i) => cams[i].id))], ranges: [range(s.from, s.to)] });

  const keys = new Map<number, OwnerKey>();
  const keyOf = async (owner: number) => {
    if (!keys.has(owner)) keys.set(owner, await enrolOwnerKey(t, owners[owner]));
    return keys.get(owner)!;
  };
  for (const o of ops) {
    t.clock.advance(MIN);
    const now = t.clock.now();
    if (o.op === 'register') {
      cams.push({ id: await newCamera(t, owners[o.owner], { e2ee: o.e2ee, location: { lat: 45.5, lon: -122.6 } }), owner: o.owner, e2ee: o.e2ee });
    } else if (o.op === 'upload') {
      const cam = pick(cams, o.cam);
      if (!cam) continue;
      const start = now - o.ago * MIN;
      const when = { cameraId: cam.id, kind: 'manual', startedAt: new Date(start).toISOString(), endedAt: new Date(start + 20_000).toISOString() };
      // An end-to-end camera takes only what its agent seals (an envelope and the owner's sealed key).
      const res = cam.e2ee ? (await uploadSealed(t, { user: owners[cam.owner] }, await keyOf(cam.owner), when)).res : await upload(t, { user: owners[cam.owner] }, when);
      assert.equal(res.statusCode, 201, res.body);
      clips.push({ id: res.json().id, cam: cams.indexOf(cam), owner: cam.owner, start, end: start + 20_000, deleted: false });
    } else if (o.op === 'respond') {
      const c = pick(clips, o.clip);
      if (!c) continue;
      const who = o.asOwner ? owners[c.owner] : owners[1 - c.owner];
      const ref = `req-${c.id.slice(0, 6)}-${o.agency}`;
      const ok = await t.services.disclosure.disclose(userActor(who), { clipId: c.id, recipient: { kind: 'agency', agencyId: AG[o.agency], agencyType: 'law_enforcement' }, basis: { kind: 'consent', ref } }).then(() => true, () => false);
      // A repeated answer returns the first disclosure (idempotent), even once the clip is gone.
      const should = o.asOwner && ((!c.deleted && !cams[c.cam].e2ee) || expected.has(key(c.id, AG[o.agency], 'consent', ref)));
      assert.equal(ok, should, `consent share of ${c.id}`);
      if (should) expected.add(key(c.id, AG[o.agency], 'consent', ref));
    } else if (o.op === 'demand' || o.op === 'emergency') {
      const idx = [...new Set(o.cams.map((i) => (cams.length ? i % cams.length : -1)))].filter((i) => i >= 0);
      if (!idx.length) continue;
      const scope = { cams: idx, from: now - (o.from + o.len) * MIN, to: now - o.from * MIN };
      if (o.op === 'demand') {
        const b = multipart({ type: 'search_warrant', issuingAuthority: 'Court', caseNumber: 'P', scope: JSON.stringify(scopeBody(scope)) }, pdfPart());
        const res = await as(t, officers[o.agency], { method: 'POST', url: `/api/v1/agencies/${AG[o.agency]}/legal-demands`, headers: b.headers, payload: b.payload });
        assert.equal(res.statusCode, 201, res.body);
        demands.push({ id: res.json().id, agency: o.agency, scope, decided: false });
      } else {
        const res = await as(t, officers[o.agency], { method: 'POST', url: `/api/v1/agencies/${AG[o.agency]}/emergency-requests`, payload: { officerName: 'O', callbackPhone: '+15035550100', nature: 'n', imminentDanger: 'd', whyNoProcess: 'w', scope: scopeBody(scope) } });
        assert.equal(res.statusCode, 201, res.body);
        ems.push({ id: res.json().id, agency: o.agency, scope, dets: [], status: 'pending' });
      }
    } else if (o.op === 'review') {
      const d = pick(demands, o.demand);
      if (!d || d.decided) continue;
      // Narrowing keeps the first camera and the later half of the window.
      const scope = o.verdict === 'narrow' ? { cams: d.scope.cams.slice(0, 1), from: d.scope.from + Math.floor((d.scope.to - d.scope.from) / 2), to: d.scope.to } : d.scope;
      const res = await as(t, reviewers[0], { method: 'POST', url: `/api/v1/review/legal-demands/${d.id}/decision`, payload: { decision: o.verdict, reason: 'r', ...(o.verdict === 'narrow' ? { scope: scopeBody(scope) } : {}) } });
      assert.equal(res.statusCode, 200, res.body);
      d.decided = true;
      if (o.verdict !== 'reject') for (const c of releasable(scope)) expected.add(key(c.id, AG[d.agency], 'warrant', d.id));
    } else if (o.op === 'determine') {
      const e = pick(ems, o.em);
      if (!e || e.status !== 'pending') continue;
      const r = e.dets.length === 0 ? 0 : o.reviewer;
      if (e.dets.length === 0) {
        const cb = await as(t, reviewers[0], { method: 'POST', url: `/api/v1/review/emergency-requests/${e.id}/callback`, payload: { numberDialled: '+15035550100', calledAt: new Date(now).toISOString(), confirmed: true } });
        assert.equal(cb.statusCode, 200, cb.body);
      }
      const res = await as(t, reviewers[r], { method: 'POST', url: `/api/v1/review/emergency-requests/${e.id}/determinations`, payload: { decision: o.approve ? 'approve' : 'deny', reasons: 'r' } });
      const same = e.dets.some((d) => d.reviewer === r);
      assert.equal(res.statusCode, same ? 409 : 200, res.body);
      if (same) continue;
      e.dets.push({ reviewer: r, approve: o.approve });
      if (!o.approve) e.status = 'denied';
      else if (e.dets.filter((d) => d.approve).length === 2) {
        e.status = 'approved';
        for (const c of releasable(e.scope)) expected.add(key(c.id, AG[e.agency], 'emergency', e.id));
      }
    } else if (o.op === 'delete') {
      const c = pick(clips, o.clip);
      if (!c || c.deleted) continue;
      const res = await as(t, owners[c.owner], { method: 'DELETE', url: `/api/v1/clips/${c.id}` });
      assert.equal(res.statusCode, 204, res.body);
      c.deleted = true;
    } else {
      t.clock.advance(o.minutes * MIN);
    }
  }

  // What left is exactly what the history called for.
  const clipIds = clips.map((c) => c.id);
  const rows = clipIds.length ? await db.kysely.selectFrom('disclosures').selectAll().where('clip_id', 'in', clipIds).execute() : [];
  assert.deepEqual(new Set(rows.map((r) => key(r.clip_id, r.recipient, r.basis_kind, r.basis_ref))), expected);
  // Each with exactly one log entry of its basis, agency and ref, opening to the clip with the owner's salt.
  const subjects = clipIds.length ? await db.kysely.selectFrom('log_subjects').selectAll().where('clip_id', 'in', clipIds).execute() : [];
  for (const r of rows) {
    const entry = JSON.parse(Buffer.from((await db.kysely.selectFrom('log_entries').select('entry').where('seq', '=', r.log_seq).executeTakeFirstOrThrow()).entry).toString('utf8'));
    assert.deepEqual([entry.basis, entry.agency, entry.ref], [r.basis_kind, r.recipient, r.basis_ref]);
    assert.deepEqual(entry.clips, [clipCommitment(fromHex(r.salt)!, fromHex(r.original_sha256)!)]);
    assert.equal(subjects.filter((s) => Number(s.seq) === Number(r.log_seq)).length, 1);
  }
  // No releasing entry about these clips without its disclosure.
  const releasing = new Set(['consent', 'warrant', 'emergency', 'public_post']);
  const seqs = new Set(subjects.map((s) => Number(s.seq)));
  const entries = seqs.size ? await db.kysely.selectFrom('log_entries').select(['seq', 'entry']).where('seq', 'in', [...seqs]).execute() : [];
  const releasingEntries = entries.filter((e) => releasing.has(JSON.parse(Buffer.from(e.entry).toString('utf8')).basis));
  assert.equal(releasingEntries.length, rows.length);
  // Only the recipient agency reads.
  for (const r of rows.slice(0, 3)) {
    for (const [i, officer] of officers.entries()) {
      const actor: Actor = { kind: 'user', userId: officer.id, role: 'agency', agencyId: AG[i], totpEnabled: true, sessionId: 's', via: 'bearer' };
      const ok = await t.services.disclosure.openDisclosedClip(actor, r.id, 'bytes=0-9').then((v) => { v.body.resume(); return true; }, () => false);
      // A deleted clip takes its shared copies with it: nothing of it reads, copy or original.
      const live = !clips.find((c) => c.id === r.clip_id)!.deleted;
      assert.equal(ok, AG[i] === r.recipient && live, `read of ${r.id} by ${AG[i]}`);
    }
  }
}

test(`the disclosure door over random operation sequences, end to end (${RUNS} runs, SQLite)`, async () => {
  await fc.assert(fc.asyncProperty(fc.array(opArb, { minLength: 10, maxLength: 40, size: 'max' }), runSequence), { numRuns: RUNS });
});
