// Queries for public keys and sealed clip secrets. Kysely only.
import type { Insertable, Selectable } from 'kysely';
import type { DbHandle } from '../platform/db/db.ts';
import type { ClipKeysTable, E2eeKeysTable } from '../platform/db/tables/e2ee.ts';

export type KeyRow = Selectable<E2eeKeysTable>;
export type ClipKeyRow = Selectable<ClipKeysTable>;

/** The subject's key in use: the newest one not retired. */
export async function currentKey(db: DbHandle, subject: string): Promise<KeyRow | undefined> {
  return db.selectFrom('e2ee_keys').selectAll().where('subject', '=', subject).where('retired_at', 'is', null)
    .orderBy('created_at', 'desc').orderBy('id', 'desc').executeTakeFirst();
}

export async function keyById(db: DbHandle, id: string): Promise<KeyRow | undefined> {
  return db.selectFrom('e2ee_keys').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A new key replaces the subject's earlier ones (in the caller's transaction). */
export async function replaceKey(tx: DbHandle, row: Insertable<E2eeKeysTable>, now: number): Promise<void> {
  await tx.updateTable('e2ee_keys').set({ retired_at: now }).where('subject', '=', row.subject).where('retired_at', 'is', null).execute();
  await tx.insertInto('e2ee_keys').values(row).execute();
}

export async function insertClipKey(db: DbHandle, row: Insertable<ClipKeysTable>): Promise<void> {
  await db.insertInto('clip_keys').values(row).execute();
}

/** The newest sealed key of a clip for one recipient ('owner' or an agency id). */
export async function clipKeyFor(db: DbHandle, clipId: string, recipient: string): Promise<ClipKeyRow | undefined> {
  return db.selectFrom('clip_keys').selectAll().where('clip_id', '=', clipId).where('recipient', '=', recipient)
    .orderBy('created_at', 'desc').orderBy('id', 'desc').executeTakeFirst();
}

export async function clipKeyOfDisclosure(db: DbHandle, disclosureId: string): Promise<ClipKeyRow | undefined> {
  return db.selectFrom('clip_keys').selectAll().where('disclosure_id', '=', disclosureId).executeTakeFirst();
}

/** Crypto-shredding an end-to-end clip: every sealed copy of its secret goes (in the shredding transaction). */
export async function deleteClipKeys(tx: DbHandle, clipId: string): Promise<void> {
  await tx.deleteFrom('clip_keys').where('clip_id', '=', clipId).execute();
}

/** The re-wrapped keys of many disclosures, by disclosure id, in batches. */
export async function clipKeysOfDisclosures(db: DbHandle, disclosureIds: readonly string[]): Promise<Map<string, ClipKeyRow>> {
  const out = new Map<string, ClipKeyRow>();
  for (let at = 0; at < disclosureIds.length; at += 500) {
    for (const r of await db.selectFrom('clip_keys').selectAll().where('disclosure_id', 'in', disclosureIds.slice(at, at + 500)).execute()) out.set(r.disclosure_id!, r);
  }
  return out;
}
