// The disclosure log (PRODUCT.md F; src/ledger). Public: entries, tiles and
// checkpoints, which are served as C2SP tlog-tiles. Private: log_subjects, which
// says whose clip an entry concerns and is read only to build that owner's receipts.
import type { Generated } from 'kysely';

export interface LogEntriesTable {
  /** Sequence number, assigned at append in the appender's transaction. Not public. */
  seq: Generated<number>;
  /** RFC 8785 canonical JSON of the entry (src/ledger/entry.ts). */
  entry: Uint8Array;
  created_at: number;
  /** Leaf index in the Merkle tree, assigned by the integrator; null while pending. */
  idx: number | null;
}

export interface LogTilesTable {
  /** Tile level (0..63); -1 for entry bundles. */
  level: number;
  idx: number;
  /** Width at the latest tree size: 1..256. Narrower (partial) versions are this one's prefix. */
  width: number;
  data: Uint8Array;
}

export interface LogCheckpointsTable {
  /** Tree size; one checkpoint per size, every one ever signed. */
  size: number;
  root: Uint8Array;
  /** The signed note, exactly as served. */
  note: string;
  created_at: number;
}

export interface LogSubjectsTable {
  seq: number;
  owner_id: string;
  clip_id: string;
  /** Hex SHA-256 of the clip and hex 32-byte salt: the opening of the entry's commitment. */
  clip_sha256: string;
  salt: string;
}

export interface LedgerTables {
  log_entries: LogEntriesTable;
  log_tiles: LogTilesTable;
  log_checkpoints: LogCheckpointsTable;
  log_subjects: LogSubjectsTable;
}
