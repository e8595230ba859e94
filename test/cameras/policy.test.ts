import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { Value } from 'typebox/value';
import {
  CAMERA_KINDS, ENROLMENT, LIMITS, checkFov, checkHeading, checkLocation, checkName, checkPrivacyZones,
  enrolmentRefusal, formatEnrolmentCode, isCameraKind, normaliseEnrolmentCode,
} from '../../src/cameras/policy.ts';
import { Kind } from '../../src/cameras/routes.ts';

test('the route schema and the policy name the same camera kinds', () => {
  for (const k of CAMERA_KINDS) assert.ok(Value.Check(Kind, k), k);
  assert.equal(Value.Check(Kind, 'garage'), false);
  assert.ok(isCameraKind('doorbell'));
  assert.equal(isCameraKind('Doorbell'), false);
});

test('names are trimmed, non-empty, bounded and printable', () => {
  assert.deepEqual(checkName('  Front door '), { value: 'Front door' });
  assert.ok('message' in checkName('   '));
  assert.ok('message' in checkName('x'.repeat(LIMITS.nameMaxLength + 1)));
  assert.ok('message' in checkName('evil\u202eroot'));
  assert.ok('message' in checkName('two\nlines'));
  assert.deepEqual(checkName('Café – porch 🚪'), { value: 'Café – porch 🚪' });
});

test('locations, headings and fields of view are range-checked, NaN and infinities refused', () => {
  assert.deepEqual(checkLocation(90, -180), []);
  assert.deepEqual(checkLocation(-90, 180), []);
  assert.equal(checkLocation(90.0001, 0).length, 1);
  assert.equal(checkLocation(0, -180.5).length, 1);
  assert.equal(checkLocation(NaN, Infinity).length, 2);
  assert.deepEqual(checkHeading(null), []);
  assert.deepEqual(checkHeading(0), []);
  assert.deepEqual(checkHeading(359.9), []);
  assert.equal(checkHeading(360).length, 1);
  assert.equal(checkHeading(-1).length, 1);
  assert.equal(checkHeading(NaN).length, 1);
  assert.deepEqual(checkFov(360), []);
  assert.equal(checkFov(0).length, 1);
  assert.equal(checkFov(Infinity).length, 1);
});

const square: [number, number][] = [[0.1, 0.1], [0.4, 0.1], [0.4, 0.4], [0.1, 0.4]];

test('privacy zones: valid polygons pass in normal form', () => {
  assert.deepEqual(checkPrivacyZones([]), { value: [] });
  assert.deepEqual(checkPrivacyZones([square]), { value: [square] });
  // A closed ring (first point repeated) and doubled points are normalised away.
  assert.deepEqual(checkPrivacyZones([[...square, square[0]]]), { value: [square] });
  assert.deepEqual(checkPrivacyZones([[square[0], square[0], ...square.slice(1)]]), { value: [square] });
  // The whole frame is a legitimate zone (an indoor camera blacked out entirely).
  assert.ok('value' in checkPrivacyZones([[[0, 0], [1, 0], [1, 1], [0, 1]]]));
});

test('privacy zones: bad polygons are refused with the offending field', () => {
  const refused = (zones: unknown, field: RegExp) => {
    const r = checkPrivacyZones(zones);
    assert.ok('problems' in r, JSON.stringify(zones));
    assert.match(r.problems[0].field, field);
  };
  refused('zones', /^privacyZones$/);
  refused([[[0, 0], [1, 0]]], /^privacyZones\.0$/); // too few points
  refused([[[0, 0], [0, 0], [0, 0], [0, 0]]], /^privacyZones\.0$/); // one point repeated
  refused([[[0, 0], [0.5, 0.5], [1, 1]]], /^privacyZones\.0$/); // no area
  refused([[[0, 0], [1, 1], [1, 0], [0, 1]]], /^privacyZones\.0$/); // bow tie crosses itself
  refused([[[0, 0], [1, 0], [1, 1], [0.5, 0], [0, 1]]], /^privacyZones\.0$/); // touches itself
  refused([square, [[0, 0], [1.5, 0], [1, 1]]], /^privacyZones\.1\.1$/); // outside the frame
  refused([[[0, 0], [-0.1, 0], [1, 1]]], /^privacyZones\.0\.1$/);
  refused([[[0, 0], [NaN, 0], [1, 1]]], /^privacyZones\.0\.1$/);
  refused([[[0, 0], ['0.5', 0], [1, 1]]], /^privacyZones\.0\.1$/);
  refused([[[0, 0, 0], [1, 0], [1, 1]]], /^privacyZones\.0\.0$/);
  refused([[null, [1, 0], [1, 1]]], /^privacyZones\.0\.0$/);
  refused([{ 0: [0, 0] }], /^privacyZones\.0$/);
  refused(Array.from({ length: LIMITS.maxZones + 1 }, () => square), /^privacyZones$/);
  const circle = (n: number) => Array.from({ length: n }, (_, i) => [0.5 + 0.4 * Math.cos((2 * Math.PI * i) / n), 0.5 + 0.4 * Math.sin((2 * Math.PI * i) / n)]);
  assert.ok('value' in checkPrivacyZones([circle(LIMITS.maxZonePoints)]));
  refused([circle(LIMITS.maxZonePoints + 1)], /^privacyZones\.0$/);
});

test('privacy zones: arbitrary hostile JSON never throws', () => {
  fc.assert(fc.property(fc.jsonValue(), (v) => {
    const r = checkPrivacyZones(v);
    assert.ok('value' in r || r.problems.length > 0);
  }), { numRuns: 500 });
  fc.assert(fc.property(fc.array(fc.array(fc.tuple(fc.double(), fc.double()), { maxLength: 70 }), { maxLength: 20 }), (v) => {
    const r = checkPrivacyZones(v);
    if ('value' in r) for (const zone of r.value) for (const [x, y] of zone) assert.ok(x >= 0 && x <= 1 && y >= 0 && y <= 1);
  }), { numRuns: 300 });
});

test('enrolment codes: grouped Crockford base32, forgiving of case and look-alike letters', () => {
  const code = formatEnrolmentCode(randomBytes(8));
  assert.match(code, /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
  assert.equal(normaliseEnrolmentCode(code), code.replaceAll('-', ''));
  assert.equal(normaliseEnrolmentCode(` ${code.toLowerCase()} `), code.replaceAll('-', ''));
  assert.equal(normaliseEnrolmentCode('O0IL-1111-2222'), '001111112222');
  assert.equal(normaliseEnrolmentCode('ABCD-EFGH-JKM'), null); // too short
  assert.equal(normaliseEnrolmentCode('ABCD-EFGH-JKMU'), null); // U is not in the alphabet
  assert.equal(normaliseEnrolmentCode(''), null);
  assert.throws(() => formatEnrolmentCode(randomBytes(4)), RangeError);
  const seen = new Set(Array.from({ length: 200 }, () => formatEnrolmentCode(randomBytes(8))));
  assert.equal(seen.size, 200);
});

test('enrolment refusals say what to do', () => {
  const now = 1_000_000;
  assert.match(enrolmentRefusal(undefined, now), /unknown/);
  assert.match(enrolmentRefusal({ used_at: now - 1, expires_at: now + ENROLMENT.ttlMs }, now), /already been used/);
  assert.match(enrolmentRefusal({ used_at: null, expires_at: now }, now), /expired/);
});
