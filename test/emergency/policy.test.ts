// The pure rules of emergency determinations, callback numbers and notice timing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EMERGENCY, checkPhone, determinationRefusal, noticeDue, outcomeAfter, type DeterminationState } from '../../src/emergency/policy.ts';

const base: DeterminationState = { status: 'pending', agencyId: 'A', submittedBy: 'officer', agencyCreatedBy: 'admin-c', agencyVerifiedBy: 'admin-v', callbackBy: 'r1', callbackConfirmed: true, determinations: [] };
const refusal = (s: Partial<DeterminationState>, reviewer: { id: string; agencyId: string | null }, decision: 'approve' | 'deny' = 'approve') =>
  determinationRefusal({ ...base, ...s }, reviewer, decision);

describe('determinationRefusal', () => {
  it('reviewer 1 (who made the callback) goes first; reviewer 2 is someone else', () => {
    assert.equal(refusal({}, { id: 'r1', agencyId: null }), null);
    assert.equal(refusal({}, { id: 'r2', agencyId: null })?.status, 409);
    assert.equal(refusal({ determinations: [{ reviewerId: 'r1', decision: 'approve' }] }, { id: 'r2', agencyId: null }), null);
    assert.equal(refusal({ determinations: [{ reviewerId: 'r1', decision: 'approve' }] }, { id: 'r1', agencyId: null })?.status, 409);
  });
  it('403 for the requesting agency\'s member or the requester, even before anything else', () => {
    assert.equal(refusal({ status: 'approved' }, { id: 'x', agencyId: 'A' })?.status, 403);
    assert.equal(refusal({}, { id: 'officer', agencyId: null })?.status, 403);
    assert.equal(refusal({}, { id: 'r1', agencyId: 'B' }), null, 'a member of another agency is not barred by this rule');
  });
  it('403 for the administrator who created or who verified the requesting agency, as on the legal path', () => {
    for (const id of ['admin-c', 'admin-v']) {
      const r = refusal({ callbackBy: id }, { id, agencyId: null });
      assert.equal(r?.status, 403, id);
      assert.match(r!.reason, /created or verified the requesting agency/);
    }
    assert.equal(refusal({ callbackBy: 'r1', agencyCreatedBy: null, agencyVerifiedBy: null }, { id: 'r1', agencyId: null }), null);
  });
  it('no callback, no determination; an unconfirmed callback allows only a denial', () => {
    assert.match(refusal({ callbackBy: null }, { id: 'r1', agencyId: null })!.reason, /callback/);
    assert.equal(refusal({ callbackConfirmed: false }, { id: 'r1', agencyId: null }, 'approve')?.status, 409);
    assert.equal(refusal({ callbackConfirmed: false }, { id: 'r1', agencyId: null }, 'deny'), null);
  });
  it('a decided request takes no more determinations', () => {
    assert.equal(refusal({ status: 'denied' }, { id: 'r3', agencyId: null })?.status, 409);
  });
});

describe('outcome and notice timing', () => {
  it('only two approvals approve; any denial denies', () => {
    assert.equal(outcomeAfter([{ decision: 'approve' }]), 'pending');
    assert.equal(outcomeAfter([{ decision: 'approve' }, { decision: 'approve' }]), 'approved');
    assert.equal(outcomeAfter([{ decision: 'approve' }, { decision: 'deny' }]), 'denied');
  });
  it('notice at resolution or 72 h after disclosure, whichever is first, never before a court date', () => {
    assert.equal(noticeDue(0, null, null), EMERGENCY.noticeAfterMs);
    assert.equal(noticeDue(0, 1000, null), 1000);
    assert.equal(noticeDue(0, EMERGENCY.noticeAfterMs + 5, null), EMERGENCY.noticeAfterMs);
    assert.equal(noticeDue(0, 1000, 10 * EMERGENCY.noticeAfterMs), 10 * EMERGENCY.noticeAfterMs);
  });
});

describe('checkPhone', () => {
  it('accepts 7 to 15 digits with the usual separators', () => {
    for (const p of ['+1 503 555 0100', '(503) 555-0100', '+44 20 7946 0958', '5550100']) assert.ok('value' in checkPhone(p, 'f'), p);
  });
  it('refuses missing, short, long and non-numbers', () => {
    for (const p of [undefined, '', '   ', '555', '+1 503 555 0100 0100 99', 'call me', '+1-503-555-0100; drop']) assert.ok('field' in checkPhone(p, 'f'), String(p));
  });
});
