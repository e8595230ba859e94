// End-to-end encryption (issue 15): public keys and sealed clip secrets.

export interface E2eeKeysTable {
  id: string;
  /** Whose key: "user:<id>" (an owner) or "agency:<id>" (an agency's members share one). */
  subject: string;
  /** Base64 of the raw 32-byte X25519 public key. The private key never reaches the server. */
  public_key: string;
  /** The user who enrolled it (for an agency key, the member). */
  created_by: string;
  created_at: number;
  /** Set when a newer key replaced it; clips sealed to it stay sealed to it. */
  retired_at: number | null;
}

export interface ClipKeysTable {
  id: string;
  clip_id: string;
  key_id: string;
  /** 'owner', or the agency id a consent share re-wrapped it for. */
  recipient: string;
  /** HPKE enc | ciphertext of the clip secret (src/platform/sealed/hpke.ts). */
  sealed_key: Uint8Array;
  /** The disclosure a re-wrapped key was uploaded with; null for the owner's own. */
  disclosure_id: string | null;
  created_at: number;
}

export interface E2eeTables {
  e2ee_keys: E2eeKeysTable;
  clip_keys: ClipKeysTable;
}
