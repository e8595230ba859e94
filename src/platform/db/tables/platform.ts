// Tables of the shared machinery itself, not of a capability.

/** Fixed-window request counters shared by every node (platform/http/rate-limit.ts). */
export interface RateLimitsTable {
  /** Keyed hash of the limited key (an account, a device, an address): no address is stored in clear. */
  key: string;
  count: number;
  /** When the window ends, epoch ms. */
  reset_at: number;
}

export interface PlatformTables {
  rate_limits: RateLimitsTable;
}
