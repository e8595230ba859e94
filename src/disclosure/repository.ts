// Disclosure and consent queries. Kysely only; every function takes a DbHandle
// (the database or the transaction the service opened).
import type { Insertable, Selectable } from 'kysely';
import { sql } from 'kysely';
import type { DbHandle, Engine } from '../platform/db/db.ts';
import type { ConsentsTable, DisclosuresTable } from '../platform/db/tables/disclosure.ts';
import type { ClipsTable } from '../platform/db/tables/clips.ts';
import type { OwnerNoticesTable } from '../platform/db/tables/legal.ts';

export type DisclosureRow = Selectable<DisclosuresTable>;
export type ConsentRow = Selectable<ConsentsTable>;

/** The facts the decision needs about a clip, deleted or not, with its camera's current state. */
export interface ClipFactsRow {
  id: string;
  owner_id: string;
  camera_id: string;
  sha256: string;
  size: number;
  started_at: number;
  ended_at: number;
  clip_e2ee: number;
  deleted_at: number | null;
  camera_e2ee: number | null;
  lat: number | null;
  lon: number | null;
  privacy_zones: string | null;
}

export async function clipFacts(db: DbHandle, clipId: string): Promise<ClipFactsRow | undefined> {
  const row = await db
    .selectFrom('clips')
    .leftJoin('cameras', 'cameras.id', 'clips.camera_id')
    .select([
      'clips.id', 'clips.owner_id', 'clips.camera_id', 'clips.sha256', 'clips.size', 'clips.started_at', 'clips.ended_at',
      'clips.e2ee as clip_e2ee', 'clips.deleted_at', 'cameras.e2ee as camera_e2ee', 'cameras.lat', 'cameras.lon', 'cameras.privacy_zones',
    ])
    .where('clips.id', '=', clipId)
    .executeTakeFirst();
  return row as ClipFactsRow | undefined;
}

export async function insertConsent(db: DbHandle, row: Insertable<ConsentsTable>): Promise<void> {
  await db.insertInto('consents').values(row).execute();
}

export async function findConsent(db: DbHandle, clipId: string, recipient: string, ref: string): Promise<ConsentRow | undefined> {
  return db.selectFrom('consents').selectAll().where('clip_id', '=', clipId).where('recipient', '=', recipient).where('ref', '=', ref).executeTakeFirst();
}

/** Every consent on record for a clip and recipient (revoked ones too: the decision reads the revocation). */
export async function consentsFor(db: DbHandle, clipId: string, recipient: string): Promise<ConsentRow[]> {
  return db.selectFrom('consents').selectAll().where('clip_id', '=', clipId).where('recipient', '=', recipient).execute();
}

export async function revokeConsent(db: DbHandle, id: string, ownerId: string, now: number): Promise<boolean> {
  const res = await db.updateTable('consents').set({ revoked_at: now }).where('id', '=', id).where('owner_id', '=', ownerId).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export async function insertDisclosure(db: DbHandle, row: Insertable<DisclosuresTable>): Promise<void> {
  await db.insertInto('disclosures').values(row).execute();
}

export async function findDisclosure(db: DbHandle, id: string): Promise<DisclosureRow | undefined> {
  return db.selectFrom('disclosures').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The earlier release of this clip to this recipient on this basis, if any (releases are idempotent). */
/** An agency's public name, for the owner's access log. */
export async function agencyName(db: DbHandle, agencyId: string): Promise<string | undefined> {
  return (await db.selectFrom('agencies').select('name').where('id', '=', agencyId).executeTakeFirst())?.name;
}

export async function findExisting(db: DbHandle, clipId: string, recipient: string, kind: string, ref: string): Promise<DisclosureRow | undefined> {
  return db
    .selectFrom('disclosures')
    .selectAll()
    .where('clip_id', '=', clipId)
    .where('recipient', '=', recipient)
    .where('basis_kind', '=', kind as DisclosureRow['basis_kind'])
    .where('basis_ref', '=', ref)
    .executeTakeFirst();
}

export async function listByBasis(db: DbHandle, kind: DisclosureRow['basis_kind'], ref: string): Promise<DisclosureRow[]> {
  return listByBases(db, kind, [ref]);
}

/** The disclosures of many bases of one kind in one query, in the order made. */
export async function listByBases(db: DbHandle, kind: DisclosureRow['basis_kind'], refs: readonly string[]): Promise<DisclosureRow[]> {
  if (refs.length === 0) return [];
  return db.selectFrom('disclosures').selectAll().where('basis_kind', '=', kind).where('basis_ref', 'in', refs).orderBy('created_at').orderBy('id').execute();
}

export async function listByOwner(db: DbHandle, ownerId: string, limit: number): Promise<DisclosureRow[]> {
  return db.selectFrom('disclosures').selectAll().where('owner_id', '=', ownerId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

export async function listByRecipient(db: DbHandle, recipient: string, limit: number): Promise<DisclosureRow[]> {
  return db.selectFrom('disclosures').selectAll().where('recipient', '=', recipient).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

/**
 * Holds the clip's row until the transaction ends (PostgreSQL; SQLite's
 * transactions already hold the only connection), so a consent release and
 * the clip's shredding cannot interleave: one of them sees the other's commit.
 */
export async function lockClip(db: DbHandle, engine: Engine, clipId: string): Promise<void> {
  if (engine === 'postgres') await sql`select id from clips where id = ${clipId} for update`.execute(db);
}

/**
 * Destroys the derived copies of a clip: their wrapped keys and blob keys are
 * nulled (the rows stay: they record that a release happened, and hold no
 * personal data). Returns the blob keys to remove once the transaction commits.
 */
export async function shredCopiesOf(db: DbHandle, clipId: string): Promise<string[]> {
  const rows = await db.selectFrom('disclosures').select('copy_blob_key').where('clip_id', '=', clipId).where('copy_blob_key', 'is not', null).execute();
  await db.updateTable('disclosures').set({ copy_wrapped_key: null, copy_blob_key: null })
    .where('clip_id', '=', clipId).where((eb) => eb.or([eb('copy_wrapped_key', 'is not', null), eb('copy_blob_key', 'is not', null)])).execute();
  return rows.map((r) => r.copy_blob_key!);
}

/** What an evidence manifest says about each clip: the device's signature and the times it reported. */
export type ManifestClipFacts = Pick<Selectable<ClipsTable>, 'id' | 'started_at' | 'ended_at' | 'kind' | 'signed' | 'device_signature' | 'device_public_key' | 'deleted_at' | 'envelope_header'>;

export async function manifestClipFacts(db: DbHandle, clipIds: readonly string[]): Promise<Map<string, ManifestClipFacts>> {
  const out = new Map<string, ManifestClipFacts>();
  for (let at = 0; at < clipIds.length; at += 500) {
    const rows = await db.selectFrom('clips')
      .select(['id', 'started_at', 'ended_at', 'kind', 'signed', 'device_signature', 'device_public_key', 'deleted_at', 'envelope_header'])
      .where('id', 'in', clipIds.slice(at, at + 500)).execute();
    for (const r of rows) out.set(r.id, r);
  }
  return out;
}

/** Blob keys of every disclosed copy still referenced (the start-up sweep keeps these). */
export async function copyKeysInUse(db: DbHandle): Promise<Set<string>> {
  const rows = await db.selectFrom('disclosures').select('copy_blob_key').where('copy_blob_key', 'is not', null).execute();
  return new Set(rows.map((r) => r.copy_blob_key!));
}

// Owners' notices (notices.ts): one row per owner and subject, sent once.
export type NoticeRow = Selectable<OwnerNoticesTable>;

export async function insertNotice(db: DbHandle, row: Insertable<OwnerNoticesTable>): Promise<void> {
  await db.insertInto('owner_notices').values(row).onConflict((oc) => oc.columns(['subject_kind', 'subject_id', 'owner_id']).doNothing()).execute();
}

export async function rescheduleNotices(db: DbHandle, kind: string, subjectId: string, dueAt: number): Promise<void> {
  await db.updateTable('owner_notices').set({ due_at: dueAt }).where('subject_kind', '=', kind).where('subject_id', '=', subjectId).where('sent_at', 'is', null).execute();
}

/** Unsent notices due by `now`, oldest first; of one subject when given. */
export async function dueNotices(db: DbHandle, now: number, limit?: number, of?: { kind: string; subjectId: string }): Promise<NoticeRow[]> {
  let q = db.selectFrom('owner_notices').selectAll().where('sent_at', 'is', null).where('due_at', '<=', now);
  if (of) q = q.where('subject_kind', '=', of.kind).where('subject_id', '=', of.subjectId);
  q = q.orderBy('due_at').orderBy('id');
  return (limit === undefined ? q : q.limit(limit)).execute();
}

/** Marks a notice sent unless another run already did; false then. */
export async function markNoticeSent(db: DbHandle, id: string, now: number): Promise<boolean> {
  const res = await db.updateTable('owner_notices').set({ sent_at: now }).where('id', '=', id).where('sent_at', 'is', null).executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export async function noticesOf(db: DbHandle, kind: string, subjectId: string): Promise<NoticeRow[]> {
  return db.selectFrom('owner_notices').selectAll().where('subject_kind', '=', kind).where('subject_id', '=', subjectId).orderBy('owner_id').execute();
}

/**
 * Withdraws a feed post's public disclosures: the consents revoked, the copies'
 * keys and blob keys nulled (the rows stay). Returns the blob keys to remove
 * once the transaction commits.
 */
export async function withdrawPublic(db: DbHandle, postId: string, now: number): Promise<string[]> {
  await db.updateTable('consents').set({ revoked_at: now }).where('recipient', '=', 'public').where('ref', '=', postId).where('revoked_at', 'is', null).execute();
  const rows = await db.selectFrom('disclosures').select('copy_blob_key').where('recipient', '=', 'public').where('basis_ref', '=', postId).where('copy_blob_key', 'is not', null).execute();
  await db.updateTable('disclosures').set({ copy_wrapped_key: null, copy_blob_key: null }).where('recipient', '=', 'public').where('basis_ref', '=', postId).execute();
  return rows.map((r) => r.copy_blob_key!);
}
