// The agency portal: jurisdiction and requests, the request form, request
// status with the evidence locker, legal demands and emergency requests.
import { lazy, Suspense } from 'react';
import { Route, Routes } from 'react-router';
import { Loading } from '../../components/States';
import { RequireRole } from '../../components/RequireRole';
import { AgencyHomePage } from './AgencyHome';
// The drawing tools (Geoman) load only with the request form.
const RequestFormPage = lazy(() => import('./RequestForm').then((m) => ({ default: m.RequestFormPage })));
import { RequestDetailPage } from './RequestDetail';
import { LegalPage } from './Legal';
import { EmergencyPage } from './Emergency';
import { KeyPage } from './KeyPage';
import { NotificationsPage } from '../../components/Notifications';

export default function AgencySurface() {
  return (
    <RequireRole roles={['agency']}>
      <Routes>
        <Route index element={<AgencyHomePage />} />
        <Route path="new" element={<Suspense fallback={<Loading label="Loading the map tools…" />}><RequestFormPage /></Suspense>} />
        <Route path="requests/:rid" element={<RequestDetailPage />} />
        <Route path="legal" element={<LegalPage />} />
        <Route path="emergency" element={<EmergencyPage />} />
        <Route path="key" element={<KeyPage />} />
        <Route path="notifications" element={<NotificationsPage />} />
      </Routes>
    </RequireRole>
  );
}
