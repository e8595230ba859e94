// Demo step: the demo agency over the demo town (the demo officer is its
// member), and a few community requests: two approved, answered by some of the
// neighbours whose doorbells have footage (so the public posts, the evidence
// locker, owners' receipts and the log have something to show at once), one
// approved and waiting for answers, and one pending review. Demo only.
import type { UserActor } from '../platform/access.ts';
import type { BuiltApp } from '../app/wire.ts';
import type { DemoState, DemoStep } from './state.ts';
import { DEMO_CENTRE, demoJurisdiction } from './neighbourhood.ts';
import { footageHour } from './footage.ts';
import { HOUR } from '../platform/clock.ts';
import type { Polygon } from 'geojson';

const M_LAT = 111_320;
const mLon = M_LAT * Math.cos((DEMO_CENTRE.lat * Math.PI) / 180);

/** A square of `side` metres around a point `north`/`east` metres from the town centre. */
function square(side: number, north = 0, east = 0): Polygon {
  const lat = DEMO_CENTRE.lat + north / M_LAT, lon = DEMO_CENTRE.lon + east / mLon;
  const dLat = side / 2 / M_LAT, dLon = side / 2 / mLon;
  return { type: 'Polygon', coordinates: [[[lon - dLon, lat - dLat], [lon + dLon, lat - dLat], [lon + dLon, lat + dLat], [lon - dLon, lat + dLat], [lon - dLon, lat - dLat]]] };
}

const user = (userId: string, role: UserActor['role'], agencyId: string | null = null): UserActor =>
  ({ kind: 'user', userId, role, agencyId, totpEnabled: true, sessionId: 'demo-seed', via: 'bearer' });

async function demoAgency(built: BuiltApp, state: DemoState): Promise<string> {
  // The admin verifies the agency: a reviewer who verified an agency may not
  // review its legal demands, and the legal demo step has both reviewers review.
  const admin = user(state.userIds.admin, 'admin');
  const agency = await built.services.agencies.create(admin, {
    name: 'Demo City Police Department', type: 'law_enforcement', jurisdiction: demoJurisdiction(),
    description: 'The demo town\'s police. Demo data only.', website: 'https://police.demo.porchlight.invalid', publicContact: 'Front desk, 555-0100 (demo)',
  });
  await built.ctx.db.kysely.updateTable('users').set({ agency_id: agency.id }).where('id', '=', state.userIds.officer).execute();
  state.extra.agencyId = agency.id;
  return agency.id;
}

export const requestsDemoStep: DemoStep = {
  name: 'agency, community requests',
  async run(built, state, progress) {
    const { requests, answers } = built.services;
    const agencyId = await demoAgency(built, state);
    const officer = user(state.userIds.officer, 'agency', agencyId);
    const reviewer = user(state.userIds.reviewer, 'reviewer');
    const now = built.ctx.clock.now();
    const base = footageHour(now);
    const window = { start: new Date(base - 15 * 60_000).toISOString(), end: new Date(base + 60 * 60_000).toISOString() };
    // The requests were posted the morning after, more than 24 hours ago, so
    // they do not use up today's quota of the agency a newcomer tries out. The
    // quota counts created_at over the last 24 hours; the demo sets the time
    // of creation it would have had, and the quota code knows nothing of it.
    const postedAt = base + 2 * HOUR;
    const plans = [
      { caseNumber: 'DCPD-26-1183', incidentType: 'vehicle_break_in', area: square(450), answer: 'share' as const, resolve: false,
        description: 'Two cars on Elm St had windows broken last night. Looking for anyone walking between the parked cars around 9 pm.' },
      { caseNumber: 'DCPD-26-1190', incidentType: 'hit_and_run', area: square(400, 60, -80), answer: 'share' as const, resolve: true,
        description: 'A cyclist was struck at the corner of Fir St and 5th. A dark hatchback left northbound.' },
      { caseNumber: 'DCPD-26-1204', incidentType: 'burglary', area: square(420, -80, 90), answer: 'none' as const, resolve: false,
        description: 'A garage was entered on Dogwood St. Looking for people carrying tools along the block.' },
      { caseNumber: 'DCPD-26-1211', incidentType: 'theft', area: square(380, 100, 100), answer: 'pending' as const, resolve: false,
        description: 'Packages were taken from porches on Ginkgo St.' },
    ];
    let step = 0;
    for (const p of plans) {
      const r = await requests.create(officer, agencyId, { ...p, investigatorContact: 'Det. R. Lane, 555-0142 (demo)', window });
      await built.ctx.db.kysely.updateTable('community_requests').set({ created_at: postedAt }).where('id', '=', r.id).execute();
      progress(++step, plans.length * 2);
      if (p.answer === 'pending') continue;
      await requests.decide(reviewer, r.id, { decision: 'approve', note: 'Specific incident, recent, small area.' });
      if (p.answer === 'share') {
        // Of the neighbours who received it, every other one with footage shares it; one declines.
        const recipients = await built.ctx.db.kysely.selectFrom('request_recipients').select('owner_id').where('request_id', '=', r.id).orderBy('owner_id').execute();
        let shared = 0, declined = 0;
        for (const { owner_id } of recipients) {
          const owner = user(owner_id, 'resident');
          owner.totpEnabled = false;
          const view = await answers.get(owner, r.id);
          const clips = view.clips.filter((c) => !c.e2ee).map((c) => c.id);
          if (clips.length === 0) continue;
          if (shared < 3) {
            try {
              await answers.respond(owner, r.id, { share: clips });
              shared++;
            } catch {
              // A camera with privacy zones needs ffmpeg for the redacted copy; without it that owner simply does not share.
            }
          } else if (declined < 1) {
            await answers.respond(owner, r.id, { decline: true });
            declined++;
          }
        }
      }
      if (p.resolve) await requests.close(officer, agencyId, r.id, { resolved: true });
      progress(++step, plans.length * 2);
    }
    progress(plans.length * 2, plans.length * 2);
  },
};
