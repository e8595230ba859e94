// The agency portal: jurisdiction and requests, the request form, request
// status with the evidence locker, legal demands and emergency requests.
import { Route, Routes } from 'react-router';
import { RequireRole } from '../../components/RequireRole';
import { AgencyHomePage } from './AgencyHome';
import { RequestFormPage } from './RequestForm';
import { RequestDetailPage } from './RequestDetail';
import { LegalPage } from './Legal';
import { EmergencyPage } from './Emergency';

export default function AgencySurface() {
  return (
    <RequireRole roles={['agency']}>
      <Routes>
        <Route index element={<AgencyHomePage />} />
        <Route path="new" element={<RequestFormPage />} />
        <Route path="requests/:rid" element={<RequestDetailPage />} />
        <Route path="legal" element={<LegalPage />} />
        <Route path="emergency" element={<EmergencyPage />} />
      </Routes>
    </RequireRole>
  );
}
