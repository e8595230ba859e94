import type { Generated } from 'kysely';

export type CameraKindColumn = 'doorbell' | 'outdoor' | 'indoor';

export interface CamerasTable {
  id: string;
  owner_id: string;
  name: string;
  lat: number;
  lon: number;
  /** Compass bearing the lens faces, degrees 0..<360; null when unknown. */
  heading: number | null;
  fov_degrees: number | null;
  kind: CameraKindColumn;
  /** 0/1: whether the camera takes part in community requests. */
  community_requests: Generated<number>;
  /** 0/1: end-to-end encrypted mode (uploads the server cannot read). */
  e2ee: Generated<number>;
  /** JSON: array of polygons, each an array of [x, y] in normalised frame coordinates. */
  privacy_zones: Generated<string>;
  /** Base64 of the raw 32-byte Ed25519 key the enrolled device signs clips with. */
  device_public_key: string | null;
  created_at: number;
  /** Days this camera's clips are kept (1..180); null: the owner's default (users.retention_days). */
  retention_days: Generated<number | null>;
  /**
   * When the owner removed the camera. A removed camera is gone for its owner
   * and its device, but its row stays while clips (or their tombstones) name it:
   * their signatures, warrant scopes and privacy zones refer to it. Rows that
   * nothing names are deleted outright. Queries for live cameras filter on null.
   */
  removed_at: Generated<number | null>;
}

export interface DeviceEnrolmentsTable {
  id: string;
  camera_id: string;
  /** SHA-256 of the normalised one-time code; the code itself is never stored. */
  code_hash: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface DeviceTokensTable {
  id: string;
  camera_id: string;
  /** SHA-256 of the "pld_" token; the token itself is never stored. */
  token_hash: string;
  created_at: number;
  revoked_at: number | null;
}

export interface CamerasTables {
  cameras: CamerasTable;
  device_enrolments: DeviceEnrolmentsTable;
  device_tokens: DeviceTokensTable;
}
