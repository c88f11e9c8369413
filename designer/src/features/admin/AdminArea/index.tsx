import { App as AntApp, Grid, Layout, Menu } from 'antd';
import { Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, Route, Routes, useLocation } from 'react-router';
import { Forbidden, NotFound } from '../../../app/refusal-pages.tsx';
import { useReadySession } from '../../../session/session.tsx';
import { PageLoading } from '../../../ui/PageLoading/index.tsx';
import { adminSections, adminSectionsFor } from '../sections.ts';

/**
 * /admin: a menu of the sections this person may use, and the open section's pages. Beside them on
 * a wide screen; on a phone, a row above them (a collapsed side menu's toggle lay over each page's
 * first controls).
 */
export default function AdminArea() {
  const { t } = useTranslation('admin');
  const session = useReadySession();
  const location = useLocation();
  const allowed = adminSectionsFor(session.access);
  const selected = allowed.find((s) => location.pathname.startsWith(`/admin/${s.path}`));
  const isPhone = Grid.useBreakpoint().md === false;
  const menu = (
    <nav aria-label={t('menu')} data-testid="admin-menu">
      <Menu
        mode={isPhone ? 'horizontal' : 'inline'}
        // A phone has no hover: "…" opens the sections that do not fit on a tap.
        triggerSubMenuAction={isPhone ? 'click' : 'hover'}
        selectedKeys={selected ? [selected.key] : []}
        items={allowed.map((s) => ({
          key: s.key,
          label: <Link to={`/admin/${s.path}`}>{s.label(t)}</Link>,
        }))}
        style={isPhone ? { marginBottom: 12 } : undefined}
      />
    </nav>
  );

  return (
    <Layout style={{ background: 'transparent' }}>
      {isPhone ? null : (
        <Layout.Sider width={200} theme="light">
          {menu}
        </Layout.Sider>
      )}
      <Layout.Content style={{ paddingInline: isPhone ? 0 : 24, minWidth: 0 }}>
        {isPhone ? menu : null}
        {/* Sections show messages and confirmations through antd's App. */}
        <AntApp component={false}>
          <Routes>
            <Route
              index
              element={allowed[0] ? <Navigate to={`/admin/${allowed[0].path}`} replace /> : null}
            />
            {adminSections.map((section) => (
              <Route
                key={section.key}
                path={`${section.path}/*`}
                element={
                  session.access.can(section.permission) ? (
                    <Suspense fallback={<PageLoading />}>
                      <section.Component />
                    </Suspense>
                  ) : (
                    <Forbidden area={section.label(t)} areaKey={section.key} />
                  )
                }
              />
            ))}
            <Route path="*" element={<NotFound />} />
          </Routes>
        </AntApp>
      </Layout.Content>
    </Layout>
  );
}
