// Who is signed in. The session is the HttpOnly cookie; GET /api/v1/me tells
// the app who it belongs to (401 means nobody), so the page never holds a token.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, api, csrfToken, unwrap } from '../api/client';
import type { components } from '../api/schema';

type MeResponse = NonNullable<Awaited<ReturnType<typeof fetchMe>>>;
export type Me = MeResponse;

async function fetchMe() {
  // No CSRF cookie means no session cookie either (they are set and cleared together):
  // skip the request rather than log a 401 in the console of every visitor.
  if (!csrfToken()) return null;
  try {
    return await unwrap(api.GET('/api/v1/me'));
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

export function useMe() {
  return useQuery({ queryKey: ['me'], queryFn: fetchMe, staleTime: 60_000, retry: false });
}

export function useSignOut() {
  const qc = useQueryClient();
  return async () => {
    try {
      await unwrap(api.POST('/api/v1/auth/logout'));
    } finally {
      qc.clear();
      qc.setQueryData(['me'], null);
    }
  };
}

export type Role = Me['role'];

/** Where each role starts after sign-in. */
export function homeFor(me: Pick<Me, 'role' | 'totpEnabled' | 'totpRequired'>): string {
  if (me.totpRequired && !me.totpEnabled) return '/account/totp';
  switch (me.role) {
    case 'resident':
      return '/home';
    case 'agency':
      return '/agency';
    default:
      return '/review';
  }
}

export type Schemas = components['schemas'];
