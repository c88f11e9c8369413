import { Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { type FragmentOf, graphql, readFragment } from '../../../graphql/graphql.ts';
import { DateTime } from '../../../ui/DateTime/index.tsx';

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

/** The open steps a person should work on, oldest first as the server lists them. */
export function MyTasks({ tasks }: { tasks: readonly FragmentOf<typeof MyTaskFragment>[] }) {
  const { t } = useTranslation(['desk', 'shell']);
  const rows = tasks.map((task) => readFragment(MyTaskFragment, task));
  return (
    <Table
      rowKey={(task) => task.id ?? ''}
      dataSource={rows}
      pagination={false}
      locale={{ emptyText: t('myTasks.empty') }}
      columns={[
        {
          key: 'ticket',
          title: t('myTasks.columns.ticket'),
          render: (_, task) => <Typography.Text code>{task.ticket?.number}</Typography.Text>,
        },
        { key: 'step', title: t('myTasks.columns.step'), dataIndex: 'title' },
        { key: 'title', title: t('myTasks.columns.title'), render: (_, task) => task.ticket?.title },
        {
          key: 'priority',
          title: t('myTasks.columns.priority'),
          render: (_, task) =>
            task.ticket?.priority ? (
              <Tag
                color={
                  task.ticket.priority === 'urgent'
                    ? 'red'
                    : task.ticket.priority === 'high'
                      ? 'orange'
                      : undefined
                }
              >
                {t(`shell:priority.${task.ticket.priority}`)}
              </Tag>
            ) : null,
        },
        {
          key: 'holder',
          title: t('myTasks.columns.holder'),
          render: (_, task) =>
            task.assignee?.name ??
            (task.team?.name ? t('myTasks.queue', { team: task.team.name }) : t('myTasks.unassigned')),
        },
        {
          key: 'due',
          title: t('myTasks.columns.due'),
          render: (_, task) => (
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
