// The public surface: approved agency requests (map and list), agency
// profiles and the disclosure log. No sign-in needed.
import { lazy, Suspense } from 'react';
import { Route, Routes } from 'react-router';
import { Container, Title, Text, Button } from '@mantine/core';
import { Link } from 'react-router';
import LogPage from './LogPage';
import { AgenciesPage, AgencyProfilePage } from './Agencies';
import PublicRequestsPage from './PublicRequests';
import PublicRequestPage from './PublicRequest';
import { Loading } from '../../components/States';

// The charts library is large: only the report page loads it.
const TransparencyPage = lazy(() => import('./TransparencyPage'));

export default function PublicSurface() {
  return (
    <Routes>
      <Route index element={<PublicRequestsPage />} />
      <Route path="public/requests/:id" element={<PublicRequestPage />} />
      <Route path="public/log" element={<LogPage />} />
      <Route path="public/transparency" element={<Suspense fallback={<Loading />}><TransparencyPage /></Suspense>} />
      <Route path="public/agencies" element={<AgenciesPage />} />
      <Route path="public/agencies/:id" element={<AgencyProfilePage />} />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}

function NotFound() {
  return (
    <Container size="sm">
      <Title order={1}>Page not found</Title>
      <Text my="md">There is nothing at this address.</Text>
      <Button component={Link} to="/">Go to the start page</Button>
    </Container>
  );
}
