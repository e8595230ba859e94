// The pure rules of emergency requests: the state table (who may take which
// step, from which state), callback numbers and notice timing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EMERGENCY, checkPhone, noticeDue } from '../../src/emergency/policy.ts';
import { EMERGENCY_STATES, EMERGENCY_TRANSITIONS, decide, noticeDelayStep, statusOf, type EmergencyRecord, type EmergencyState, type EmergencyStep } from '../../src/emergency/states.ts';

const base: EmergencyRecord = { state: 'awaiting_first_determination', agencyId: 'A', submittedBy: 'officer', agencyCreatedBy: 'admin-c', agencyVerifiedBy: 'admin-v', callbackBy: 'r1', callbackConfirmed: true, determinedBy: [] };
const reviewer = (id: string) => ({ id, agencyId: null });
const go = (r: Partial<EmergencyRecord>, step: EmergencyStep, actor: { id: string; agencyId: string | null }) => decide({ ...base, ...r }, step, actor);
const to = (d: ReturnType<typeof decide>) => ('to' in d ? d.to : null);
const status = (d: ReturnType<typeof decide>) => ('refused' in d ? d.refused.status : null);

describe('the emergency state table', () => {
  it('the whole happy path, step by step, and each state is reached by exactly the listed steps', () => {
    let r: EmergencyRecord = { ...base, state: 'awaiting_callback', callbackBy: null, callbackConfirmed: null };
    const walk: [EmergencyStep, { id: string; agencyId: string | null }, EmergencyState][] = [
      ['callback', reviewer('r1'), 'awaiting_first_determination'],
      ['approve', reviewer('r1'), 'awaiting_second_determination'],
      ['approve', reviewer('r2'), 'approved'],
      ['resolve', { id: 'officer2', agencyId: 'A' }, 'resolved'],
    ];
    for (const [step, actor, expected] of walk) {
      assert.equal(to(decide(r, step, actor)), expected, `${step} from ${r.state}`);
      r = { ...r, state: expected, callbackBy: r.callbackBy ?? actor.id, callbackConfirmed: r.callbackConfirmed ?? true, determinedBy: step === 'approve' ? [...r.determinedBy, actor.id] : r.determinedBy };
    }
    // Written out by hand, not derived from the table: the steps out of each state.
    const expectedSteps: Record<EmergencyState, EmergencyStep[]> = {
      awaiting_callback: ['callback'], awaiting_first_determination: ['approve', 'deny'], awaiting_second_determination: ['approve', 'deny'], denied: [], approved: ['resolve'], resolved: [],
    };
    for (const s of EMERGENCY_STATES) assert.deepEqual(EMERGENCY_TRANSITIONS.filter((t) => t.from === s).map((t) => t.step).sort(), [...expectedSteps[s]].sort(), s);
  });
  it('reviewer 1 (who made the callback) goes first; reviewer 2 is someone else', () => {
    assert.equal(to(go({}, 'approve', reviewer('r1'))), 'awaiting_second_determination');
    assert.equal(status(go({}, 'approve', reviewer('r2'))), 409);
    assert.equal(to(go({ state: 'awaiting_second_determination', determinedBy: ['r1'] }, 'approve', reviewer('r2'))), 'approved');
    assert.equal(status(go({ state: 'awaiting_second_determination', determinedBy: ['r1'] }, 'approve', reviewer('r1'))), 409);
    assert.equal(to(go({ state: 'awaiting_second_determination', determinedBy: ['r1'] }, 'deny', reviewer('r2'))), 'denied');
  });
  it("403 for the requesting agency's member or the requester, even before anything else", () => {
    assert.equal(status(go({ state: 'approved' }, 'approve', { id: 'x', agencyId: 'A' })), 403);
    assert.equal(status(go({}, 'approve', reviewer('officer'))), 403);
    assert.equal(to(go({}, 'approve', { id: 'r1', agencyId: 'B' })), 'awaiting_second_determination', 'a member of another agency is not barred by this rule');
  });
  it('403 for the administrator who created or who verified the requesting agency, as on the legal path', () => {
    for (const id of ['admin-c', 'admin-v']) {
      const d = go({ callbackBy: id }, 'approve', reviewer(id));
      assert.equal(status(d), 403, id);
      assert.match('refused' in d ? d.refused.reason : '', /created or verified the requesting agency/);
      assert.equal(status(go({ state: 'awaiting_callback', callbackBy: null }, 'callback', reviewer(id))), 403, `${id} callback`);
    }
    assert.equal(to(go({ agencyCreatedBy: null, agencyVerifiedBy: null }, 'approve', reviewer('r1'))), 'awaiting_second_determination');
  });
  it('no callback, no determination; an unconfirmed callback allows only a denial', () => {
    const d = go({ state: 'awaiting_callback', callbackBy: null }, 'approve', reviewer('r1'));
    assert.match('refused' in d ? d.refused.reason : '', /callback before the first determination/);
    assert.equal(status(go({ callbackConfirmed: false }, 'approve', reviewer('r1'))), 409);
    assert.equal(to(go({ callbackConfirmed: false }, 'deny', reviewer('r1'))), 'denied');
    assert.equal(status(go({}, 'callback', reviewer('r2'))), 409, 'the callback is recorded once');
  });
  it('a decided request takes no more determinations; only its agency resolves, and only once approved', () => {
    for (const state of ['denied', 'approved', 'resolved'] as const) assert.equal(status(go({ state }, 'approve', reviewer('r3'))), 409, state);
    assert.equal(status(go({ state: 'approved' }, 'resolve', { id: 'o', agencyId: 'B' })), 409);
    assert.equal(status(go({ state: 'awaiting_second_determination' }, 'resolve', { id: 'o', agencyId: 'A' })), 409);
    assert.equal(status(go({ state: 'resolved' }, 'resolve', { id: 'o', agencyId: 'A' })), 409);
  });
  it('the outward status: pending until decided; resolved is still approved', () => {
    assert.deepEqual(EMERGENCY_STATES.map(statusOf), ['pending', 'pending', 'pending', 'denied', 'approved', 'approved']);
  });
  it('the notice-delay table: requested, then in force or back to none', () => {
    assert.equal(noticeDelayStep('none', 'request'), 'requested');
    assert.equal(noticeDelayStep('requested', 'approve'), 'in_force');
    assert.equal(noticeDelayStep('requested', 'reject'), 'none');
    assert.equal(noticeDelayStep('requested', 'request'), null);
    assert.equal(noticeDelayStep('in_force', 'request'), null);
    assert.equal(noticeDelayStep('none', 'approve'), null);
  });
});

describe('notice timing', () => {
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
