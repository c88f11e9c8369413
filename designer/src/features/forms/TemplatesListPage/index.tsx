import { useTranslation } from 'react-i18next';
import { graphql } from '../../../graphql/graphql.ts';
import { useQuery } from '../../../graphql/use-query.ts';
import { PageHeading } from '../../../ui/PageHeading/index.tsx';
import { PageLoading } from '../../../ui/PageLoading/index.tsx';
import { QueryError } from '../../../ui/QueryError/index.tsx';
import { Text } from '../../../ui/Text/index.tsx';
import { TemplateRowFragment, TemplatesTable } from '../TemplatesTable/index.tsx';
import { NewTemplateButton } from './NewTemplateButton.tsx';

const TemplatesQuery = graphql(
  `
    query Templates {
      templates(includeArchived: true) {
        ...TemplateRow
      }
    }
  `,
  [TemplateRowFragment],
);

/** /admin/templates */
export function TemplatesListPage() {
  const { t } = useTranslation('forms');
  const { data, error, isLoading, refetch } = useQuery(TemplatesQuery, {});
  const templates = data?.templates ?? [];
  return (
    <>
      <PageHeading
        title={t('list.title')}
        extra={
          <>
            {data ? <Text>{t('list.count', { count: templates.length })}</Text> : null}
            <NewTemplateButton />
          </>
        }
      />
      {error ? <QueryError error={error} onRetry={refetch} /> : null}
      {isLoading && !data ? <PageLoading /> : null}
      {data ? <TemplatesTable templates={templates} /> : null}
    </>
  );
}
