// The resident surface: the neighbourhood feed, cameras (map, add, edit, enrol a device, privacy
// zones), clips, the request inbox, receipts, the access log and the
// end-to-end key.
import { Route, Routes } from 'react-router';
import { RequireRole } from '../../components/RequireRole';
import { CamerasPage } from './Cameras';
import { CameraDetailPage } from './CameraDetail';
import { PrivacyZonesPage } from './PrivacyZones';
import { ClipsPage } from './Clips';
import { AccessLogPage } from './AccessLog';
import { ReceiptsPage } from './Receipts';
import { InboxPage, InboxRequestPage } from './Inbox';
import { NotificationsPage } from '../../components/Notifications';
import { SettingsPage } from './Settings';
import { ControlCenterPage } from './ControlCenter';
import { KeyPage } from './KeyPage';
import { FeedPage } from './Feed';

export default function ResidentSurface() {
  return (
    <RequireRole roles={['resident']}>
      <Routes>
        <Route index element={<CamerasPage />} />
        <Route path="cameras/:id" element={<CameraDetailPage />} />
        <Route path="cameras/:id/zones" element={<PrivacyZonesPage />} />
        <Route path="feed" element={<FeedPage />} />
        <Route path="clips" element={<ClipsPage />} />
        <Route path="requests" element={<InboxPage />} />
        <Route path="requests/:id" element={<InboxRequestPage />} />
        <Route path="receipts" element={<ReceiptsPage />} />
        <Route path="access-log" element={<AccessLogPage />} />
        <Route path="notifications" element={<NotificationsPage />} />
        <Route path="settings" element={<SettingsPage />} />
        <Route path="account" element={<ControlCenterPage />} />
        <Route path="key" element={<KeyPage />} />
      </Routes>
    </RequireRole>
  );
}
