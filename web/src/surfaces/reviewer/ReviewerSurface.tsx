// The reviewer console: every queue with its items' ages, decision forms with
// reason lists, and the two-person emergency flow.
import { Route, Routes } from 'react-router';
import { RequireRole } from '../../components/RequireRole';
import { QueuesPage } from './Queues';
import { EmergencyQueuePage, EmergencyReviewPage } from './EmergencyReview';
import { LegalReviewPage } from './LegalReview';
import { RequestReviewPage } from './RequestReview';
import { AgenciesAdminPage, AgencyAdminPage } from './Agencies';
import { FeedReportsPage } from './FeedReports';

export default function ReviewerSurface() {
  return (
    <RequireRole roles={['reviewer', 'admin']}>
      <Routes>
        <Route index element={<QueuesPage />} />
        <Route path="emergency" element={<EmergencyQueuePage />} />
        <Route path="emergency/:id" element={<EmergencyReviewPage />} />
        <Route path="legal/:id" element={<LegalReviewPage />} />
        <Route path="requests/:id" element={<RequestReviewPage />} />
        <Route path="feed/*" element={<FeedReportsPage />} />
        <Route path="agencies" element={<AgenciesAdminPage />} />
        <Route path="agencies/:id" element={<AgencyAdminPage />} />
      </Routes>
    </RequireRole>
  );
}
