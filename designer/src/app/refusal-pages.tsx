import { Button, Result } from 'antd';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';
import { useDisplayName } from '../i18n/display-name.ts';
import { useReadySession } from '../session/session.tsx';

/* The pages that say no: an area this person may not enter, a path that leads nowhere. */

/** `area` is the name of the area or admin section, as its menu shows it. */
export function Forbidden({ area, areaKey }: { area: string; areaKey: string }) {
  const { t, i18n } = useTranslation('shell');
  const displayName = useDisplayName();
  const navigate = useNavigate();
  const session = useReadySession();
  const roles = new Intl.ListFormat(i18n.language, { type: 'conjunction' }).format(
    (session.me?.user?.roles ?? []).map((r) => displayName(r.name, r.names)),
  );
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
