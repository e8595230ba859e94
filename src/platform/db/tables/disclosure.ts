// Disclosures: every time a clip's bytes were released to someone other than
// its owner, and on which basis (PRODUCT.md principle 1, F). Written only by
// src/disclosure, in the same transaction as the log entry.

export type DisclosureBasisColumn = 'consent' | 'warrant' | 'emergency';

export interface DisclosuresTable {
  id: string;
  clip_id: string;
  owner_id: string;
  /** The recipient agency's id, or 'public' for a feed post. */
  recipient: string;
  basis_kind: DisclosureBasisColumn;
  /** The request, post, demand or emergency id the basis is on record under. */
  basis_ref: string;
  /**
   * 'derived' (a redacted copy, consent from a camera with privacy zones),
   * 'original' (warrant, emergency, and consent from a camera without zones) or 'sealed' (an end-to-end clip's envelope, whose secret the
   * owner re-wrapped for the recipient: clip_keys.disclosure_id).
   */
  content: 'derived' | 'original' | 'sealed';
  /** Blob of the sealed derived copy; null when the original clip is served. */
  copy_blob_key: string | null;
  /** The derived copy's data key wrapped by the master key (disclosure id as associated data). */
  copy_wrapped_key: Uint8Array | null;
  /** SHA-256 (hex) of the bytes the recipient receives: the derived copy, or the original. */
  copy_sha256: string;
  copy_size: number;
  /** SHA-256 (hex) of the original clip, as committed to in the log entry. */
  original_sha256: string;
  /** The ledger's sequence number of the entry appended with this disclosure. */
  log_seq: number;
  /** Hex of the 32-byte salt of the entry's clip commitment; only the owner is shown it. */
  salt: string;
  created_at: number;
  /** JSON array of the privacy zones burned into a derived copy (GeoJSON-free image polygons, as the camera stores them); null otherwise. */
  redaction: string | null;
}

/** An owner's consent to share one clip with one recipient (PRODUCT.md C, "The owner's reply"; B, "Posts"). */
export interface ConsentsTable {
  id: string;
  owner_id: string;
  clip_id: string;
  recipient: string;
  /** The community request or feed post the consent answers. */
  ref: string;
  given_at: number;
  revoked_at: number | null;
}

export interface DisclosureTables {
  disclosures: DisclosuresTable;
  consents: ConsentsTable;
}
