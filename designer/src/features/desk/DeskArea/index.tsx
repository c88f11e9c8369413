import { useTranslation } from 'react-i18next';
import { Route, Routes } from 'react-router';
import { NotFound } from '../../../app/guards.tsx';
import { graphql } from '../../../graphql/graphql.ts';
import { useQuery } from '../../../graphql/use-query.ts';
import { PageHeading } from '../../../ui/PageHeading/index.tsx';
import { PageLoading } from '../../../ui/PageLoading/index.tsx';
import { QueryError } from '../../../ui/QueryError/index.tsx';
import { Text } from '../../../ui/Text/index.tsx';
import { MyTaskFragment, MyTasks } from '../MyTasks/index.tsx';

const MyTasksQuery = graphql(
  `
    query DeskMyTasks {
      myTasks(first: 100, includeQueues: true) {
        ...MyTask
      }
    }
  `,
  [MyTaskFragment],
);

function MyTasksPage() {
  const { t } = useTranslation('desk');
  const { data, error, isLoading, refetch } = useQuery(MyTasksQuery, {});
  return (
    <>
      <PageHeading title={t('myTasks.title')} />
      <Text as="p">{t('myTasks.hint')}</Text>
      {error ? <QueryError error={error} onRetry={refetch} /> : null}
      {isLoading && !data ? <PageLoading /> : null}
      {data ? <MyTasks tasks={data.myTasks ?? []} /> : null}
    </>
  );
}

/** /desk: the agent desk. Its first screen is my tasks; views and ticket pages come with the desk issue. */
export default function DeskArea() {
  return (
    <Routes>
      <Route index element={<MyTasksPage />} />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}
