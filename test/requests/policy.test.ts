import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DAY, HOUR } from '../../src/platform/clock.ts';
import { areaM2, bboxOf, coarseShape, SQ_MILE_M2 } from '../../src/agencies/geo.ts';
import { lifecycleOf, overlapsWindow, reminderDue } from '../../src/requests/policy.ts';
import { square } from './helpers.ts';

test('reminders: the 24 h one, then the 72 h one; a late run sends only the later one', () => {
  const sent = 1_000_000;
  assert.equal(reminderDue(sent, sent + 23 * HOUR, { r24: false, r72: false }), null);
  assert.equal(reminderDue(sent, sent + 24 * HOUR, { r24: false, r72: false }), 24);
  assert.equal(reminderDue(sent, sent + 30 * HOUR, { r24: true, r72: false }), null);
  assert.equal(reminderDue(sent, sent + 72 * HOUR, { r24: true, r72: false }), 72);
  assert.equal(reminderDue(sent, sent + 80 * HOUR, { r24: false, r72: false }), 72);
  assert.equal(reminderDue(sent, sent + 90 * HOUR, { r24: true, r72: true }), null);
});

test('lifecycle: pending, rejected, open, expired at exactly 10 days, closed', () => {
  const base = { status: 'approved', expires_at: 10 * DAY, closed_at: null };
  assert.equal(lifecycleOf({ ...base, status: 'pending', expires_at: null }, 0), 'pending');
  assert.equal(lifecycleOf({ ...base, status: 'rejected', expires_at: null }, 0), 'rejected');
  assert.equal(lifecycleOf(base, 10 * DAY - 1), 'open');
  assert.equal(lifecycleOf(base, 10 * DAY), 'expired');
  assert.equal(lifecycleOf({ ...base, status: 'closed', closed_at: 5 }, 6), 'closed');
});

test('a clip overlaps the window when any part of it falls inside', () => {
  const w = { window_start: 100, window_end: 200 };
  assert.equal(overlapsWindow({ started_at: 50, ended_at: 100 }, w), true);
  assert.equal(overlapsWindow({ started_at: 200, ended_at: 250 }, w), true);
  assert.equal(overlapsWindow({ started_at: 201, ended_at: 250 }, w), false);
  assert.equal(overlapsWindow({ started_at: 0, ended_at: 99 }, w), false);
});

test('the public shape is a coarse grid-aligned box that contains the area and hides its exact corners', () => {
  const area = square(500);
  const coarse = coarseShape(area);
  const a = bboxOf(area), c = bboxOf(coarse);
  assert.ok(c.minLat <= a.minLat && c.maxLat >= a.maxLat && c.minLon <= a.minLon && c.maxLon >= a.maxLon);
  for (const [lon, lat] of coarse.coordinates[0]) {
    assert.ok(Math.abs(lat * 1000 - Math.round(lat * 1000)) < 1e-6 && Math.abs(lon * 1000 - Math.round(lon * 1000)) < 1e-6);
  }
  assert.ok(areaM2(coarse) < 4 * SQ_MILE_M2);
});
