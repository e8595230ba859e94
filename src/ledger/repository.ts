// Kysely queries of the disclosure log. Takes a DbHandle (the db or a transaction).
import { sql } from 'kysely';
import type { DbHandle, Engine } from '../platform/db/db.ts';
import { tileKey } from './tiles.ts';

/** Ids per IN (…) or OR list: well under both engines' limits on bound parameters. */
const IN_BATCH = 500;

export interface PendingEntry {
  seq: number;
  entry: Uint8Array;
}

export interface StoredCheckpoint {
  size: number;
  root: Uint8Array;
  note: string;
}

export interface SubjectRow {
  seq: number;
  owner_id: string;
  clip_id: string;
  clip_sha256: string;
  salt: string;
}

export async function insertEntry(db: DbHandle, entry: Uint8Array, now: number): Promise<number> {
  const row = await db.insertInto('log_entries').values({ entry, created_at: now, idx: null }).returning('seq').executeTakeFirstOrThrow();
  return Number(row.seq);
}

export async function insertSubjects(db: DbHandle, rows: readonly SubjectRow[]): Promise<void> {
  if (rows.length > 0) await db.insertInto('log_subjects').values(rows.map((r) => ({ ...r }))).execute();
}

export async function pendingEntries(db: DbHandle, limit: number): Promise<PendingEntry[]> {
  const rows = await db.selectFrom('log_entries').select(['seq', 'entry']).where('idx', 'is', null).orderBy('seq').limit(limit).execute();
  return rows.map((r) => ({ seq: Number(r.seq), entry: r.entry }));
}

export async function countPending(db: DbHandle): Promise<number> {
  const row = await db.selectFrom('log_entries').select((eb) => eb.fn.countAll<number>().as('n')).where('idx', 'is', null).executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Gives the entries `seqs` the contiguous indices start, start + 1, … in one
 * statement. Only rows still pending are touched; the caller checks the count.
 */
export async function assignIndices(db: DbHandle, engine: Engine, start: number, seqs: readonly number[]): Promise<number> {
  const res = engine === 'postgres'
    ? await sql`update log_entries set idx = ${start} + v.n - 1
        from unnest(${sql.val(seqs)}::bigint[]) with ordinality as v(seq, n)
        where log_entries.seq = v.seq and log_entries.idx is null`.execute(db)
    : await sql`update log_entries set idx = ${start} + j.key
        from json_each(${JSON.stringify(seqs)}) as j
        where log_entries.seq = j.value and log_entries.idx is null`.execute(db);
  return Number(res.numAffectedRows ?? 0n);
}

/** One integrator at a time on PostgreSQL: a transaction-scoped advisory lock, released at commit or rollback. */
export async function tryIntegratorLock(db: DbHandle): Promise<boolean> {
  // The key is an arbitrary constant naming "the disclosure log integrator".
  const res = await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(${sql.lit(0x706c6c6f67)}) as ok`.execute(db);
  return res.rows[0]?.ok === true;
}

export interface TileRow {
  level: number;
  index: number;
  width: number;
  bytes: Uint8Array;
}

export async function readTiles(db: DbHandle, coords: readonly { level: number; index: number }[]): Promise<Map<string, TileRow>> {
  const out = new Map<string, TileRow>();
  // In batches: one OR of pairs per tile, and the engines bound a statement's parameters.
  for (let at = 0; at < coords.length; at += IN_BATCH) {
    const batch = coords.slice(at, at + IN_BATCH);
    const rows = await db
      .selectFrom('log_tiles')
      .select(['level', 'idx', 'width', 'data'])
      .where((eb) => eb.or(batch.map((c) => eb.and([eb('level', '=', c.level), eb('idx', '=', c.index)]))))
      .execute();
    for (const r of rows) out.set(tileKey(Number(r.level), Number(r.idx)), { level: Number(r.level), index: Number(r.idx), width: Number(r.width), bytes: r.data });
  }
  return out;
}

/**
 * Writes tiles. A stored tile only ever grows: the update applies only when the
 * new version is wider, so a full tile is immutable and a bug can never shrink one.
 */
export async function upsertTiles(db: DbHandle, tiles: readonly TileRow[]): Promise<void> {
  if (tiles.length === 0) return;
  await db
    .insertInto('log_tiles')
    .values(tiles.map((t) => ({ level: t.level, idx: t.index, width: t.width, data: t.bytes })))
    .onConflict((oc) =>
      oc.columns(['level', 'idx']).doUpdateSet((eb) => ({ width: eb.ref('excluded.width'), data: eb.ref('excluded.data') })).where('log_tiles.width', '<', (eb) => eb.ref('excluded.width')),
    )
    .execute();
}

export async function latestCheckpoint(db: DbHandle): Promise<StoredCheckpoint | undefined> {
  const row = await db.selectFrom('log_checkpoints').select(['size', 'root', 'note']).orderBy('size', 'desc').limit(1).executeTakeFirst();
  return row && { size: Number(row.size), root: row.root, note: row.note };
}

export async function checkpointAt(db: DbHandle, size: number): Promise<StoredCheckpoint | undefined> {
  const row = await db.selectFrom('log_checkpoints').select(['size', 'root', 'note']).where('size', '=', size).executeTakeFirst();
  return row && { size: Number(row.size), root: row.root, note: row.note };
}

/** Inserts a checkpoint; false if one for that size already exists (it is never replaced). */
export async function insertCheckpoint(db: DbHandle, cp: StoredCheckpoint, now: number): Promise<boolean> {
  const res = await db
    .insertInto('log_checkpoints')
    .values({ size: cp.size, root: cp.root, note: cp.note, created_at: now })
    .onConflict((oc) => oc.column('size').doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0n) === 1;
}

export interface OwnerEntryRow {
  seq: number;
  idx: number | null;
  entry: Uint8Array;
  clip_id: string;
  clip_sha256: string;
  salt: string;
}

/** The entries concerning one owner, newest first, with the openings of their commitments. */
export async function entriesOfOwner(db: DbHandle, ownerId: string, limit: number): Promise<OwnerEntryRow[]> {
  const rows = await db
    .selectFrom('log_subjects as s')
    .innerJoin('log_entries as e', 'e.seq', 's.seq')
    .select(['s.seq', 'e.idx', 'e.entry', 's.clip_id', 's.clip_sha256', 's.salt'])
    .where('s.owner_id', '=', ownerId)
    .orderBy('s.seq', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, seq: Number(r.seq), idx: r.idx === null ? null : Number(r.idx) }));
}

/** Entries by sequence number, with their log index once integrated (null before). */
export async function entriesBySeq(db: DbHandle, seqs: readonly number[]): Promise<Map<number, { entry: Uint8Array; idx: number | null }>> {
  const out = new Map<number, { entry: Uint8Array; idx: number | null }>();
  for (let at = 0; at < seqs.length; at += IN_BATCH) {
    const rows = await db.selectFrom('log_entries').select(['seq', 'entry', 'idx']).where('seq', 'in', seqs.slice(at, at + IN_BATCH)).execute();
    for (const r of rows) out.set(Number(r.seq), { entry: r.entry, idx: r.idx === null ? null : Number(r.idx) });
  }
  return out;
}

/** Integrated entries with from ≤ idx < to, in log order. */
export async function entriesByIndex(db: DbHandle, from: number, to: number): Promise<{ idx: number; entry: Uint8Array }[]> {
  const rows = await db.selectFrom('log_entries').select(['idx', 'entry']).where('idx', '>=', from).where('idx', '<', to).orderBy('idx').execute();
  return rows.map((r) => ({ idx: Number(r.idx), entry: r.entry }));
}
