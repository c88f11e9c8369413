import { emptyTemplateContent } from '@docket/core';
import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { request } from '../../../graphql/client.ts';
import { graphql } from '../../../graphql/graphql.ts';
import { useQuery } from '../../../graphql/use-query.ts';
import type { CreateAnswer } from '../../admin/shared/CreateByKeyButton.tsx';
import { VersionedList } from '../../admin/shared/VersionedList.tsx';
import { CreateTemplateMutation } from '../builder/operations.ts';
import { categoryLabel } from '../category.ts';

const TemplatesQuery = graphql(`
  query Templates {
    templates(includeArchived: true) {
      id
      key
      name
      latestVersion
      isArchived
      updatedAt
      draft { categoryPath }
      published { content { categoryPath } }
    }
  }
`);

/** Creates a template (a draft with an empty form); the form builder opens on it. */
async function createTemplate({ key, name }: { key: string; name: string }): Promise<CreateAnswer> {
  const content = emptyTemplateContent(name);
  const r = (await request(CreateTemplateMutation, { key, content: content as never })).createTemplate;
  return r?.__typename === 'TicketTemplate'
    ? { open: `/admin/templates/${encodeURIComponent(r.key ?? '')}` }
    : r;
}

/** /admin/templates: key (opens the form builder), name, category, latest version, last change. */
export function TemplatesListPage() {
  const { t } = useTranslation('forms');
  const query = useQuery(TemplatesQuery, {});
  return (
    <VersionedList
      namespace="forms"
      basePath="/admin/templates"
      query={query}
      rows={query.data?.templates ?? []}
      create={createTemplate}
      keyTag={(x) => (x.isArchived ? <Tag>{t('list.archived')}</Tag> : null)}
      beforeVersion={[
        {
          key: 'category',
          title: t('list.columns.category'),
          render: (_, x) => categoryLabel(x.published?.content?.categoryPath ?? x.draft?.categoryPath),
        },
      ]}
    />
  );
}
