import { Button, Flex, Grid, Layout, Menu, Space, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, Outlet, useLocation } from 'react-router';
import { useDisplayName } from '../../i18n/display-name.ts';
import { displayNameOf } from '../../session/access.ts';
import { useReadySession } from '../../session/session.tsx';
import { LanguageSwitch } from '../../ui/LanguageSwitch/index.tsx';
import { areasFor } from '../areas.ts';

/** The frame of every signed-in page: brand, the areas this person may open, who they are, language, logout. */
export function AppShell() {
  const { t } = useTranslation('shell');
  const displayName = useDisplayName();
  const session = useReadySession();
  const location = useLocation();
  const me = session.me!;
  const visible = areasFor(session.access);
  const selected = visible.find(
    (a) => location.pathname === a.path || location.pathname.startsWith(`${a.path}/`),
  );
  const roles = me.user?.roles ?? [];
  // A phone: no names or roles in the header, less padding (the page gets the width).
  const isPhone = Grid.useBreakpoint().sm === false;
  const padding = isPhone ? 8 : 24;

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header
        style={{
          display: 'flex',
          alignItems: 'center',
          gap: isPhone ? 8 : 24,
          paddingInline: padding,
          background: '#001529',
          // A phone: the areas get a row of their own under the brand and controls (side by side
          // they went under the language switch).
          ...(isPhone
            ? { flexWrap: 'wrap', height: 'auto', lineHeight: 1.5, paddingBlock: 8, rowGap: 6 }
            : {}),
        }}
      >
        <Link to="/" style={{ color: '#fff', fontWeight: 600, fontSize: 18 }}>
          {t('brand')}
        </Link>
        <nav
          aria-label={t('nav.label')}
          style={isPhone ? { order: 3, flexBasis: '100%' } : { flex: 1, minWidth: 0 }}
        >
          {isPhone ? (
            // On a phone: plain links that wrap, not a menu folding items out of reach.
            <Flex gap="4px 16px" wrap style={{ whiteSpace: 'nowrap' }}>
              {visible.map((a) => (
                <Link
                  key={a.key}
                  to={a.path}
                  aria-current={selected?.key === a.key ? 'page' : undefined}
                  style={{ color: '#fff', fontWeight: selected?.key === a.key ? 700 : 400 }}
                >
                  {a.label(t)}
                </Link>
              ))}
            </Flex>
          ) : (
            <Menu
              theme="dark"
              mode="horizontal"
              selectedKeys={selected ? [selected.key] : []}
              items={visible.map((a) => ({ key: a.key, label: <Link to={a.path}>{a.label(t)}</Link> }))}
            />
          )}
        </nav>
        <Space
          size={isPhone ? 'small' : 'middle'}
          wrap={false}
          style={isPhone ? { marginInlineStart: 'auto' } : undefined}
        >
          <Flex vertical style={{ lineHeight: 1.3, ...(isPhone ? { display: 'none' } : {}) }}>
            <span style={{ color: '#fff' }} data-testid="signed-in-name">
              {displayNameOf(me)}
            </span>
            <span data-testid="signed-in-roles" title={t('header.roles')}>
              {session.access.isCustomer ? (
                <Tag color="blue">{t('header.customer')}</Tag>
              ) : (
                roles.map((r) => (
                  <Tag key={r.key} color="geekblue" style={{ marginInlineEnd: 4 }}>
                    {displayName(r.name, r.names)}
                  </Tag>
                ))
              )}
            </span>
          </Flex>
          <LanguageSwitch />
          <Button onClick={() => void session.signOut()}>{t('header.logout')}</Button>
        </Space>
      </Layout.Header>
      <Layout.Content style={{ padding, minWidth: 0 }}>
        <Outlet />
      </Layout.Content>
    </Layout>
  );
}
