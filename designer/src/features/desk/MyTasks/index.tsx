import { Space, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { type FragmentOf, graphql, readFragment } from '../../../graphql/graphql.ts';
import { DateTime } from '../../../ui/DateTime/index.tsx';
import { SimpleTable } from '../../../ui/SimpleTable/index.tsx';
import { Code } from '../../../ui/Text/index.tsx';

export const MyTaskFragment = graphql(`
  fragment MyTask on Task {
    id
    title
    dueAt
    isOverdue
    assignee {
      id
      name
    }
    team {
      id
      name
    }
    ticket {
      id
      number
      title
      priority
    }
  }
`);

const priorityColor = { urgent: 'red', high: 'orange', normal: undefined, low: undefined } as const;

/** The open steps a person should work on, as the server lists them. */
export function MyTasks({ tasks }: { tasks: readonly FragmentOf<typeof MyTaskFragment>[] }) {
  const { t } = useTranslation(['desk', 'shell']);
  const rows = tasks.map((task) => readFragment(MyTaskFragment, task));
  return (
    <SimpleTable
      label={t('myTasks.title')}
      rows={rows}
      rowKey={(task) => task.id ?? ''}
      empty={t('myTasks.empty')}
      columns={[
        {
          key: 'ticket',
          title: t('myTasks.columns.ticket'),
          render: (task) => <Code>{task.ticket?.number}</Code>,
        },
        { key: 'step', title: t('myTasks.columns.step'), render: (task) => task.title },
        { key: 'title', title: t('myTasks.columns.title'), render: (task) => task.ticket?.title },
        {
          key: 'priority',
          title: t('myTasks.columns.priority'),
          render: (task) =>
            task.ticket?.priority ? (
              <Tag color={priorityColor[task.ticket.priority]}>
                {t(`shell:priority.${task.ticket.priority}`)}
              </Tag>
            ) : null,
        },
        {
          key: 'holder',
          title: t('myTasks.columns.holder'),
          render: (task) =>
            task.assignee?.name ??
            (task.team?.name ? t('myTasks.queue', { team: task.team.name }) : t('myTasks.unassigned')),
        },
        {
          key: 'due',
          title: t('myTasks.columns.due'),
          render: (task) => (
            <Space size={4}>
              <DateTime value={task.dueAt} />
              {task.isOverdue ? <Tag color="error">{t('myTasks.overdue')}</Tag> : null}
            </Space>
          ),
        },
      ]}
    />
  );
}
