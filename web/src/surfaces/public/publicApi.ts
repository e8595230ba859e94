// Public reads through the typed client: approved agency request posts and
// verified agencies' profiles.
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';

const listRequests = () => unwrap(api.GET('/api/v1/public/requests'));
export type PublicRequest = Awaited<ReturnType<typeof listRequests>>[number];

export const agencyName = (r: PublicRequest) => r.agency.name;
export const agencyId = (r: PublicRequest) => r.agency.id;

export const usePublicRequests = () => useQuery({ queryKey: ['public-requests'], queryFn: listRequests });
export const usePublicAgencies = () => useQuery({ queryKey: ['public-agencies'], queryFn: () => unwrap(api.GET('/api/v1/public/agencies')) });
export const usePublicAgency = (id: string) =>
  useQuery({ queryKey: ['public-agencies', id], queryFn: () => unwrap(api.GET('/api/v1/public/agencies/{id}', { params: { path: { id } } })) });
