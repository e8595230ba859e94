// Demo step (issue 6 "Done when"): one completed warrant (narrowed, then
// releasing content), one preservation hold and one resolved emergency, so the
// reviewer console, the agency portal, owners' notices and the log have them.
// It runs over HTTP (app.inject) as the demo staff, through the same routes and
// checks as everyone else. Runs after the steps that seed agencies and clips;
// without them it makes its own agency and scopes whatever cameras exist.
import type { BuiltApp } from '../app/wire.ts';
import { newId } from '../platform/crypto.ts';
import { HOUR, DAY } from '../platform/clock.ts';
import { totpCode } from '../accounts/totp.ts';
import { DEMO_PASSWORD, DEMO_STAFF, type DemoState, type DemoStep } from './state.ts';
import { minimalPdf } from '../legal/pdf.ts';

const iso = (t: number) => new Date(t).toISOString();

function form(fields: Record<string, string>, pdf: Buffer): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----porchlight-demo-${newId()}`;
  const parts: Buffer[] = Object.entries(fields).map(([k, v]) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="document"; filename="order.pdf"\r\nContent-Type: application/pdf\r\n\r\n`), pdf, Buffer.from(`\r\n--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** A verified agency for the demo officer: the one an earlier step made, or a new one covering the neighbourhood. */
async function demoAgency(built: BuiltApp, state: DemoState): Promise<string> {
  const db = built.ctx.db.kysely;
  const officerId = state.userIds.officer;
  const officer = await db.selectFrom('users').select('agency_id').where('id', '=', officerId).executeTakeFirst();
  const known = (state.extra.agencyId as string | undefined) ?? officer?.agency_id ?? undefined;
  const existing = known ? await db.selectFrom('agencies').select('id').where('id', '=', known).where('verified_at', 'is not', null).executeTakeFirst() : undefined;
  if (existing) return existing.id;
  const lats = state.homes.map((h) => h.lat);
  const lons = state.homes.map((h) => h.lon);
  const [s, n, w, e] = [Math.min(...lats) - 0.02, Math.max(...lats) + 0.02, Math.min(...lons) - 0.02, Math.max(...lons) + 0.02];
  const id = newId();
  const now = built.ctx.clock.now();
  await db.insertInto('agencies').values({
    id, name: 'Demo City Police Department', type: 'law_enforcement', immigration_enforcement: 0,
    jurisdiction: JSON.stringify({ type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] }), jurisdiction_area_m2: (n - s) * (e - w) * 111_000 * 78_000,
    description: 'Demo agency for the legal-process walkthrough.', website: null, public_contact: null,
    created_by: state.userIds.reviewer, created_at: now, verified_by: state.userIds.reviewer, verified_at: now,
  }).execute();
  await db.updateTable('users').set({ agency_id: id }).where('id', '=', officerId).execute();
  return id;
}

/** Plain (not end-to-end encrypted) cameras that have live clips, newest clips first. */
async function camerasWithClips(built: BuiltApp) {
  return built.ctx.db.kysely.selectFrom('clips').innerJoin('cameras', 'cameras.id', 'clips.camera_id')
    .select(['cameras.id as cameraId', 'cameras.lat', 'cameras.lon', 'clips.started_at', 'clips.ended_at'])
    .where('clips.deleted_at', 'is', null).where('cameras.e2ee', '=', 0)
    .orderBy('clips.started_at', 'desc').limit(200).execute();
}

export const legalDemoStep: DemoStep = {
  name: 'warrant, hold, emergency',
  async run(built, state, progress) {
    const { app } = built;
    const now = built.ctx.clock.now();
    const agencyId = await demoAgency(built, state);
    const tokens: Record<string, string> = {};
    for (const key of ['officer', 'reviewer', 'reviewer2'] as const) {
      const s = DEMO_STAFF.find((x) => x.key === key)!;
      // An earlier step may have used this time step's code (replay protection): try the next one too.
      for (const at of [now, now + 30_000, now + 60_000]) {
        const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: s.email, password: DEMO_PASSWORD, totp: totpCode(s.totp, at) } });
        if (res.statusCode === 200) {
          tokens[key] = `Bearer ${res.json().token}`;
          break;
        }
      }
      if (!tokens[key]) throw new Error(`demo: ${key} cannot sign in`);
    }
    const call = async (who: string, method: 'GET' | 'POST', url: string, body?: object | { payload: Buffer; headers: Record<string, string> }) => {
      const multipart = body && 'payload' in body && Buffer.isBuffer(body.payload);
      const res = await app.inject({
        method, url,
        headers: { authorization: tokens[who], ...(multipart ? (body as { headers: Record<string, string> }).headers : {}) },
        payload: multipart ? (body as { payload: Buffer }).payload : (body as object | undefined),
      });
      if (res.statusCode >= 300) throw new Error(`demo: ${method} ${url} answered ${res.statusCode}: ${res.body}`);
      return res.json();
    };

    // Distinct cameras with clips; fall back to the first homes' surroundings when no step made clips.
    const seen = new Map<string, { cameraId: string; lat: number; lon: number; start: number; end: number }>();
    for (const c of await camerasWithClips(built)) if (!seen.has(c.cameraId)) seen.set(c.cameraId, { cameraId: c.cameraId, lat: c.lat, lon: c.lon, start: Number(c.started_at), end: Number(c.ended_at) });
    const cams = [...seen.values()];
    const home = state.homes[0];
    const pick = (i: number) => cams[i] ?? { cameraId: null, lat: home.lat, lon: home.lon, start: now - 2 * HOUR, end: now - HOUR };
    const scopeOf = (c: ReturnType<typeof pick>, pad: number) => ({
      ...(c.cameraId ? { cameraIds: [c.cameraId] } : { address: { lat: c.lat, lon: c.lon, radiusM: 50 } }),
      ranges: [{ from: iso(c.start - pad), to: iso(c.end + pad) }],
    });
    const demands = `/api/v1/agencies/${agencyId}/legal-demands`;

    // 1. A search warrant over two cameras and a day, narrowed to one camera and two hours, then releasing.
    const w = pick(0);
    const wide = { ...scopeOf(w, 12 * HOUR), ...(w.cameraId && cams[1] ? { cameraIds: [w.cameraId, cams[1].cameraId] } : {}) };
    const warrant = await call('officer', 'POST', demands, form({ type: 'search_warrant', issuingAuthority: 'Demo County Circuit Court', caseNumber: 'DEMO-W-1', scope: JSON.stringify(wide) }, minimalPdf('Search warrant DEMO-W-1')));
    // Reviewer 2: the demo's first reviewer created and verified the agency, so may not review its demands.
    await call('reviewer2', 'POST', `/api/v1/review/legal-demands/${warrant.id}/decision`, {
      decision: 'narrow', reason: 'Probable cause is shown for one camera and the hour of the incident only; narrowed accordingly.', scope: scopeOf(w, HOUR),
    });
    progress(1, 3);

    // 2. A preservation request, approved: a 90-day hold.
    const p = pick(cams.length > 1 ? 1 : 0);
    const hold = await call('officer', 'POST', demands, form({ type: 'preservation', issuingAuthority: 'Demo City Police Department', caseNumber: 'DEMO-P-1', scope: JSON.stringify(scopeOf(p, 2 * HOUR)) }, minimalPdf('Preservation request DEMO-P-1')));
    await call('reviewer2', 'POST', `/api/v1/review/legal-demands/${hold.id}/decision`, { decision: 'approve', reason: 'Preservation releases nothing; scope is narrow.' });
    progress(2, 3);

    // 3. An emergency: callback, two approvals, release, resolved by the agency (owners told at once).
    const e = pick(cams.length > 2 ? 2 : 0);
    const em = await call('officer', 'POST', `/api/v1/agencies/${agencyId}/emergency-requests`, {
      officerName: 'Officer Ortiz, badge 2207', callbackPhone: '+1 555 010 0199',
      nature: 'A missing 7-year-old last seen on this block.', imminentDanger: 'The child was seen getting into an unknown car; risk of serious harm.',
      whyNoProcess: 'A warrant would take hours; the first hours decide such cases.', scope: scopeOf(e, 30 * 60_000),
    });
    await call('reviewer', 'POST', `/api/v1/review/emergency-requests/${em.id}/callback`, { numberDialled: '+1 555 010 0199', calledAt: iso(now), confirmed: true, notes: 'Dispatch confirmed the officer and the case.' });
    await call('reviewer', 'POST', `/api/v1/review/emergency-requests/${em.id}/determinations`, { decision: 'approve', reasons: 'Imminent danger to a child is credible and the scope is one camera, one hour.' });
    await call('reviewer2', 'POST', `/api/v1/review/emergency-requests/${em.id}/determinations`, { decision: 'approve', reasons: 'Independently agree: credible imminent danger, minimal scope.' });
    await call('officer', 'POST', `/api/v1/agencies/${agencyId}/emergency-requests/${em.id}/resolve`);
    state.extra.legal = { warrantId: warrant.id, preservationId: hold.id, emergencyId: em.id, agencyId, followUpDue: iso(now + 7 * DAY) };
    progress(3, 3);
  },
};
