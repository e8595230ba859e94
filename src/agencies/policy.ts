// Pure rules for agencies (PRODUCT.md C, "Agencies"; issue 5 §1).
import { areaM2, checkArea, type Area } from './geo.ts';
import type { FieldProblem } from '../platform/problems.ts';

export const AGENCY_TYPES = ['law_enforcement', 'fire', 'ems', 'other_public_safety'] as const;
export type AgencyType = (typeof AGENCY_TYPES)[number];

/** Bit mask of agency types (bit i = AGENCY_TYPES[i]); unknown types add nothing. */
export function typeMask(types: readonly string[]): number {
  return types.reduce((m, t) => {
    const i = (AGENCY_TYPES as readonly string[]).indexOf(t);
    return i < 0 ? m : m | (1 << i);
  }, 0);
}

export const AGENCY_LIMITS = {
  nameMaxLength: 200,
  descriptionMaxLength: 2000,
  /** Smaller than any community request could be (0.025 sq mi ≈ 64,750 m²). */
  minJurisdictionM2: 100_000,
  /** Larger than any U.S. state but Alaska: a sane upper bound for one public-safety agency. */
  maxJurisdictionM2: 1_000_000 * 1_000_000,
} as const;

export interface AgencyInput {
  name: string;
  type: AgencyType;
  immigrationEnforcement?: boolean;
  jurisdiction: unknown;
  description?: string;
  website?: string | null;
  publicContact?: string | null;
}

export interface CheckedAgency {
  name: string;
  type: AgencyType;
  immigrationEnforcement: boolean;
  jurisdiction: Area;
  areaM2: number;
  description: string;
  website: string | null;
  publicContact: string | null;
}

/**
 * Checks an agency before a reviewer creates it. Immigration-enforcement
 * agencies are refused while the instance policy forbids them (PRODUCT.md C;
 * setting ALLOW_IMMIGRATION_ENFORCEMENT).
 */
export function checkAgency(input: AgencyInput, policy: { allowImmigrationEnforcement: boolean }): { value: CheckedAgency } | { problems: FieldProblem[]; forbidden?: string } {
  const immigration = input.immigrationEnforcement === true;
  if (immigration && !policy.allowImmigrationEnforcement) {
    return { problems: [{ field: 'body.immigrationEnforcement', message: 'immigration-enforcement agencies are not eligible on this instance' }], forbidden: 'immigration-enforcement agencies are not eligible on this instance (policy.allowImmigrationEnforcement is false)' };
  }
  const problems: FieldProblem[] = [];
  const name = input.name.trim();
  if (!name) problems.push({ field: 'body.name', message: 'must not be blank' });
  if (!(AGENCY_TYPES as readonly string[]).includes(input.type)) problems.push({ field: 'body.type', message: `must be one of ${AGENCY_TYPES.join(', ')}` });
  const geo = checkArea(input.jurisdiction, 'body.jurisdiction', { multi: true, holes: true });
  let area = 0;
  if ('problems' in geo) problems.push(...geo.problems);
  else {
    area = areaM2(geo.value);
    if (area < AGENCY_LIMITS.minJurisdictionM2) problems.push({ field: 'body.jurisdiction', message: `is too small (${Math.round(area)} m²; at least ${AGENCY_LIMITS.minJurisdictionM2} m²)` });
    if (area > AGENCY_LIMITS.maxJurisdictionM2) problems.push({ field: 'body.jurisdiction', message: 'is larger than any one agency could serve' });
  }
  if (input.website && !/^https:\/\/[^\s]+$/.test(input.website)) problems.push({ field: 'body.website', message: 'must be an https:// address' });
  if (problems.length || 'problems' in geo) return { problems };
  return {
    value: {
      name, type: input.type, immigrationEnforcement: immigration, jurisdiction: geo.value, areaM2: area,
      description: (input.description ?? '').trim(), website: input.website ?? null, publicContact: input.publicContact?.trim() || null,
    },
  };
}

/** Members act only for their own agency; anyone else's agency id looks absent (404, not 403), so ids cannot be probed. */
export function isMemberOf(actor: { role: string; agencyId: string | null }, agencyId: string): boolean {
  return actor.role === 'agency' && actor.agencyId === agencyId;
}
