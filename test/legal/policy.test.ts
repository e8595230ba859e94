// The pure rules of legal demands: scope limits and their messages, narrowing
// that never widens, scope containment, and the PDF structure check.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LIMITS, checkScope, mergeRanges, narrowingProblem, scopeWithin, totalWindow } from '../../src/legal/policy.ts';
import { bufferReader, checkPdf, minimalPdf } from '../../src/legal/pdf.ts';
import type { Scope } from '../../src/disclosure/policy.ts';

const H = 3_600_000;
const T = Date.UTC(2026, 5, 1);
const r = (from: number, to: number) => ({ from: new Date(T + from * H).toISOString(), to: new Date(T + to * H).toISOString() });
const scope = (over: Partial<Scope> = {}): Scope => ({ cameraIds: ['a', 'b'], area: null, ranges: [{ from: T, to: T + 10 * H }], ...over });

describe('checkScope', () => {
  const problems = (input: Parameters<typeof checkScope>[0], max: number = LIMITS.maxDemandWindowMs) => {
    const c = checkScope(input, max);
    return 'problems' in c ? c.problems.map((p) => p.message).join('; ') : '';
  };
  it('accepts cameras or an address with ranges, merging overlaps', () => {
    const c = checkScope({ cameraIds: ['a', 'a', 'b'], ranges: [r(0, 2), r(1, 3)] }, LIMITS.maxDemandWindowMs);
    assert.ok('scope' in c);
    assert.deepEqual(c.scope.cameraIds, ['a', 'b']);
    assert.deepEqual(c.scope.ranges, [{ from: T, to: T + 3 * H }]);
  });
  it('names each overbroad problem', () => {
    assert.match(problems({ cameraIds: Array.from({ length: 51 }, (_, i) => `c${i}`), ranges: [r(0, 1)] }), /more than 50 cameras \(51\)/);
    assert.equal(problems({ cameraIds: Array.from({ length: 50 }, (_, i) => `c${i}`), ranges: [r(0, 1)] }), '');
    assert.match(problems({ address: { lat: 45, lon: -122, radiusM: 100.5 }, ranges: [r(0, 1)] }), /radius 100.5 m is over 100 m/);
    assert.equal(problems({ address: { lat: 45, lon: -122, radiusM: 100 }, ranges: [r(0, 1)] }), '');
    assert.match(problems({ cameraIds: ['a'], ranges: [r(0, 31 * 24 + 1)] }), /over 31 days/);
    assert.equal(problems({ cameraIds: ['a'], ranges: [r(0, 31 * 24)] }), '');
    assert.match(problems({ cameraIds: ['a'], ranges: [] }), /no time range/);
    assert.match(problems({ cameraIds: ['a'], ranges: [r(0, 6.5)] }, LIMITS.maxEmergencyWindowMs), /6\.5 hours, over 6 hours/);
  });
  it('refuses an empty scope, inverted ranges, bad coordinates, bad ids', () => {
    assert.match(problems({ ranges: [r(0, 1)] }), /name the cameras or an address/);
    assert.match(problems({ cameraIds: ['a'], ranges: [r(2, 1)] }), /to must be after from/);
    assert.match(problems({ address: { lat: 91, lon: 0, radiusM: 10 }, ranges: [r(0, 1)] }), /lat must be/);
    assert.match(problems({ address: { lat: 0, lon: 0, radiusM: Number.NaN }, ranges: [r(0, 1)] }), /positive number/);
    assert.match(problems({ cameraIds: ['a b'], ranges: [r(0, 1)] }), /camera id/);
  });
  it('counts overlapping ranges once', () => {
    assert.equal(totalWindow([{ from: 0, to: 10 }, { from: 5, to: 15 }, { from: 20, to: 30 }]), 25);
    assert.deepEqual(mergeRanges([{ from: 20, to: 30 }, { from: 0, to: 10 }]), [{ from: 0, to: 10 }, { from: 20, to: 30 }]);
  });
});

describe('narrowing never widens', () => {
  const cur = scope({ area: { lat: 45, lon: -122, radiusM: 100 } });
  it('allows removing cameras, shrinking the circle, shortening ranges', () => {
    assert.equal(narrowingProblem(scope({ cameraIds: ['a'], area: null, ranges: [{ from: T + H, to: T + 2 * H }] }), cur), null);
    assert.equal(narrowingProblem(scope({ cameraIds: [], area: { lat: 45, lon: -122, radiusM: 50 } }), cur), null);
  });
  it('refuses adding a camera, moving or growing the circle, extending a range, emptying the scope', () => {
    assert.match(narrowingProblem(scope({ cameraIds: ['a', 'z'] }), cur)!, /not add/);
    assert.match(narrowingProblem(scope({ area: { lat: 45, lon: -122, radiusM: 101 } }), cur)!, /circle/);
    assert.match(narrowingProblem(scope({ area: { lat: 45.001, lon: -122, radiusM: 50 } }), cur)!, /circle/);
    assert.match(narrowingProblem(scope({ area: { lat: 45, lon: -122, radiusM: 10 } }), scope())!, /circle/);
    assert.match(narrowingProblem(scope({ ranges: [{ from: T - 1, to: T + H }] }), cur)!, /not extend/);
    assert.match(narrowingProblem(scope({ ranges: [] }), cur)!, /time range/);
    assert.match(narrowingProblem(scope({ cameraIds: [], area: null }), cur)!, /camera or an address/);
  });
  it('cameras picked out of the current circle are narrower; cameras outside it are not', () => {
    const circle = scope({ cameraIds: [], area: { lat: 45, lon: -122, radiusM: 100 } });
    const where = new Map([['inside', { lat: 45.0005, lon: -122 }], ['outside', { lat: 45.002, lon: -122 }]]);
    assert.equal(narrowingProblem(scope({ cameraIds: ['inside'] }), circle, where), null);
    assert.match(narrowingProblem(scope({ cameraIds: ['outside'] }), circle, where)!, /not add/);
    assert.match(narrowingProblem(scope({ cameraIds: ['unknown'] }), circle, where)!, /not add/);
  });
  it('scopeWithin: follow-up process must contain the emergency', () => {
    assert.ok(scopeWithin(scope({ cameraIds: ['a'] }), scope()));
    assert.ok(!scopeWithin(scope({ cameraIds: ['c'] }), scope()));
    assert.ok(!scopeWithin(scope({ ranges: [{ from: T, to: T + 11 * H }] }), scope()));
    assert.ok(scopeWithin(scope({ cameraIds: [], area: { lat: 45, lon: -122, radiusM: 30 } }), scope({ area: { lat: 45, lon: -122, radiusM: 30 } })));
  });
});

describe('checkPdf', () => {
  const check = (b: Buffer) => checkPdf(b.length, bufferReader(b));
  it('accepts a minimal PDF with a classic xref table, and a cross-reference stream', async () => {
    assert.deepEqual(await check(minimalPdf()), { ok: true, version: '1.7' });
    const body = '%PDF-1.5\n1 0 obj\n<< /Type /Catalog >>\nendobj\n';
    const xrefAt = body.length;
    const stream = Buffer.from(`${body}2 0 obj\n<< /Type /XRef /Size 3 >>\nstream\nendstream\nendobj\nstartxref\n${xrefAt}\n%%EOF`, 'latin1');
    assert.equal((await check(stream)).ok, true);
  });
  it('refuses what only looks like a PDF', async () => {
    const good = minimalPdf();
    const cases: [Buffer, RegExp][] = [
      [Buffer.from('hello.pdf\n'), /does not begin/],
      [Buffer.from('%PDF-3.0\nxx'), /does not begin/],
      [good.subarray(0, good.length - 10), /no "startxref/],
      [Buffer.concat([good, Buffer.from('trailing junk')]), /no "startxref/],
      [Buffer.from(good.toString('latin1').replace(/startxref\n\d+/, 'startxref\n99999999'), 'latin1'), /outside the file body/],
      [Buffer.from(good.toString('latin1').replace(/startxref\n\d+/, 'startxref\n20'), 'latin1'), /does not point at/],
      [Buffer.from(good.toString('latin1').replace('trailer', 'trailor'), 'latin1'), /no trailer dictionary/],
      [Buffer.alloc(0), /empty/],
    ];
    for (const [b, why] of cases) {
      const v = await check(b);
      assert.ok(!v.ok && why.test(v.reason), `${why}: ${JSON.stringify(v)}`);
    }
  });
});
