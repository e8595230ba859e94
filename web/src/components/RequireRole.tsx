// Gate for a surface: sends visitors to sign-in (and back after), staff
// without TOTP to enrolment, and explains a wrong role instead of a blank page.
import { Alert, Button, Container, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link, Navigate, useLocation } from 'react-router';
import { homeFor, useMe, type Role } from '../lib/session';
import { ErrorState, Loading } from './States';

export function RequireRole({ roles, children }: { roles: Role[]; children: ReactNode }) {
  const me = useMe();
  const location = useLocation();
  if (me.isPending) return <Loading label="Checking your session…" />;
  if (me.isError) return <ErrorState error={me.error} retry={() => void me.refetch()} />;
  if (!me.data) return <Navigate to={`/signin?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  if (me.data.totpRequired && !me.data.totpEnabled) return <Navigate to="/account/totp" replace />;
  if (!roles.includes(me.data.role)) {
    return (
      <Container size="sm">
        <Alert color="yellow" title="Not available for your account" role="alert">
          <Stack gap="xs">
            <Text size="sm">This part of Porchlight is for {roles.join(' or ')} accounts. You are signed in as a {me.data.role}.</Text>
            <Button component={Link} to={homeFor(me.data)} size="xs" variant="outline" w="fit-content">Go to your start page</Button>
          </Stack>
        </Alert>
      </Container>
    );
  }
  return <>{children}</>;
}
