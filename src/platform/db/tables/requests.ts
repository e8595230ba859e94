// Agencies and community requests (PRODUCT.md C; issue 5).
export type AgencyTypeColumn = 'law_enforcement' | 'fire' | 'ems' | 'other_public_safety';

export interface AgenciesTable {
  id: string;
  name: string;
  type: AgencyTypeColumn;
  /** 0/1: the agency does immigration enforcement (refused while the instance policy forbids it). */
  immigration_enforcement: number;
  /** GeoJSON Polygon or MultiPolygon (RFC 7946), validated on the way in. */
  jurisdiction: string;
  /** Geodesic area of the jurisdiction, square metres. */
  jurisdiction_area_m2: number;
  description: string;
  website: string | null;
  /** Public contact for the agency itself (never an investigator's). */
  public_contact: string | null;
  created_by: string;
  created_at: number;
  /** A reviewer verified the agency; only verified agencies' members may act. */
  verified_by: string | null;
  verified_at: number | null;
}

export type RequestStatusColumn = 'pending' | 'rejected' | 'approved' | 'closed';

export interface CommunityRequestsTable {
  id: string;
  agency_id: string;
  created_by: string;
  case_number: string;
  incident_type: string;
  description: string;
  investigator_contact: string;
  /** GeoJSON Polygon, one ring. */
  area: string;
  area_m2: number;
  /** Bounding box of the area, for the coarse public shape and quick filters. */
  min_lat: number;
  max_lat: number;
  min_lon: number;
  max_lon: number;
  window_start: number;
  window_end: number;
  status: RequestStatusColumn;
  reviewed_by: string | null;
  reviewed_at: number | null;
  /** One of the listed reasons when rejected; null when approved without one. */
  review_reason: string | null;
  review_note: string | null;
  /** When the approved request was sent to owners; it expires 10 days later. */
  sent_at: number | null;
  expires_at: number | null;
  closed_at: number | null;
  /** The agency marked the public post resolved (the post itself is never deleted). */
  resolved_at: number | null;
  created_at: number;
}

export interface RequestRecipientsTable {
  request_id: string;
  owner_id: string;
  notified_at: number;
  reminded_24_at: number | null;
  reminded_72_at: number | null;
  answered_at: number | null;
  answer: 'shared' | 'declined' | null;
  /** "Neighbor N" in this request's evidence locker: given on first share, in sharing order. */
  neighbor_no: number | null;
}

export interface OwnerRequestPoliciesTable {
  user_id: string;
  /** JSON array of agency types whose requests the owner does not receive. */
  blocked_agency_types: string;
  /** The same as a bit mask: bit i is AGENCY_TYPES[i] (src/agencies/policy.ts). */
  blocked_mask: number;
  updated_at: number;
}

/** SQLite only: maps cameras to the integer ids the R*Tree needs (rowids may change on VACUUM). */
export interface CameraGeoIdsTable {
  rid: number;
  camera_id: string;
}

export interface RequestsTables {
  agencies: AgenciesTable;
  community_requests: CommunityRequestsTable;
  request_recipients: RequestRecipientsTable;
  owner_request_policies: OwnerRequestPoliciesTable;
  camera_geo_ids: CameraGeoIdsTable;
}
