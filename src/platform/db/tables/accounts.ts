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

export interface AccountsTables {
  users: UsersTable;
  sessions: SessionsTable;
  login_failures: LoginFailuresTable;
  known_addresses: KnownAddressesTable;
}
