export type ClipKindColumn = 'motion' | 'doorbell' | 'glass_break' | 'manual';

export interface ClipsTable {
  id: string;
  owner_id: string;
  /** References cameras: a camera that clips (or their tombstones) name cannot be removed. */
  camera_id: string;
  /** SHA-256 (hex) of the bytes as uploaded, for authenticity. */
  sha256: string;
  /** Plaintext size in bytes. */
  size: number;
  started_at: number;
  ended_at: number;
  kind: ClipKindColumn;
  /** 0/1: the device's Ed25519 signature over sha256 and metadata verified at ingest. */
  signed: number;
  device_signature: string | null;
  /** The device key the signature verifies against, as it was at ingest. */
  device_public_key: string | null;
  /** 0/1: uploaded by an end-to-end encrypted camera; the bytes are opaque to the server. */
  e2ee: number;
  duration_ms: number | null;
  /** End-to-end clips: hex of the envelope's random id (unique: a replayed upload is refused). */
  envelope_id: string | null;
  /** End-to-end clips: the envelope's 40-byte header, the AAD its sealed keys are bound to. */
  envelope_header: Uint8Array | null;
  /** The data key wrapped by the master key; null once the clip is deleted (crypto-shredded). */
  wrapped_key: Uint8Array | null;
  blob_key: string | null;
  thumbnail_key: string | null;
  idempotency_key: string | null;
  created_at: number;
  /** Set when the clip was deleted; the row stays as a tombstone without key or blobs. */
  deleted_at: number | null;
}

export interface HoldsTable {
  id: string;
  clip_id: string;
  reason: string;
  /** End of the hold (epoch ms); null holds until released. */
  until: number | null;
  /** Who placed it (a description such as "legal:<request id>"). */
  created_by: string;
  created_at: number;
  released_at: number | null;
  released_by: string | null;
}

export interface AccessLogTable {
  id: string;
  clip_id: string;
  owner_id: string;
  /** Who read the bytes, as shown to the owner (e.g. "agency Springfield PD (disclosure d1)"). */
  actor: string;
  purpose: string;
  at: number;
}

export interface ClipsTables {
  clips: ClipsTable;
  holds: HoldsTable;
  access_log: AccessLogTable;
}
