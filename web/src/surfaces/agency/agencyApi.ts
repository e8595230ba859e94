// Agency-side queries and commands through the typed client, in one place so
// the pages stay about the page. Types come from the generated schema.
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { paths } from '../../api/schema';
import { useMe } from '../../lib/session';

// The server's fixed list (src/requests/policy.ts).
export const INCIDENT_TYPES = [
  'burglary', 'theft', 'vehicle_theft', 'vehicle_break_in', 'robbery', 'assault', 'homicide', 'shooting',
  'hit_and_run', 'vandalism', 'arson', 'missing_person', 'fire_investigation',
].map((value) => ({ value, label: value[0].toUpperCase() + value.slice(1).replace(/_/g, ' ') }));

type Json<P extends keyof paths, M extends 'post'> = NonNullable<paths[P][M]>['requestBody'] extends infer B
  ? B extends { content: { 'application/json': infer J } } ? J : never
  : never;

/** The signed-in member's agency id (from the session), known before the agency record loads. */
export function useAgencyId(): string | undefined {
  return useMe().data?.agencyId ?? undefined;
}

/** The member's own agency, from its public profile (name, type, jurisdiction). */
export function useMyAgency() {
  const id = useAgencyId();
  return useQuery({ queryKey: ['agency', id], enabled: !!id, queryFn: () => unwrap(api.GET('/api/v1/public/agencies/{id}', { params: { path: { id: id! } } })) });
}

const listRequests = (id: string) => unwrap(api.GET('/api/v1/agencies/{id}/requests', { params: { path: { id } } }));
export type AgencyRequest = Awaited<ReturnType<typeof listRequests>>[number];

export function useAgencyRequests(agencyId: string | undefined) {
  return useQuery({ queryKey: ['agency-requests', agencyId], enabled: !!agencyId, queryFn: () => listRequests(agencyId!) });
}

export function useAgencyRequest(agencyId: string | undefined, rid: string) {
  return useQuery({
    queryKey: ['agency-requests', agencyId, rid],
    enabled: !!agencyId,
    queryFn: () => unwrap(api.GET('/api/v1/agencies/{id}/requests/{rid}', { params: { path: { id: agencyId!, rid } } })),
  });
}

const locker = (id: string, rid: string) => unwrap(api.GET('/api/v1/agencies/{id}/requests/{rid}/evidence', { params: { path: { id, rid } } }));
export type EvidenceGroup = Awaited<ReturnType<typeof locker>>['neighbors'][number];
export type EvidenceItem = EvidenceGroup['items'][number];

export function useEvidence(agencyId: string | undefined, rid: string, enabled: boolean) {
  return useQuery({ queryKey: ['evidence', agencyId, rid], enabled: !!agencyId && enabled, queryFn: () => locker(agencyId!, rid).then((d) => d.neighbors) });
}

export const createRequest = (agencyId: string, body: Json<'/api/v1/agencies/{id}/requests', 'post'>) =>
  unwrap(api.POST('/api/v1/agencies/{id}/requests', { params: { path: { id: agencyId } }, body }));

export type EmergencyRequest = Awaited<ReturnType<typeof listEmergencies>>[number];

export const listEmergencies = (agencyId: string) => unwrap(api.GET('/api/v1/agencies/{id}/emergency-requests', { params: { path: { id: agencyId } } }));
export const createEmergency = (agencyId: string, body: Json<'/api/v1/agencies/{id}/emergency-requests', 'post'>) =>
  unwrap(api.POST('/api/v1/agencies/{id}/emergency-requests', { params: { path: { id: agencyId } }, body }));

/** The agency's requests left in the rolling 24 hours, shown before the form (issue 19). */
export function useRequestQuota(agencyId: string | undefined) {
  return useQuery({ queryKey: ['agency-quota', agencyId], enabled: !!agencyId, queryFn: () => unwrap(api.GET('/api/v1/agencies/{id}/request-quota', { params: { path: { id: agencyId! } } })) });
}
