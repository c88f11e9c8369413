import { App as AntApp } from 'antd';
import { Navigate, Route, Routes } from 'react-router';
import { NotFound } from '../../../app/refusal-pages.tsx';
import NotificationPreferencesPage from '../NotificationPreferences/index.tsx';

/** /account: what staff set for themselves. */
export default function AccountArea() {
  return (
    <AntApp component={false}>
      <Routes>
        <Route index element={<Navigate to="notifications" replace />} />
        <Route path="notifications" element={<NotificationPreferencesPage />} />
        <Route path="*" element={<NotFound />} />
      </Routes>
    </AntApp>
  );
}
