// The report's tally over hand-made entries (pure): what each basis counts,
// that a home is counted in its request's month, that emergencies count once,
// that folding out of order is refused, and that the published JSON is read
// defensively (it is untrusted input to the recount).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { LogEntry } from '../../src/ledger/entry.ts';
import { ReportTally } from '../../src/transparency/report.ts';
import { differences, readPublished } from '../../src/transparency/published.ts';

const C = 'a'.repeat(64);
const e = (over: Partial<LogEntry>): LogEntry => ({ v: 2, basis: 'consent', agency: 'ag_1', ref: 'r1', reviewers: [], time: '2026-05-31T23:00:00.000Z', clips: [], ...over });

test('each basis counts what docs/transparency.md says', () => {
  const t = new ReportTally();
  const entries = [
    e({ basis: 'request_sent', ref: 'rq', incident: 'burglary', count: 8 }),
    e({ basis: 'consent', ref: 'rq', clips: [C], time: '2026-06-02T00:00:00.000Z' }),
    e({ basis: 'request_answered', ref: 'rq', count: 1, time: '2026-06-02T00:00:00.000Z' }),
    e({ basis: 'decision', ref: 'em', demand: 'emergency', outcome: 'approved' }),
    e({ basis: 'emergency', ref: 'em', clips: [C, C] }),
    e({ basis: 'emergency', ref: 'em', clips: [C] }),
    e({ basis: 'owners_notified', ref: 'em', count: 3 }),
    e({ basis: 'no_follow_up', ref: 'em' }),
    e({ basis: 'subpoena', ref: 'dm', clips: [C, C] }),
    e({ basis: 'refusal_e2ee', ref: 'dm', clips: [C] }),
    e({ basis: 'unknown_future_kind', ref: 'x' }),
  ];
  entries.forEach((x, i) => t.fold(i, x));
  const got = Object.fromEntries(t.figures().map((f) => [`${f.metric}/${f.month}/${f.demand ?? '-'}`, f.value]));
  assert.deepEqual(got, {
    'requests_sent/2026-05/burglary': 1, 'homes_reached/2026-05/-': 8,
    'homes_shared/2026-05/-': 1, 'share_of_homes_that_shared/2026-05/-': 0.125,
    'content_disclosures/2026-06/consent': 1,
    'decisions/2026-05/emergency': 1, 'content_disclosures/2026-05/emergency': 3, 'emergency_disclosures/2026-05/emergency': 1,
    'owners_notified/2026-05/emergency': 3, 'emergency_no_follow_up/2026-05/emergency': 1,
    'non_content_disclosures/2026-05/subpoena': 2, 'e2ee_refusals/2026-05/-': 1,
  });
  assert.throws(() => t.fold(3, entries[0]), /expected index 11/);
});

test('folding in two parts gives the figures of folding at once (the server folds as the log grows)', () => {
  const kinds = ['consent', 'warrant', 'emergency', 'decision', 'request_sent', 'request_answered', 'owners_notified', 'no_follow_up', 'follow_up'];
  fc.assert(fc.property(fc.array(fc.record({ basis: fc.constantFrom(...kinds), ref: fc.constantFrom('a', 'b'), n: fc.nat(3) }), { maxLength: 40 }), fc.nat(40), (list, cut) => {
    const entries = list.map((x) => e({ basis: x.basis, ref: x.ref, clips: Array(x.n).fill(C), count: x.n }));
    const whole = new ReportTally();
    entries.forEach((x, i) => whole.fold(i, x));
    const parts = new ReportTally();
    entries.slice(0, cut).forEach((x, i) => parts.fold(i, x));
    parts.figures();
    entries.slice(cut).forEach((x, i) => parts.fold(Math.min(cut, entries.length) + i, x));
    assert.deepEqual(parts.figures(), whole.figures());
    assert.deepEqual(differences(whole.figures(), parts.figures()), []);
  }));
});

test('a published report is read defensively', () => {
  const ok = { version: 1, log: { origin: 'o', size: 0, root: '', checkpoint: '' }, figures: [] };
  assert.doesNotThrow(() => readPublished(ok));
  for (const bad of [null, [], { ...ok, version: 2 }, { ...ok, log: null }, { ...ok, log: { ...ok.log, size: -0.5 } }, { ...ok, figures: {} },
    { ...ok, figures: [{ metric: 'made_up', month: '2026-06', agency: null, demand: null, outcome: null, value: 1 }] },
    { ...ok, figures: [{ metric: 'decisions', month: '2026-06', agency: 3, demand: null, outcome: null, value: 1 }] },
    { ...ok, figures: [{ metric: 'decisions', month: '2026-06', agency: null, demand: null, outcome: null, value: 'NaN' }] }]) {
    assert.throws(() => readPublished(bad), /report|figure/, JSON.stringify(bad));
  }
});
