import { Layout, List, Result } from 'antd';
import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Route, Routes, useParams } from 'react-router';
import { NotFound } from '../../../app/refusal-pages.tsx';
import { graphql } from '../../../graphql/graphql.ts';
import { useQuery } from '../../../graphql/use-query.ts';
import { currentLanguage } from '../../../i18n/i18n.ts';
import { LanguageSwitch } from '../../../ui/LanguageSwitch/index.tsx';
import { PageLoading } from '../../../ui/PageLoading/index.tsx';
import { PortalTicketFragment, PortalTicketView } from '../PortalTicket/index.tsx';

const PublicFormPage = lazy(() => import('../PublicForm/index.tsx'));

const PublicFormsQuery = graphql(`
  query PortalPublicForms {
    publicForms {
      templateKey
      name
      description
    }
  }
`);

const FollowedQuery = graphql(
  `
    query PortalFollowed($token: String!, $locale: String!) {
      followedTicket(token: $token) {
        ...PortalTicketView
      }
    }
  `,
  [PortalTicketFragment],
);

function FormsIndex() {
  const { t } = useTranslation('portal');
  const { data, isLoading } = useQuery(PublicFormsQuery, {});
  if (isLoading && !data) return <PageLoading />;
  return (
    <div style={{ maxWidth: 720, margin: '0 auto' }}>
      <h1 style={{ fontSize: 22 }}>{t('forms.title')}</h1>
      <List
        dataSource={data?.publicForms ?? []}
        locale={{ emptyText: t('forms.empty') }}
        renderItem={(f) => (
          <List.Item>
            <List.Item.Meta
              title={<Link to={`/portal/forms/${encodeURIComponent(f.templateKey ?? '')}`}>{f.name}</Link>}
              description={f.description}
            />
          </List.Item>
        )}
      />
    </div>
  );
}

function FollowPage() {
  const { t } = useTranslation('portal');
  const { token = '' } = useParams();
  const { data, isLoading, refetch } = useQuery(FollowedQuery, { token, locale: currentLanguage() });
  if (isLoading && !data) return <PageLoading />;
  if (!data?.followedTicket)
    return <Result status="404" title={<h1 style={{ fontSize: 22 }}>{t('ticket.notFound')}</h1>} />;
  return <PortalTicketView ticket={data.followedTicket} onChanged={refetch} />;
}

/** The portal's pages anyone may open without signing in: public forms and private follow links. */
export default function PublicPortal({ section }: { section: 'forms' | 'follow' }) {
  const { t } = useTranslation('shell');
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header
        style={{
          display: 'flex',
          alignItems: 'center',
          justifyContent: 'space-between',
          paddingInline: 16,
          background: '#001529',
        }}
      >
        <Link to="/portal/forms" style={{ color: '#fff', fontWeight: 600, fontSize: 18 }}>
          {t('brand')}
        </Link>
        <LanguageSwitch />
      </Layout.Header>
      <Layout.Content style={{ padding: 16 }}>
        <main>
          <Suspense fallback={<PageLoading />}>
            {section === 'forms' ? (
              <Routes>
                <Route index element={<FormsIndex />} />
                <Route path=":key" element={<PublicFormPage />} />
                <Route path="*" element={<NotFound />} />
              </Routes>
            ) : (
              <Routes>
                <Route path=":token" element={<FollowPage />} />
                <Route path="*" element={<NotFound />} />
              </Routes>
            )}
          </Suspense>
        </main>
      </Layout.Content>
    </Layout>
  );
}
