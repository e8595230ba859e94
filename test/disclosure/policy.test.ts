// Table tests of the one disclosure decision (issue 6 §4): every combination of
// basis, scope match, owner policy, end-to-end encryption, basis lifetime and
// recipient, against an expectation written out independently below; then the
// emergency approval rules and the edge cases one by one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  E2EE_REFUSAL, decideDisclosure, distanceM, type Basis, type ClipFacts, type Determination, type OwnerPolicy, type Recipient, type Scope,
} from '../../src/disclosure/policy.ts';

const NOW = Date.UTC(2026, 5, 1, 12);
const H = 3_600_000;
const AGENCY = 'agency-a';
const OTHER = 'agency-b';
const home = { lat: 45.5231, lon: -122.6765 };

const clipFacts = (over: Partial<ClipFacts> = {}): ClipFacts => ({
  id: 'clip-1', ownerId: 'owner-1', cameraId: 'cam-1', cameraLocation: home,
  startedAt: NOW - 5 * H, endedAt: NOW - 5 * H + 60_000, e2ee: false, deleted: false, ...over,
});

const scopeFor = (match: 'match' | 'camera' | 'time'): Scope => ({
  cameraIds: match === 'camera' ? ['cam-9'] : ['cam-1'],
  area: null,
  ranges: match === 'time' ? [{ from: NOW - 3 * H, to: NOW - 2 * H }] : [{ from: NOW - 6 * H, to: NOW - 4 * H }],
});

const approvals = (...ids: string[]): Determination[] => ids.map((id, i) => ({ reviewerId: id, reviewerAgencyId: null, decision: 'approve', at: NOW - H + i }));

type Life = 'live' | 'expired' | 'revoked';
const lifeOf = (life: Life) => ({ revokedAt: life === 'revoked' ? NOW - 1 : null, expiresAt: life === 'expired' ? NOW - 1 : NOW + 24 * H });

function basisFor(kind: Basis['kind'], match: 'match' | 'camera' | 'time', life: Life): Basis {
  if (kind === 'consent') {
    // A consent has no scope: "match" is this clip, anything else is another clip.
    return { kind, id: 'req-1', ownerId: 'owner-1', clipId: match === 'match' ? 'clip-1' : 'clip-2', recipient: AGENCY, givenAt: NOW - H, ...lifeOf(life) };
  }
  if (kind === 'warrant') {
    return { kind, id: 'dem-1', agencyId: AGENCY, status: 'approved', scope: scopeFor(match), approvedAt: NOW - 2 * H, reviewerIds: ['rev-1'], ...lifeOf(life) };
  }
  return { kind, id: 'em-1', agencyId: AGENCY, requesterId: 'officer-1', agencyCreatedBy: 'admin-1', agencyVerifiedBy: 'admin-2', scope: scopeFor(match), determinations: approvals('rev-1', 'rev-2'), resolvedAt: null, ...lifeOf(life) };
}

const recipients: Record<string, Recipient> = {
  agency: { kind: 'agency', agencyId: AGENCY, agencyType: 'law_enforcement' },
  other: { kind: 'agency', agencyId: OTHER, agencyType: 'law_enforcement' },
  public: { kind: 'public' },
};
const policies: Record<string, OwnerPolicy> = { open: { blockedAgencyTypes: [] }, blocksPolice: { blockedAgencyTypes: ['law_enforcement'] } };

/** The rule, written as the product states it (PRODUCT.md principles 1 and 5), not as the code is structured. */
function expected(kind: Basis['kind'], match: string, policy: string, e2ee: boolean, life: Life, recipient: string): string {
  if (kind === 'consent') {
    if (match !== 'match') return 'wrong_clip';
    if (recipient !== 'agency') return 'wrong_recipient';
    if (life !== 'live') return life;
    if (policy === 'blocksPolice') return 'owner_policy';
    return e2ee ? 'e2ee' : 'allow';
  }
  if (recipient !== 'agency') return 'wrong_recipient';
  if (life !== 'live') return life;
  if (match === 'camera') return 'out_of_scope_camera';
  if (match === 'time') return 'out_of_scope_time';
  // Legal process and emergencies do not ask the owner's sharing preferences.
  return e2ee ? 'e2ee' : 'allow';
}

describe('decideDisclosure: every combination', () => {
  let count = 0;
  for (const kind of ['consent', 'warrant', 'emergency'] as const) {
    for (const match of ['match', 'camera', 'time'] as const) {
      for (const policy of Object.keys(policies)) {
        for (const e2ee of [false, true]) {
          for (const life of ['live', 'expired', 'revoked'] as const) {
            for (const recipient of Object.keys(recipients)) {
              count++;
              const want = expected(kind, match, policy, e2ee, life, recipient);
              it(`${kind} scope=${match} policy=${policy} e2ee=${e2ee} ${life} to ${recipient} → ${want}`, () => {
                const d = decideDisclosure({ recipient: recipients[recipient], clip: clipFacts({ e2ee }), bases: [basisFor(kind, match, life)], ownerPolicy: policies[policy], now: NOW });
                assert.equal(d.allow ? 'allow' : d.code, want);
                if (!d.allow && d.code === 'e2ee') assert.ok(d.reason.startsWith(E2EE_REFUSAL));
                if (d.allow) assert.equal(d.basis.kind, kind);
              });
            }
          }
        }
      }
    }
  }
  it('covers 324 combinations', () => assert.equal(count, 324));
});

describe('decideDisclosure: emergency approvals', () => {
  const em = (dets: Determination[], over: Partial<Extract<Basis, { kind: 'emergency' }>> = {}): Basis => ({
    kind: 'emergency', id: 'em-1', agencyId: AGENCY, requesterId: 'officer-1', agencyCreatedBy: 'admin-1', agencyVerifiedBy: 'admin-2', scope: scopeFor('match'), determinations: dets, resolvedAt: null, revokedAt: null, expiresAt: null, ...over,
  });
  const decide = (b: Basis, clip = clipFacts()) => decideDisclosure({ recipient: recipients.agency, clip, bases: [b], ownerPolicy: policies.open, now: NOW });
  const code = (b: Basis) => { const d = decide(b); return d.allow ? 'allow' : d.code; };

  it('two approvals by two different reviewers disclose', () => assert.equal(code(em(approvals('r1', 'r2'))), 'allow'));
  it('one approval is never enough', () => assert.equal(code(em(approvals('r1'))), 'two_reviewers_needed'));
  it('the same reviewer twice counts once', () => assert.equal(code(em(approvals('r1', 'r1'))), 'two_reviewers_needed'));
  it('a member of the requesting agency does not count', () => {
    const dets = approvals('r1', 'r2');
    dets[1] = { ...dets[1], reviewerAgencyId: AGENCY };
    assert.equal(code(em(dets)), 'two_reviewers_needed');
  });
  it('the requester does not count', () => assert.equal(code(em(approvals('r1', 'officer-1'))), 'two_reviewers_needed'));
  it('whoever created or verified the requesting agency does not count (conflict.ts)', () => {
    assert.equal(code(em(approvals('r1', 'admin-1'))), 'two_reviewers_needed');
    assert.equal(code(em(approvals('admin-2', 'r2'))), 'two_reviewers_needed');
    assert.equal(code(em(approvals('r1', 'r2', 'admin-1'))), 'allow', 'two eligible approvals still disclose');
  });
  it('a denial stops it, even beside two approvals', () => {
    const dets = [...approvals('r1', 'r2'), { reviewerId: 'r3', reviewerAgencyId: null, decision: 'deny' as const, at: NOW - 10 }];
    assert.equal(code(em(dets)), 'denied');
  });
  it('approvals recorded after `now` do not count yet', () => {
    const dets = approvals('r1', 'r2').map((d, i) => (i === 1 ? { ...d, at: NOW + 1 } : d));
    assert.equal(code(em(dets)), 'two_reviewers_needed');
  });
  it('a resolved emergency releases nothing more', () => assert.equal(code(em(approvals('r1', 'r2'), { resolvedAt: NOW - 1 })), 'resolved'));
  it('an address scope covers a camera within the radius and not one outside it', () => {
    const scope: Scope = { cameraIds: [], area: { ...home, radiusM: 50 }, ranges: scopeFor('match').ranges };
    assert.equal(code(em(approvals('r1', 'r2'), { scope })), 'allow');
    const far = { lat: home.lat + 0.001, lon: home.lon }; // about 111 m north
    assert.ok(distanceM(home, far) > 100 && distanceM(home, far) < 120);
    const d = decide(em(approvals('r1', 'r2'), { scope }), clipFacts({ cameraLocation: far }));
    assert.equal(d.allow ? 'allow' : d.code, 'out_of_scope_camera');
  });
});

describe('decideDisclosure: edge cases', () => {
  const decide = (bases: Basis[], clip = clipFacts(), recipient = recipients.agency) => {
    const d = decideDisclosure({ recipient, clip, bases, ownerPolicy: policies.open, now: NOW });
    return d.allow ? 'allow' : d.code;
  };
  it('a deleted clip never leaves, whatever the basis', () => {
    for (const k of ['consent', 'warrant', 'emergency'] as const) assert.equal(decide([basisFor(k, 'match', 'live')], clipFacts({ deleted: true })), 'deleted');
  });
  it('no basis, no disclosure', () => assert.equal(decide([]), 'no_basis'));
  it('a warrant not yet approved, or rejected, releases nothing', () => {
    const w = basisFor('warrant', 'match', 'live') as Extract<Basis, { kind: 'warrant' }>;
    assert.equal(decide([{ ...w, status: 'pending', approvedAt: null }]), 'not_approved');
    assert.equal(decide([{ ...w, status: 'rejected' }]), 'not_approved');
  });
  it('a clip running past the end of the window is outside it', () => {
    const w = basisFor('warrant', 'match', 'live');
    assert.equal(decide([w], clipFacts({ startedAt: NOW - 4 * H - 30_000, endedAt: NOW - 4 * H + 30_000 })), 'out_of_scope_time');
  });
  it('consent from someone other than the owner counts for nothing', () => {
    const c = basisFor('consent', 'match', 'live') as Extract<Basis, { kind: 'consent' }>;
    assert.equal(decide([{ ...c, ownerId: 'owner-2' }]), 'wrong_owner');
  });
  it('a consent to post publicly releases to the public only', () => {
    const c = { ...(basisFor('consent', 'match', 'live') as Extract<Basis, { kind: 'consent' }>), recipient: 'public' };
    assert.equal(decide([c], clipFacts(), recipients.public), 'allow');
    assert.equal(decide([c], clipFacts(), recipients.agency), 'wrong_recipient');
  });
  it('one holding basis among refused ones allows, naming that basis', () => {
    const d = decideDisclosure({ recipient: recipients.agency, clip: clipFacts(), bases: [basisFor('warrant', 'camera', 'live'), basisFor('emergency', 'match', 'live')], ownerPolicy: policies.open, now: NOW });
    assert.ok(d.allow && d.basis.kind === 'emergency');
  });
  it('the end-to-end encryption refusal is preferred over other refusals', () => {
    const d = decideDisclosure({ recipient: recipients.agency, clip: clipFacts({ e2ee: true }), bases: [basisFor('warrant', 'camera', 'live'), basisFor('warrant', 'match', 'live')], ownerPolicy: policies.open, now: NOW });
    assert.ok(!d.allow && d.reason === E2EE_REFUSAL);
  });
});
