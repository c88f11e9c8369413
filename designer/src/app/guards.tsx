import { Result } from 'antd';
import { type ReactNode, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useLocation } from 'react-router';
import { useReadySession } from '../session/session.tsx';
import { PageLoading } from '../ui/PageLoading/index.tsx';
import { startPathFor } from './areas.ts';
import type { AreaDefinition } from './define-area.ts';
import { Forbidden } from './refusal-pages.tsx';

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
  const { t } = useTranslation('shell');
  const session = useReadySession();
  if (!area.canEnter(session.access)) return <Forbidden area={area.label(t)} areaKey={area.key} />;
  return (
    <Suspense fallback={<PageLoading />}>
      <area.Component />
    </Suspense>
  );
}
