import type { Generated } from 'kysely';

export type Role = 'resident' | 'agency' | 'reviewer' | 'admin';

export interface UsersTable {
  id: string;
  email: string;
  password_hash: string;
  display_name: string;
  role: Role;
  agency_id: string | null;
  home_lat: number | null;
  home_lon: number | null;
  totp_secret: string | null;
  totp_enabled: number;
  /** Last accepted TOTP time step, so a code cannot be replayed (RFC 6238 §5.2). */
  totp_last_step: number | null;
  retention_days: Generated<number>;
  created_at: number;
  /** The owner asked to delete the account (issue 14); the deletion job finishes it, after a crash too. */
  deletion_requested_at: number | null;
  /** Every clip shredded and every personal field gone; the row stays so ids in the log still resolve to "deleted account". */
  deleted_at: number | null;
  /** An administrator suspended the account: no sign-in until unsuspended (the reason is in review_audit). */
  suspended_at: number | null;
}

/** An owner's data export: a ZIP sealed into the blob store, downloadable once within 24 hours. */
export interface AccountExportsTable {
  id: string;
  owner_id: string;
  status: 'running' | 'ready' | 'failed' | 'downloaded' | 'expired';
  done: number;
  total: number;
  size: number | null;
  wrapped_key: Uint8Array | null;
  blob_key: string | null;
  error: string | null;
  created_at: number;
  ready_at: number | null;
  expires_at: number | null;
  downloaded_at: number | null;
}

export interface SessionsTable {
  id: string;
  token_hash: string;
  user_id: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  user_agent: string | null;
  ip: string | null;
  /** 1 when the session was opened (or upgraded) with a TOTP code. */
  second_factor: number;
}

/** Failed sign-ins per throttle key (accounts/policy.ts throttleKeys); a row older than the window counts as none. */
export interface LoginFailuresTable {
  key: string;
  count: number;
  last_at: number;
}

/** Addresses an account has fully signed in from, as keyed hashes: failures from elsewhere never lock these out. */
export interface KnownAddressesTable {
  user_id: string;
  address: string;
  seen_at: number;
}

/** One-time TOTP recovery codes, as keyed hashes; used_at set once a code is spent. */
export interface RecoveryCodesTable {
  user_id: string;
  code_hash: string;
  created_at: number;
  used_at: number | null;
}

/** What an owner chose to show agencies they share with by consent (issue 14 §3). No row: off. */
export interface ContactSharingTable {
  user_id: string;
  enabled: number;
  name: string | null;
  phone: string | null;
  email: string | null;
  updated_at: number;
}

export interface AccountsTables {
  users: UsersTable;
  sessions: SessionsTable;
  login_failures: LoginFailuresTable;
  known_addresses: KnownAddressesTable;
  recovery_codes: RecoveryCodesTable;
  account_exports: AccountExportsTable;
  contact_sharing: ContactSharingTable;
}
