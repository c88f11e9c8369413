import { Button, Result } from 'antd';
import { type ReactNode, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { namespaces } from '../i18n/resources.ts';
import { useReadySession } from '../session/session.tsx';
import { PageLoading } from '../ui/PageLoading/index.tsx';
import { startPathFor } from './areas.ts';
import type { AreaDefinition } from './define-area.ts';

/** Pages behind it need a signed-in person; others go to the login and come back afterwards. */
export function RequireSignIn({ children }: { children: ReactNode }) {
  const session = useReadySession();
  const location = useLocation();
  if (session.me) return children;
  // After a logout the login starts afresh; a session that ended by itself comes back here after.
  if (session.hasSignedOut) return <Navigate to="/login" replace />;
  const next = `${location.pathname}${location.search}${location.hash}`;
  const isPortal = location.pathname === '/portal' || location.pathname.startsWith('/portal/');
  const query = new URLSearchParams({
    ...(isPortal ? { as: 'customer' } : {}),
    ...(next !== '/' ? { next } : {}),
  });
  const search = query.toString();
  return <Navigate to={`/login${search ? `?${search}` : ''}`} replace />;
}

/** "/" sends a person to their start page. */
export function StartRedirect() {
  const { t } = useTranslation('shell');
  const session = useReadySession();
  const path = startPathFor(session.access);
  if (path) return <Navigate to={path} replace />;
  return <Result status="info" title={t('noArea.title')} subTitle={t('noArea.subtitle')} />;
}

/** An area's pages, or a page saying why this person may not see them. */
export function AreaGate({ area }: { area: AreaDefinition }) {
  const session = useReadySession();
  if (!area.canEnter(session.access)) return <Forbidden areaName={area.label} areaKey={area.key} />;
  return (
    <Suspense fallback={<PageLoading />}>
      <area.Component />
    </Suspense>
  );
}

export function Forbidden({ areaName, areaKey }: { areaName: AreaDefinition['label']; areaKey: string }) {
  const { t } = useTranslation(namespaces);
  const navigate = useNavigate();
  const session = useReadySession();
  const area = areaName(t);
  const roles = (session.me?.user?.roles ?? []).map((r) => r.name).join(', ');
  const subtitle = session.access.isCustomer
    ? t('forbidden.customer', { area })
    : areaKey === 'portal'
      ? t('forbidden.staffInPortal')
      : roles
        ? t('forbidden.staff', { roles, area })
        : t('forbidden.noRoles', { area });
  return (
    <Result
      status="403"
      title={<h1 style={{ fontSize: 24, margin: 0 }}>{t('forbidden.title')}</h1>}
      subTitle={<span data-testid="forbidden-reason">{subtitle}</span>}
      extra={
        <Button type="primary" onClick={() => navigate('/')}>
          {t('forbidden.home')}
        </Button>
      }
    />
  );
}

export function NotFound() {
  const { t } = useTranslation('shell');
  const navigate = useNavigate();
  const location = useLocation();
  return (
    <Result
      status="404"
      title={<h1 style={{ fontSize: 24, margin: 0 }}>{t('notFound.title')}</h1>}
      subTitle={t('notFound.subtitle', { path: location.pathname })}
      extra={
        <Button type="primary" onClick={() => navigate('/')}>
          {t('notFound.home')}
        </Button>
      }
    />
  );
}
