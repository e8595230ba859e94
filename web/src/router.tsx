// Routes. Surfaces are lazy chunks: public (feed, agencies, log), auth,
// resident, agency, reviewer and admin. Each surface checks the role it needs.
import { lazy, Suspense, type ReactNode } from 'react';
import { createBrowserRouter, Navigate, Outlet, useParams, useRouteError } from 'react-router';
import { Shell } from './components/Shell';
import { ErrorState, Loading } from './components/States';
import { Container, Title } from '@mantine/core';

const PublicSurface = lazy(() => import('./surfaces/public/PublicSurface'));
const AuthSurface = lazy(() => import('./surfaces/auth/AuthSurface'));
const ResidentSurface = lazy(() => import('./surfaces/resident/ResidentSurface'));
const AgencySurface = lazy(() => import('./surfaces/agency/AgencySurface'));
const ReviewerSurface = lazy(() => import('./surfaces/reviewer/ReviewerSurface'));
const AdminSurface = lazy(() => import('./surfaces/admin/AdminSurface'));

const lazyPage = (node: ReactNode) => <Suspense fallback={<Loading />}>{node}</Suspense>;

function Frame() {
  return (
    <Shell>
      <Outlet />
    </Shell>
  );
}

function RequestLink() {
  const { id = '' } = useParams();
  return <Navigate to={`/home/requests/${encodeURIComponent(id)}`} replace />;
}

function RouteError() {
  const err = useRouteError();
  return (
    <Shell>
      <Container size="sm">
        <Title order={1} mb="md">This page could not be shown</Title>
        <ErrorState error={err instanceof Error ? err : new Error('unexpected error')} retry={() => window.location.reload()} />
      </Container>
    </Shell>
  );
}

export const router = createBrowserRouter([
  {
    element: <Frame />,
    errorElement: <RouteError />,
    children: [
      { path: '/*', element: lazyPage(<PublicSurface />) },
      { path: '/signin', element: lazyPage(<AuthSurface page="signin" />) },
      { path: '/signup', element: lazyPage(<AuthSurface page="signup" />) },
      { path: '/account/totp', element: lazyPage(<AuthSurface page="totp" />) },
      { path: '/home/*', element: lazyPage(<ResidentSurface />) },
      // The link in request e-mails (PUBLIC_URL/requests/<id>) opens the resident's inbox item.
      { path: '/requests/:id', element: <RequestLink /> },
      { path: '/agency/*', element: lazyPage(<AgencySurface />) },
      { path: '/review/*', element: lazyPage(<ReviewerSurface />) },
      { path: '/admin/*', element: lazyPage(<AdminSurface />) },
    ],
  },
]);
