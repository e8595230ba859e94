// How disclosure rows and clip facts become what the decision and the API
// see: pure mappings, apart from the service so that it keeps to the use cases.
import type { Basis, ClipFacts, ConsentBasis, RefusalCode } from './policy.ts';
import { eligibleApprovals } from './policy.ts';
import type * as repo from './repository.ts';

export type BasisKind = 'consent' | 'warrant' | 'emergency';

export interface DisclosureView {
  id: string;
  clipId: string;
  recipient: string;
  basis: { kind: BasisKind; ref: string };
  content: 'derived' | 'original' | 'sealed';
  sha256: string;
  originalSha256: string;
  size: number;
  logSeq: number;
  createdAt: string;
}

export const toDisclosureView = (r: repo.DisclosureRow): DisclosureView => ({
  id: r.id,
  clipId: r.clip_id,
  recipient: r.recipient,
  basis: { kind: r.basis_kind, ref: r.basis_ref },
  content: r.content,
  sha256: r.copy_sha256,
  originalSha256: r.original_sha256,
  size: Number(r.copy_size),
  logSeq: Number(r.log_seq),
  createdAt: new Date(Number(r.created_at)).toISOString(),
});

/** HTTP status for a refusal: absent → 404/410, not yours → 403, encrypted → 422, otherwise a state conflict. */
export function refusalStatus(code: RefusalCode): number {
  if (code === 'deleted') return 410;
  if (code === 'e2ee') return 422;
  if (code === 'no_basis' || code === 'wrong_clip' || code === 'wrong_owner' || code === 'wrong_recipient') return 403;
  return 409;
}

export function toFacts(row: repo.ClipFactsRow): ClipFacts {
  return {
    id: row.id,
    ownerId: row.owner_id,
    cameraId: row.camera_id,
    cameraLocation: row.lat === null || row.lon === null ? null : { lat: row.lat, lon: row.lon },
    startedAt: Number(row.started_at),
    endedAt: Number(row.ended_at),
    // Either the clip was uploaded as ciphertext, or its camera is in e2ee mode now.
    e2ee: row.clip_e2ee === 1 || row.camera_e2ee === 1,
    deleted: row.deleted_at !== null,
  };
}

export const consentBasis = (c: repo.ConsentRow): ConsentBasis => ({
  kind: 'consent', id: c.ref, ownerId: c.owner_id, clipId: c.clip_id, recipient: c.recipient, givenAt: Number(c.given_at),
  revokedAt: c.revoked_at === null ? null : Number(c.revoked_at), expiresAt: null,
});

/** The reviewer ids a basis puts into its log entry. */
export function reviewersOf(b: Basis, now: number, extra: readonly string[] = []): string[] {
  if (b.kind === 'warrant') return [...b.reviewerIds];
  if (b.kind === 'emergency') return eligibleApprovals(b, now);
  return [...extra];
}

/** Stored zones were validated by the cameras capability; a row that is not a JSON array has none. */
export function zonesOf(json: string | null): unknown[] {
  try {
    const v: unknown = JSON.parse(json ?? '[]');
    return Array.isArray(v) ? v : [];
  } catch {
    return [];
  }
}
