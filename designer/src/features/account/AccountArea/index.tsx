import { App as AntApp, Tabs } from 'antd';
import { useTranslation } from 'react-i18next';
import { Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { NotFound } from '../../../app/refusal-pages.tsx';
import ChangePasswordPage from '../ChangePassword/index.tsx';
import NotificationPreferencesPage from '../NotificationPreferences/index.tsx';

const TABS = ['notifications', 'password'] as const;

/** /account: what staff set for themselves (where notices reach them, their password). */
export default function AccountArea() {
  const { t } = useTranslation('account');
  const location = useLocation();
  const navigate = useNavigate();
  const current = TABS.find((k) => location.pathname.startsWith(`/account/${k}`));
  return (
    <AntApp component={false}>
      {current ? (
        <Tabs
          activeKey={current}
          onChange={(k) => navigate(`/account/${k}`)}
          items={TABS.map((k) => ({ key: k, label: t(`tabs.${k}`) }))}
        />
      ) : null}
      <Routes>
        <Route index element={<Navigate to="notifications" replace />} />
        <Route path="notifications" element={<NotificationPreferencesPage />} />
        <Route path="password" element={<ChangePasswordPage />} />
        <Route path="*" element={<NotFound />} />
      </Routes>
    </AntApp>
  );
}
