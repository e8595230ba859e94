// The Control Center's SQL: export jobs, contact sharing, notification channels, and the rows an account deletion
// removes across capabilities. Deletion is the one use case that must reach
// every table holding an owner's personal data, so those deletes are listed
// here together, where a reviewer can see that none is missing.
import type { Insertable, Updateable } from 'kysely';
import type { DbHandle } from '../platform/db/db.ts';
import type { AccountExportsTable, ContactSharingTable } from '../platform/db/tables/accounts.ts';
import type { AccessLogTable } from '../platform/db/tables/clips.ts';
import type { NotificationSettingsTable } from '../platform/db/tables/outbox.ts';

export type ExportRow = AccountExportsTable;

export async function insertExport(db: DbHandle, row: Insertable<AccountExportsTable>): Promise<void> {
  await db.insertInto('account_exports').values(row).execute();
}

export async function updateExport(db: DbHandle, id: string, patch: Updateable<AccountExportsTable>, fromStatus?: ExportRow['status']): Promise<boolean> {
  let q = db.updateTable('account_exports').set(patch).where('id', '=', id);
  if (fromStatus) q = q.where('status', '=', fromStatus);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function findExport(db: DbHandle, ownerId: string, id: string): Promise<ExportRow | undefined> {
  return db.selectFrom('account_exports').selectAll().where('id', '=', id).where('owner_id', '=', ownerId).executeTakeFirst();
}

export async function latestExport(db: DbHandle, ownerId: string): Promise<ExportRow | undefined> {
  return db.selectFrom('account_exports').selectAll().where('owner_id', '=', ownerId).orderBy('created_at', 'desc').limit(1).executeTakeFirst();
}

/** Exports a crash left running (nothing runs them any more), and ready ones past their expiry. */
export async function staleExports(db: DbHandle, now: number): Promise<ExportRow[]> {
  return db.selectFrom('account_exports').selectAll()
    .where((eb) => eb.or([eb('status', '=', 'running'), eb.and([eb('status', '=', 'ready'), eb('expires_at', '<', now)])]))
    .execute();
}

export async function ownerExports(db: DbHandle, ownerId: string): Promise<ExportRow[]> {
  return db.selectFrom('account_exports').selectAll().where('owner_id', '=', ownerId).execute();
}

export async function markDeletionRequested(db: DbHandle, userId: string, now: number): Promise<void> {
  await db.updateTable('users').set({ deletion_requested_at: now }).where('id', '=', userId).where('deletion_requested_at', 'is', null).execute();
}

/** Accounts whose deletion was asked for and is not finished (a crash, or clips still under a hold). */
export async function pendingDeletions(db: DbHandle, limit: number): Promise<string[]> {
  const rows = await db.selectFrom('users').select('id').where('deletion_requested_at', 'is not', null).where('deleted_at', 'is', null).limit(limit).execute();
  return rows.map((r) => r.id);
}

export async function liveClipIds(db: DbHandle, ownerId: string): Promise<string[]> {
  const rows = await db.selectFrom('clips').select('id').where('owner_id', '=', ownerId).where('deleted_at', 'is', null).execute();
  return rows.map((r) => r.id);
}

/**
 * Every row of the owner's that is personal data or a way in, except clips
 * (shredded by the clips capability). The owner's end-to-end public key stays:
 * it is no secret, and sealed keys of clips still under a hold point to it.
 */
export async function removePersonalRows(db: DbHandle, userId: string): Promise<void> {
  await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
  await db.deleteFrom('push_subscriptions').where('user_id', '=', userId).execute();
  await db.deleteFrom('known_addresses').where('user_id', '=', userId).execute();
  await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
  await db.deleteFrom('notifications').where('user_id', '=', userId).execute();
  await db.deleteFrom('outbox_messages').where('user_id', '=', userId).where('delivered_at', 'is', null).execute();
  const cameras = db.selectFrom('cameras').select('id').where('owner_id', '=', userId);
  await db.deleteFrom('device_tokens').where('camera_id', 'in', cameras).execute();
  await db.deleteFrom('device_enrolments').where('camera_id', 'in', cameras).execute();
  await db.deleteFrom('owner_request_policies').where('user_id', '=', userId).execute();
  await db.deleteFrom('feed_settings').where('user_id', '=', userId).execute();
  await db.deleteFrom('contact_sharing').where('user_id', '=', userId).execute();
  await db.deleteFrom('notification_settings').where('user_id', '=', userId).execute();
  // A post's exact point is usually the author's home: only the public, fuzzed point stays; the posts read "Deleted account".
  await db.updateTable('feed_posts').set((eb) => ({ exact_lat: eb.ref('lat'), exact_lon: eb.ref('lon') })).where('author_id', '=', userId).execute();
}

/** The account's own fields, replaced: no name, e-mail, home or secret remains; sign-in is impossible. */
export async function scrubUser(db: DbHandle, userId: string): Promise<void> {
  await db.updateTable('users').set({
    email: `deleted-${userId}@deleted.invalid`, display_name: 'Deleted account', password_hash: '!', home_lat: null, home_lon: null,
    totp_secret: null, totp_enabled: 0, totp_last_step: null,
  }).where('id', '=', userId).execute();
}

/** Done: the account holds nothing; only its id remains, for the log entries and records that name it. */
export async function markDeleted(db: DbHandle, userId: string, now: number): Promise<void> {
  await db.updateTable('users').set({ deleted_at: now }).where('id', '=', userId).where('deleted_at', 'is', null).execute();
}

// Contact sharing

export async function contactOf(db: DbHandle, userId: string) {
  return db.selectFrom('contact_sharing').selectAll().where('user_id', '=', userId).executeTakeFirst();
}

export async function saveContact(db: DbHandle, row: Insertable<ContactSharingTable>): Promise<void> {
  const { enabled, name, phone, email, updated_at } = row;
  await db.insertInto('contact_sharing').values(row).onConflict((oc) => oc.column('user_id').doUpdateSet({ enabled, name, phone, email, updated_at })).execute();
}

/** The switched-on contacts of these owners (a name always; a phone number or e-mail address or both). */
export async function sharedContacts(db: DbHandle, ownerIds: string[]) {
  if (ownerIds.length === 0) return [];
  return db.selectFrom('contact_sharing').selectAll().where('user_id', 'in', ownerIds).where('enabled', '=', 1).where('name', 'is not', null).execute();
}

export async function agencyName(db: DbHandle, agencyId: string): Promise<string | undefined> {
  return (await db.selectFrom('agencies').select('name').where('id', '=', agencyId).executeTakeFirst())?.name;
}

export async function logContactShown(db: DbHandle, row: Insertable<AccessLogTable>): Promise<void> {
  await db.insertInto('access_log').values(row).execute();
}

// Notification channels

export async function channelsOf(db: DbHandle, userId: string) {
  return db.selectFrom('notification_settings').selectAll().where('user_id', '=', userId).execute();
}

export async function saveChannels(db: DbHandle, rows: Insertable<NotificationSettingsTable>[]): Promise<void> {
  for (const row of rows) {
    const { inapp, email, push, updated_at } = row;
    await db.insertInto('notification_settings').values(row).onConflict((oc) => oc.columns(['user_id', 'kind']).doUpdateSet({ inapp, email, push, updated_at })).execute();
  }
}
