// The one conflict-of-interest rule that legal demands, emergency requests and
// the disclosure door's count of emergency approvals share (issue 17 defect 10).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { conflictOf, conflictRefusal, type RequestParties } from '../../src/disclosure/conflict.ts';

const parties: RequestParties = { agencyId: 'A', submittedBy: 'officer', agencyCreatedBy: 'admin-c', agencyVerifiedBy: 'admin-v' };

describe('conflictOf', () => {
  const cases: [string, { id: string; agencyId: string | null }, ReturnType<typeof conflictOf>][] = [
    ['an unrelated reviewer', { id: 'r1', agencyId: null }, null],
    ['a member of another agency', { id: 'r1', agencyId: 'B' }, null],
    ['a member of the agency', { id: 'r1', agencyId: 'A' }, 'member'],
    ['the submitter', { id: 'officer', agencyId: null }, 'member'],
    ['the agency\'s creator', { id: 'admin-c', agencyId: null }, 'voucher'],
    ['the agency\'s verifier', { id: 'admin-v', agencyId: null }, 'voucher'],
  ];
  for (const [name, decider, want] of cases) it(name, () => assert.equal(conflictOf(parties, decider), want));
  it('an agency with no recorded verifier bars nobody for that reason', () => {
    assert.equal(conflictOf({ ...parties, agencyCreatedBy: null, agencyVerifiedBy: null }, { id: 'admin-c', agencyId: null }), null);
  });
});

describe('conflictRefusal', () => {
  it('names the request and the agency in its words', () => {
    assert.equal(conflictRefusal(parties, { id: 'x', agencyId: 'A' }, 'legal demand', 'demanding'), 'a member of the demanding agency cannot review its legal demand');
    assert.match(conflictRefusal(parties, { id: 'admin-v', agencyId: null }, 'emergency request', 'requesting')!, /created or verified the requesting agency cannot review its emergency request/);
    assert.equal(conflictRefusal(parties, { id: 'r1', agencyId: null }, 'legal demand', 'demanding'), null);
  });
});
