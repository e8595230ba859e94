// Shared set-up for the legal and emergency HTTP tests: an agency with a member,
// reviewers, owners with cameras and clips at known times, and multipart bodies.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { as, createResident, createStaff, login, type TestApp, type TestUser } from '../helpers/app.ts';
import { totpCode } from '../../src/accounts/totp.ts';
import { enrolOwnerKey, newCamera, upload, uploadSealed } from '../clips/helpers.ts';
import { minimalPdf } from '../../src/legal/pdf.ts';
import type { Db } from '../../src/platform/db/db.ts';
import { insertAgency } from '../../src/agencies/repository.ts';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export interface FilePart {
  field: string;
  filename: string;
  type: string;
  data: Buffer;
}

/** A multipart/form-data body (RFC 7578) built by hand, so tests control every byte. */
export function multipart(fields: Record<string, string>, file?: FilePart): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----porchlight${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (file) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.filename}"\r\nContent-Type: ${file.type}\r\n\r\n`));
    chunks.push(file.data, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

export const pdfPart = (data: Buffer = minimalPdf('search warrant'), filename = 'warrant.pdf'): FilePart => ({ field: 'document', filename, type: 'application/pdf', data });

export interface Scene {
  agencyId: string;
  officer: TestUser;
  otherOfficer: TestUser;
  reviewer1: TestUser;
  reviewer2: TestUser;
  owner: TestUser;
  neighbour: TestUser;
  /** Two plain cameras of `owner`, one of `neighbour`, one e2ee camera of `owner`. */
  cams: { a: string; b: string; n: string; e2ee: string };
  /** Clips: a1 and a2 on cam a (an hour apart), b1 on cam b, n1 on the neighbour's camera, e1 on the e2ee camera. */
  clips: Record<'a1' | 'a2' | 'b1' | 'n1' | 'e1', { id: string; sha256: string; startedAt: number; endedAt: number }>;
}

let agencies = 0;

export async function scene(t: TestApp): Promise<Scene> {
  const agencyId = `agency-${process.pid}-${++agencies}`;
  // Verified agencies, inserted directly: around the scene's cameras, and far away (Seattle).
  await agency(t, agencyId, box(45.4, 45.8, -122.8, -122.4));
  await agency(t, `${agencyId}-other`, box(47, 48, -123, -122));
  const officer = await createStaff(t, 'agency', { agencyId });
  const otherOfficer = await createStaff(t, 'agency', { agencyId: `${agencyId}-other` });
  const reviewer1 = await createStaff(t, 'reviewer');
  const reviewer2 = await createStaff(t, 'reviewer');
  const owner = await createResident(t);
  const neighbour = await createResident(t);
  const cams = {
    a: await newCamera(t, owner, { location: { lat: 45.5, lon: -122.6 } }),
    b: await newCamera(t, owner, { location: { lat: 45.6, lon: -122.6 } }),
    n: await newCamera(t, neighbour, { location: { lat: 45.50005, lon: -122.6 } }),
    e2ee: await newCamera(t, owner, { e2ee: true, location: { lat: 45.7, lon: -122.6 } }),
  };
  const now = t.clock.now();
  const clip = async (user: TestUser, cameraId: string, agoMs: number) => {
    const startedAt = now - agoMs;
    const endedAt = startedAt + 10_000;
    const res = await upload(t, { user }, { cameraId, kind: 'manual', startedAt: new Date(startedAt).toISOString(), endedAt: new Date(endedAt).toISOString() });
    assert.equal(res.statusCode, 201, res.body);
    return { id: res.json().id as string, sha256: res.json().sha256 as string, startedAt, endedAt };
  };
  const ownerKey = await enrolOwnerKey(t, owner);
  const sealedClip = async (agoMs: number) => {
    const startedAt = now - agoMs;
    const endedAt = startedAt + 10_000;
    const { res } = await uploadSealed(t, { user: owner }, ownerKey, { cameraId: cams.e2ee, kind: 'manual', startedAt: new Date(startedAt).toISOString(), endedAt: new Date(endedAt).toISOString() });
    assert.equal(res.statusCode, 201, res.body);
    return { id: res.json().id as string, sha256: res.json().sha256 as string, startedAt, endedAt };
  };
  const clips = {
    a1: await clip(owner, cams.a, 3 * HOUR),
    a2: await clip(owner, cams.a, 2 * HOUR),
    b1: await clip(owner, cams.b, 3 * HOUR),
    n1: await clip(neighbour, cams.n, 3 * HOUR),
    e1: await sealedClip(3 * HOUR),
  };
  return { agencyId, officer, otherOfficer, reviewer1, reviewer2, owner, neighbour, cams, clips };
}

export const box = (lat0: number, lat1: number, lon0: number, lon1: number) =>
  ({ type: 'Polygon' as const, coordinates: [[[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]] });

export async function agency(t: TestApp, id: string, jurisdiction: object, verified = true): Promise<void> {
  const now = t.clock.now();
  await insertAgency(t.ctx.db.kysely, {
    id, name: `Agency ${id}`, type: 'law_enforcement', immigration_enforcement: 0, jurisdiction: JSON.stringify(jurisdiction), jurisdiction_area_m2: 1e9,
    description: 'test agency', website: null, public_contact: null, created_by: 'test', created_at: now, verified_by: verified ? 'test' : null, verified_at: verified ? now : null,
  });
}

export const range = (from: number, to: number) => ({ from: new Date(from).toISOString(), to: new Date(to).toISOString() });

export function submitDemand(t: TestApp, user: TestUser | null, agencyId: string, fields: Record<string, string>, file: FilePart | null = pdfPart()): Promise<LightMyRequestResponse> {
  const body = multipart(fields, file ?? undefined);
  return as(t, user, { method: 'POST', url: `/api/v1/agencies/${agencyId}/legal-demands`, headers: body.headers, payload: body.payload });
}

export async function count(db: Db, table: 'legal_demands' | 'log_entries' | 'disclosures' | 'holds' | 'owner_notices' | 'review_audit' | 'emergency_requests' | 'emergency_determinations' | 'outbox_messages'): Promise<number> {
  return Number((await db.kysely.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
}

/** Counts of every table a legal or emergency action may write: "changes nothing" compares two of these. */
export async function snapshot(db: Db) {
  const tables = ['legal_demands', 'log_entries', 'disclosures', 'holds', 'owner_notices', 'review_audit', 'emergency_requests', 'emergency_determinations', 'outbox_messages'] as const;
  const out: Record<string, number> = {};
  for (const tb of tables) out[tb] = await count(db, tb);
  return out;
}

/** Log entries (parsed JSON) with the given ref, in sequence order. */
export async function entriesFor(db: Db, ref: string): Promise<{ basis: string; agency: string | null; ref: string; reviewers: string[]; clips: string[]; demand?: string; outcome?: string; count?: number }[]> {
  const rows = await db.kysely.selectFrom('log_entries').select(['seq', 'entry']).orderBy('seq').execute();
  return rows.map((r) => JSON.parse(Buffer.from(r.entry).toString('utf8'))).filter((e) => e.ref === ref);
}

/** Signs in again (sessions last 30 days; tests that move the clock further need a fresh one). */
export async function relogin(t: TestApp, user: TestUser): Promise<TestUser> {
  const fresh = await login(t, user.email, user.totpSecret ? { totp: totpCode(user.totpSecret, t.clock.now()) } : {});
  return { ...fresh, totpSecret: user.totpSecret };
}
