// Property test of the disclosure rule over random sequences of operations
// (issue 6 §4): register, upload, request, respond, demand, review (approve,
// narrow, reject), emergency, determine, delete, expire, and release attempts.
//
// The system under test keeps current state and asks decideDisclosure, exactly
// as the service does; every release appends one log entry. Independently, an
// oracle replays the event history (not the state) to judge whether a basis
// covered that clip, that recipient, at that time. Then:
//   - every clip whose bytes reached anyone but its owner has exactly one log
//     entry per (recipient, basis), and that entry's basis covers it;
//   - nothing left without an entry, and nothing the oracle does not cover left;
//   - every attempt the oracle says is covered did release (the rule is not
//     simply refusing everything).
// 300 sequences in `npm test`; DEEP=1 (`npm run test:deep`) runs 20,000.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decideDisclosure, scopeCoversCamera, scopeCoversTime, type Basis, type ClipFacts, type Recipient, type Scope } from '../../src/disclosure/policy.ts';

const RUNS = process.env.DEEP === '1' ? 20_000 : 300;
const MIN = 60_000;
const AGENCIES = ['A', 'B'] as const;
const REVIEWERS = [
  { id: 'rev1', agency: null }, { id: 'rev2', agency: null }, { id: 'rev3', agency: null }, { id: 'moonlighter', agency: 'A' },
] as const;

type Op =
  | { op: 'register'; e2ee: boolean; x: number }
  | { op: 'upload'; cam: number; start: number; len: number }
  | { op: 'request'; agency: number }
  | { op: 'respond'; req: number; clip: number; asOwner: boolean }
  | { op: 'revoke'; req: number; clip: number }
  | { op: 'demand'; agency: number; cams: number[]; from: number; len: number }
  | { op: 'review'; demand: number; verdict: 'approve' | 'narrow' | 'reject'; reviewer: number }
  | { op: 'emergency'; agency: number; cams: number[]; from: number; len: number }
  | { op: 'determine'; em: number; reviewer: number; approve: boolean }
  | { op: 'resolve'; em: number }
  | { op: 'delete'; clip: number }
  | { op: 'expire'; minutes: number }
  | { op: 'attempt'; clip: number; recipient: number; kind: 'consent' | 'warrant' | 'emergency'; ref: number; aim: boolean };

const small = fc.nat(6);
const w = <T>(weight: number, arbitrary: fc.Arbitrary<T>) => ({ weight, arbitrary });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  w(2, fc.record({ op: fc.constant('register' as const), e2ee: fc.nat(3).map((n) => n === 0), x: fc.nat(4) })),
  w(5, fc.record({ op: fc.constant('upload' as const), cam: small, start: fc.nat(90), len: fc.integer({ min: 1, max: 10 }) })),
  w(2, fc.record({ op: fc.constant('request' as const), agency: fc.nat(1) })),
  w(3, fc.record({ op: fc.constant('respond' as const), req: small, clip: small, asOwner: fc.boolean() })),
  w(1, fc.record({ op: fc.constant('revoke' as const), req: small, clip: small })),
  w(2, fc.record({ op: fc.constant('demand' as const), agency: fc.nat(1), cams: fc.array(small, { minLength: 1, maxLength: 3 }), from: fc.nat(40), len: fc.integer({ min: 0, max: 120 }) })),
  w(4, fc.record({ op: fc.constant('review' as const), demand: small, verdict: fc.constantFrom('approve' as const, 'narrow' as const, 'reject' as const), reviewer: fc.nat(3) })),
  w(2, fc.record({ op: fc.constant('emergency' as const), agency: fc.nat(1), cams: fc.array(small, { minLength: 1, maxLength: 3 }), from: fc.nat(40), len: fc.integer({ min: 0, max: 360 }) })),
  w(6, fc.record({ op: fc.constant('determine' as const), em: small, reviewer: fc.nat(3), approve: fc.nat(5).map((n) => n > 0) })),
  w(1, fc.record({ op: fc.constant('resolve' as const), em: small })),
  w(1, fc.record({ op: fc.constant('delete' as const), clip: small })),
  w(1, fc.record({ op: fc.constant('expire' as const), minutes: fc.integer({ min: 1, max: 6 * 24 * 60 }) })),
  w(10, fc.record({ op: fc.constant('attempt' as const), clip: small, recipient: fc.nat(2), kind: fc.constantFrom('consent' as const, 'warrant' as const, 'emergency' as const), ref: small, aim: fc.nat(3).map((n) => n > 0) })),
);

/** Warrants may be executed for 14 days after approval (Fed. R. Crim. P. 41(e)(2)(A)). */
const WARRANT_LIFE = 14 * 24 * 60 * MIN;

type Event = { at: number } & Record<string, unknown>;
interface Release { clip: string; recipient: string; kind: string; ref: string; at: number }

function run(ops: Op[]) {
  let now = 1_000 * MIN;
  const owners = ['o1', 'o2'];
  const cams: { id: string; owner: string; e2ee: boolean }[] = [];
  const clips: (ClipFacts & { deletedAt: number | null })[] = [];
  const requests: { id: string; agency: string }[] = [];
  const consents: { ref: string; clip: string; owner: string; recipient: string; at: number; revokedAt: number | null }[] = [];
  const demands: { id: string; agency: string; scope: Scope; status: 'pending' | 'approved' | 'rejected'; approvedAt: number | null; reviewers: string[] }[] = [];
  const ems: { id: string; agency: string; scope: Scope; dets: { reviewerId: string; reviewerAgencyId: string | null; decision: 'approve' | 'deny'; at: number }[]; resolvedAt: number | null }[] = [];
  const history: Event[] = [];
  const log: Release[] = [];
  const attempts: { clip: string; recipient: string; kind: string; ref: string; at: number; released: boolean }[] = [];
  const pick = <T>(xs: T[], i: number): T | undefined => (xs.length ? xs[i % xs.length] : undefined);
  const scopeOf = (camIdx: number[], from: number, len: number): Scope => ({
    cameraIds: camIdx.map((i) => pick(cams, i)?.id).filter((x): x is string => !!x), area: null,
    ranges: len === 0 ? [] : [{ from: from * MIN, to: (from + len) * MIN }],
  });

  for (const o of ops) {
    now += MIN;
    switch (o.op) {
      case 'register': cams.push({ id: `c${cams.length}`, owner: owners[o.x % 2], e2ee: o.e2ee }); history.push({ at: now, ev: 'register', cam: cams.at(-1)!.id, e2ee: o.e2ee }); break;
      case 'upload': {
        const cam = pick(cams, o.cam);
        if (!cam) break;
        const c = { id: `k${clips.length}`, ownerId: cam.owner, cameraId: cam.id, cameraLocation: null, startedAt: o.start * MIN, endedAt: (o.start + o.len) * MIN, e2ee: cam.e2ee, deleted: false, deletedAt: null };
        clips.push(c);
        history.push({ at: now, ev: 'upload', clip: c.id, cam: cam.id, owner: cam.owner, start: c.startedAt, end: c.endedAt });
        break;
      }
      case 'request': requests.push({ id: `r${requests.length}`, agency: AGENCIES[o.agency] }); break;
      case 'respond': {
        const r = pick(requests, o.req);
        const c = pick(clips, o.clip);
        if (!r || !c) break;
        // A neighbour answering for someone else's clip records a consent of the wrong owner.
        const owner = o.asOwner ? c.ownerId : owners.find((x) => x !== c.ownerId)!;
        consents.push({ ref: r.id, clip: c.id, owner, recipient: r.agency, at: now, revokedAt: null });
        history.push({ at: now, ev: 'consent', ref: r.id, clip: c.id, owner, recipient: r.agency });
        break;
      }
      case 'revoke': {
        const r = pick(requests, o.req);
        const c = pick(clips, o.clip);
        for (const k of consents) if (r && c && k.ref === r.id && k.clip === c.id && k.revokedAt === null) k.revokedAt = now;
        if (r && c) history.push({ at: now, ev: 'revoke', ref: r.id, clip: c.id });
        break;
      }
      case 'demand': demands.push({ id: `w${demands.length}`, agency: AGENCIES[o.agency], scope: scopeOf(o.cams, o.from, o.len), status: 'pending', approvedAt: null, reviewers: [] }); history.push({ at: now, ev: 'demand', id: demands.at(-1)!.id, agency: AGENCIES[o.agency], scope: demands.at(-1)!.scope }); break;
      case 'review': {
        const d = pick(demands, o.demand);
        if (!d || d.status !== 'pending') break;
        const rev = REVIEWERS[o.reviewer];
        if (rev.agency === d.agency) break; // the service refuses this (403)
        let scope = d.scope;
        // Narrowing keeps the first camera and the first half of the first range: never wider.
        if (o.verdict === 'narrow') scope = { cameraIds: d.scope.cameraIds.slice(0, 1), area: null, ranges: d.scope.ranges.slice(0, 1).map((r) => ({ from: r.from, to: r.from + Math.floor((r.to - r.from) / 2) })) };
        d.scope = scope;
        d.status = o.verdict === 'reject' ? 'rejected' : 'approved';
        d.approvedAt = d.status === 'approved' ? now : null;
        d.reviewers = [rev.id];
        history.push({ at: now, ev: 'review', id: d.id, verdict: o.verdict, scope });
        break;
      }
      case 'emergency': ems.push({ id: `e${ems.length}`, agency: AGENCIES[o.agency], scope: scopeOf(o.cams, o.from, Math.min(o.len, 360)), dets: [], resolvedAt: null }); history.push({ at: now, ev: 'emergency', id: ems.at(-1)!.id, agency: AGENCIES[o.agency], scope: ems.at(-1)!.scope }); break;
      case 'determine': {
        const e = pick(ems, o.em);
        const rev = REVIEWERS[o.reviewer];
        // The service refuses a second determination by one reviewer (409) and the agency's own member (403).
        if (!e || e.resolvedAt !== null || e.dets.some((d) => d.reviewerId === rev.id) || rev.agency === e.agency) break;
        e.dets.push({ reviewerId: rev.id, reviewerAgencyId: rev.agency, decision: o.approve ? 'approve' : 'deny', at: now });
        history.push({ at: now, ev: 'determine', id: e.id, reviewer: rev.id, approve: o.approve });
        break;
      }
      case 'resolve': { const e = pick(ems, o.em); if (e && e.resolvedAt === null) { e.resolvedAt = now; history.push({ at: now, ev: 'resolve', id: e.id }); } break; }
      case 'delete': { const c = pick(clips, o.clip); if (c && !c.deleted) { c.deleted = true; c.deletedAt = now; history.push({ at: now, ev: 'delete', clip: c.id }); } break; }
      case 'expire': now += o.minutes * MIN; break;
      case 'attempt': {
        // Aimed attempts follow a basis on record (its clip, its agency), so that
        // releases are common; unaimed ones try anything.
        let c = pick(clips, o.clip);
        let agencyIdx = o.recipient;
        let refIdx = o.ref;
        if (o.aim && o.kind === 'consent') {
          const k = pick(consents, o.clip);
          c = clips.find((x) => x.id === k?.clip) ?? c;
          if (k && o.recipient !== 2) agencyIdx = AGENCIES.indexOf(k.recipient as 'A');
          const r = requests.findIndex((x) => x.id === k?.ref);
          if (r >= 0) refIdx = r;
        } else if (o.aim) {
          const b = o.kind === 'warrant' ? pick(demands, o.ref) : pick(ems, o.ref);
          if (b) {
            c = pick(clips.filter((x) => b.scope.cameraIds.includes(x.cameraId)), o.clip) ?? c;
            if (o.recipient !== 2) agencyIdx = AGENCIES.indexOf(b.agency as 'A');
          }
        }
        if (!c) break;
        const recipient: Recipient = agencyIdx === 2 ? { kind: 'public' } : { kind: 'agency', agencyId: AGENCIES[agencyIdx], agencyType: 'law_enforcement' };
        const rkey = recipient.kind === 'public' ? 'public' : recipient.agencyId;
        let bases: Basis[] = [];
        let ref = '';
        if (o.kind === 'consent') {
          ref = pick(requests, refIdx)?.id ?? 'none';
          bases = consents.filter((k) => k.clip === c.id && k.recipient === rkey && k.ref === ref)
            .map((k) => ({ kind: 'consent', id: k.ref, ownerId: k.owner, clipId: k.clip, recipient: k.recipient, givenAt: k.at, revokedAt: k.revokedAt, expiresAt: null }));
        } else if (o.kind === 'warrant') {
          const d = pick(demands, o.ref);
          ref = d?.id ?? 'none';
          if (d) bases = [{ kind: 'warrant', id: d.id, agencyId: d.agency, status: d.status, scope: d.scope, approvedAt: d.approvedAt, reviewerIds: d.reviewers, revokedAt: null, expiresAt: d.approvedAt === null ? null : d.approvedAt + WARRANT_LIFE }];
        } else {
          const e = pick(ems, o.ref);
          ref = e?.id ?? 'none';
          if (e) bases = [{ kind: 'emergency', id: e.id, agencyId: e.agency, requesterId: 'officer', agencyCreatedBy: 'admin', agencyVerifiedBy: 'admin', scope: e.scope, determinations: e.dets, resolvedAt: e.resolvedAt, revokedAt: null, expiresAt: null }];
        }
        const d = decideDisclosure({ recipient, clip: c, bases, ownerPolicy: { blockedAgencyTypes: [] }, now });
        const already = log.some((l) => l.clip === c.id && l.recipient === rkey && l.kind === o.kind && l.ref === ref);
        if (d.allow && !already) log.push({ clip: c.id, recipient: rkey, kind: o.kind, ref, at: now });
        attempts.push({ clip: c.id, recipient: rkey, kind: o.kind, ref, at: now, released: d.allow });
        break;
      }
    }
  }
  return { history, log, attempts };
}

/** Whether the event history, up to `at`, gives a basis for this release. Written from the product's words, over events. */
function oracle(history: Event[], r: { clip: string; recipient: string; kind: string; ref: string; at: number }): boolean {
  const past = history.filter((e) => e.at <= r.at);
  const up = past.find((e) => e.ev === 'upload' && e.clip === r.clip);
  if (!up || past.some((e) => e.ev === 'delete' && e.clip === r.clip)) return false;
  const e2ee = past.some((e) => e.ev === 'register' && e.cam === up.cam && e.e2ee === true);
  if (e2ee) return false;
  const clip = { cameraId: up.cam as string, cameraLocation: null, startedAt: up.start as number, endedAt: up.end as number };
  if (r.kind === 'consent') {
    const given = past.filter((e) => e.ev === 'consent' && e.ref === r.ref && e.clip === r.clip && e.owner === up.owner && e.recipient === r.recipient);
    // A revocation ends every consent given before it; a later answer consents again.
    return given.some((g) => !past.some((e) => e.ev === 'revoke' && e.ref === r.ref && e.clip === r.clip && e.at > g.at));
  }
  if (r.kind === 'warrant') {
    const demand = past.find((e) => e.ev === 'demand' && e.id === r.ref);
    const review = past.find((e) => e.ev === 'review' && e.id === r.ref);
    if (!demand || !review || review.verdict === 'reject' || demand.agency !== r.recipient) return false;
    if (r.at >= review.at + WARRANT_LIFE) return false;
    const scope = review.scope as Scope;
    return scopeCoversCamera(scope, clip) && scopeCoversTime(scope, clip);
  }
  const em = past.find((e) => e.ev === 'emergency' && e.id === r.ref);
  if (!em || em.agency !== r.recipient || past.some((e) => e.ev === 'resolve' && e.id === r.ref)) return false;
  const dets = past.filter((e) => e.ev === 'determine' && e.id === r.ref);
  if (dets.some((d) => d.approve === false)) return false;
  const approvers = new Set(dets.filter((d) => d.approve === true && REVIEWERS.find((x) => x.id === d.reviewer)!.agency !== r.recipient).map((d) => d.reviewer));
  const scope = em.scope as Scope;
  return approvers.size >= 2 && scopeCoversCamera(scope, clip) && scopeCoversTime(scope, clip);
}

test(`disclosure rule over random operation sequences (${RUNS} runs)`, () => {
  fc.assert(
    fc.property(fc.array(opArb, { minLength: 20, maxLength: 120, size: 'max' }), (ops) => {
      const { history, log, attempts } = run(ops);
      const seen = new Set<string>();
      for (const entry of log) {
        const k = `${entry.clip}|${entry.recipient}|${entry.kind}|${entry.ref}`;
        assert.ok(!seen.has(k), `two log entries for ${k}`);
        seen.add(k);
        assert.ok(oracle(history, entry), `released without a covering basis: ${JSON.stringify(entry)}`);
      }
      for (const a of attempts) {
        const covered = oracle(history, a);
        assert.equal(a.released, covered, `attempt ${JSON.stringify(a)}: released=${a.released} but covered=${covered}`);
        if (a.released) assert.ok(seen.has(`${a.clip}|${a.recipient}|${a.kind}|${a.ref}`), 'a release without its log entry');
      }
    }),
    { numRuns: RUNS },
  );
});
