// The pure clip decisions, as tables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLIP_KINDS, checkIdempotencyKey, checkRetentionDays, checkUploadTimes, decideRange } from '../../src/clips/policy.ts';
import { decodeCursor, encodeCursor } from '../../src/platform/http/cursor.ts';
import { HttpError } from '../../src/platform/http/errors.ts';
import { Kind as ClipKindSchema } from '../../src/clips/routes.ts';

test('decideRange follows RFC 9110 §14.1.2 and refuses what it cannot honour', () => {
  const size = 1000;
  const table: [string | undefined, ReturnType<typeof decideRange>][] = [
    [undefined, { kind: 'full' }],
    ['bytes=0-0', { kind: 'partial', start: 0, end: 0 }],
    ['bytes=0-999', { kind: 'partial', start: 0, end: 999 }],
    ['bytes=0-5000', { kind: 'partial', start: 0, end: 999 }],
    ['bytes=990-', { kind: 'partial', start: 990, end: 999 }],
    ['bytes=-10', { kind: 'partial', start: 990, end: 999 }],
    ['bytes=-5000', { kind: 'partial', start: 0, end: 999 }],
    [' bytes=1-2 ', { kind: 'partial', start: 1, end: 2 }],
    ['bytes=1000-', { kind: 'unsatisfiable' }],
    ['bytes=1000-1001', { kind: 'unsatisfiable' }],
    ['bytes=-0', { kind: 'unsatisfiable' }],
    ['bytes=5-4', { kind: 'unsatisfiable' }],
    ['bytes=-', { kind: 'unsatisfiable' }],
    ['bytes=-1-2', { kind: 'unsatisfiable' }],
    ['bytes=1-2,4-5', { kind: 'unsatisfiable' }],
    ['bytes=0x1-2', { kind: 'unsatisfiable' }],
    ['bits=1-2', { kind: 'unsatisfiable' }],
    [`bytes=${'1'.repeat(16)}-`, { kind: 'unsatisfiable' }],
  ];
  for (const [header, want] of table) assert.deepEqual(decideRange(header, size), want, String(header));
  assert.deepEqual(decideRange('bytes=0-', 0), { kind: 'unsatisfiable' });
});

test('upload times: order, 5 minutes of skew, 24 hours at most', () => {
  const now = Date.UTC(2026, 5, 1, 12);
  const iso = (ms: number) => new Date(now + ms).toISOString();
  assert.deepEqual(checkUploadTimes(iso(-10_000), iso(0), now), { ok: true, value: { startedAt: now - 10_000, endedAt: now } });
  assert.deepEqual(checkUploadTimes(iso(0), iso(5 * 60_000), now), { ok: true, value: { startedAt: now, endedAt: now + 5 * 60_000 } });
  for (const [s, e] of [[iso(0), iso(-1)], [iso(0), iso(5 * 60_000 + 1)], [iso(-25 * 3_600_000), iso(0)], ['nope', iso(0)], [iso(0), 'nope']]) {
    assert.equal(checkUploadTimes(s, e, now).ok, false, `${s} ${e}`);
  }
});

test('retention days, idempotency keys and cursors', () => {
  assert.deepEqual(checkRetentionDays(1), { ok: true, value: 1 });
  assert.deepEqual(checkRetentionDays(180), { ok: true, value: 180 });
  for (const d of [0, 181, 1.5, NaN]) assert.deepEqual(checkRetentionDays(d), { ok: false, detail: 'retention must be 1 to 180 days', problems: [{ field: 'body.days', message: 'out of range' }] });
  assert.deepEqual(checkIdempotencyKey(undefined), { ok: true, value: undefined });
  assert.deepEqual(checkIdempotencyKey('abc-123'), { ok: true, value: 'abc-123' });
  for (const k of ['', 'has space', 'x'.repeat(201), 'é', ['a', 'b']]) assert.equal(checkIdempotencyKey(k as string).ok, false, String(k));
  assert.deepEqual(decodeCursor(encodeCursor(1234, 'abc')), { t: 1234, id: 'abc' });
  for (const c of ['', 'bm9wZQ', Buffer.from('12.a b').toString('base64url')]) assert.throws(() => decodeCursor(c), HttpError);
});

test('the route schema lists the same kinds as the policy', () => {
  assert.deepEqual(ClipKindSchema.anyOf.map((k) => k.const), [...CLIP_KINDS]);
});
