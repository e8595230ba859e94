// Public settings the app needs before sign-in (map tiles), from the server.
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';

export function usePublicConfig() {
  return useQuery({
    queryKey: ['public-config'],
    queryFn: () => unwrap(api.GET('/api/v1/public/config')),
    staleTime: Infinity,
  });
}
