import { Button, ConfigProvider, Result } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { lazy, Suspense } from 'react';
import { I18nextProvider, useTranslation } from 'react-i18next';
import { BrowserRouter, Route, Routes, useLocation } from 'react-router';
import { i18n, withMessages } from '../i18n/i18n.ts';
import { SessionProvider, useSession } from '../session/session.tsx';
import { PageLoading } from '../ui/PageLoading/index.tsx';
import { AppShell } from './AppShell/index.tsx';
import { areas } from './areas.ts';
import { AreaGate, RequireSignIn, StartRedirect } from './guards.tsx';
import { NotFound } from './refusal-pages.tsx';

// Only people who are not signed in need the login form (and antd's Form with it).
const LoginPage = lazy(withMessages(['auth'], () => import('../features/auth/LoginPage/index.tsx')));
// Public forms and private follow links need no sign-in.
const PublicPortal = lazy(
  withMessages(['portal', 'schemaForm'], () => import('../features/portal/PublicPortal/index.tsx')),
);
// An invited person sets their password through their link, before they can sign in.
const InvitePage = lazy(
  withMessages(['auth', 'newPassword'], () => import('../features/auth/InvitePage/index.tsx')),
);
// A TV opens the live wall with a wall token (/wall?token=…): no sign-in, no shell.
const TokenWall = lazy(withMessages(['wall'], () => import('../features/wall/TokenWall/index.tsx')));

function Routed() {
  const { t } = useTranslation('shell');
  const session = useSession();
  const location = useLocation();
  if (location.pathname === '/wall' && new URLSearchParams(location.search).has('token'))
    return (
      <Suspense fallback={<PageLoading />}>
        <TokenWall />
      </Suspense>
    );
  if (session.status === 'loading') return <PageLoading />;
  if (session.status === 'unreachable')
    return (
      <Result
        status="warning"
        title={t('unreachable.title')}
        subTitle={t('unreachable.subtitle', { message: session.error.message })}
        extra={
          <Button type="primary" onClick={session.retry}>
            {t('unreachable.retry')}
          </Button>
        }
      />
    );
  return (
    <Routes>
      <Route
        path="/login"
        element={
          <Suspense fallback={<PageLoading />}>
            <LoginPage />
          </Suspense>
        }
      />
      <Route
        path="/invite/:token"
        element={
          <Suspense fallback={<PageLoading />}>
            <InvitePage />
          </Suspense>
        }
      />
      {(['forms', 'follow'] as const).map((section) => (
        <Route
          key={section}
          path={`/portal/${section}/*`}
          element={
            <Suspense fallback={<PageLoading />}>
              <PublicPortal section={section} />
            </Suspense>
          }
        />
      ))}
      <Route
        element={
          <RequireSignIn>
            <AppShell />
          </RequireSignIn>
        }
      >
        <Route index element={<StartRedirect />} />
        {areas.map((area) => (
          <Route key={area.key} path={`${area.path}/*`} element={<AreaGate area={area} />} />
        ))}
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}

/** antd speaks the page's language: its own texts (pagination, empty tables, date pickers) follow i18next. */
function LocalizedAntd({ children }: { children: React.ReactNode }) {
  const { i18n: current } = useTranslation();
  return (
    <ConfigProvider locale={current.language === 'zh-CN' ? zhCN : enUS} theme={ACCESSIBLE_THEME}>
      {children}
    </ConfigProvider>
  );
}

/**
 * antd's colours, darkened where its defaults fall short of WCAG AA contrast (4.5:1) for normal
 * text: the primary colour (white on blue buttons, links), errors, secondary text and placeholders.
 */
const ACCESSIBLE_THEME = {
  token: {
    colorPrimary: '#0958d9',
    colorLink: '#0958d9',
    colorLinkHover: '#003eb3',
    colorPrimaryHover: '#003eb3',
    colorError: '#cf1322',
    colorTextSecondary: 'rgba(0, 0, 0, 0.68)',
    colorTextTertiary: 'rgba(0, 0, 0, 0.62)',
    colorTextPlaceholder: 'rgba(0, 0, 0, 0.58)',
    colorTextDescription: 'rgba(0, 0, 0, 0.62)',
  },
};

export function App() {
  return (
    <I18nextProvider i18n={i18n}>
      <LocalizedAntd>
        <SessionProvider>
          <BrowserRouter>
            <Routed />
          </BrowserRouter>
        </SessionProvider>
      </LocalizedAntd>
    </I18nextProvider>
  );
}
