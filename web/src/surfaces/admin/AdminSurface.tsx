// The administrator's surface: user administration. Administrators also use
// the reviewer console (/review); this surface holds what only they may do.
import { Navigate, Route, Routes } from 'react-router';
import { RequireRole } from '../../components/RequireRole';
import { UsersPage } from './Users';

export default function AdminSurface() {
  return (
    <RequireRole roles={['admin']}>
      <Routes>
        <Route index element={<Navigate to="users" replace />} />
        <Route path="users" element={<UsersPage />} />
      </Routes>
    </RequireRole>
  );
}
