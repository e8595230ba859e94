// Version 2 entries (docs/ledger.md, issue 13): the report's fields are
// accepted only in version 2 and only with their shapes; version 1 entries
// stay valid; the fast canonical text agrees with RFC 8785 for every shape.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { DEMAND_KINDS, EntryError, type LogEntry, OUTCOMES, canonicalText, encodeEntry, parseEntry } from '../../src/ledger/entry.ts';

const base = { basis: 'decision', agency: 'ag_1', ref: 'dm_1', reviewers: ['u_1'], time: '2026-06-01T12:00:00.000Z', clips: [] } as const;
const code = (e: unknown) => {
  try {
    encodeEntry(e as LogEntry);
    return 'ok';
  } catch (err) {
    assert.ok(err instanceof EntryError, String(err));
    return err.code;
  }
};

test('version 2 fields: only in version 2, each with its shape', () => {
  assert.equal(code({ ...base, v: 2, demand: 'warrant', outcome: 'narrowed' }), 'ok');
  assert.equal(code({ ...base, v: 2, basis: 'request_sent', incident: 'burglary', count: 41 }), 'ok');
  assert.equal(code({ ...base, v: 1, basis: 'warrant' }), 'ok', 'version 1 stays valid');
  assert.equal(code({ ...base, v: 1, count: 3 }), 'unknown_field', 'version 1 has no count');
  assert.equal(code({ ...base, v: 2, owner: 'u_9' }), 'unknown_field');
  for (const count of [-1, 1.5, 1e12, '3', null]) assert.equal(code({ ...base, v: 2, count }), 'bad_field', `count ${String(count)}`);
  assert.equal(code({ ...base, v: 2, demand: 'hunch' }), 'bad_field');
  assert.equal(code({ ...base, v: 2, outcome: 'maybe' }), 'bad_field');
  assert.equal(code({ ...base, v: 2, incident: 'Jane Doe' }), 'bad_field', 'no free text');
});

test('version 2 entries round-trip, and the fast canonical text is RFC 8785', () => {
  fc.assert(fc.property(
    fc.record({
      count: fc.option(fc.nat({ max: 1_000_000_000 }), { nil: undefined }),
      demand: fc.option(fc.constantFrom(...DEMAND_KINDS), { nil: undefined }),
      outcome: fc.option(fc.constantFrom(...OUTCOMES), { nil: undefined }),
      incident: fc.option(fc.stringMatching(/^[a-z][a-z0-9_]{0,20}$/), { nil: undefined }),
    }),
    (extra) => {
      const e = { ...base, v: 2, ...Object.fromEntries(Object.entries(extra).filter(([, v]) => v !== undefined)) } as LogEntry;
      const bytes = encodeEntry(e);
      assert.equal(new TextDecoder().decode(bytes), canonicalize(e));
      assert.equal(canonicalText(parseEntry(bytes)), canonicalize(e));
    },
  ));
});
