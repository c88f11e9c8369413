import type { WorkflowGraph } from '@docket/core';
import { Button, List, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { PlacedProblem } from './model.ts';

/** Every problem of the draft (as the server found it at the last save), each leading to its node. */
export function ProblemsPanel({
  problems,
  graph,
  onShow,
}: {
  problems: readonly PlacedProblem[];
  graph: WorkflowGraph;
  onShow: (nodeId: string) => void;
}) {
  const { t } = useTranslation('workflows');
  if (problems.length === 0)
    return (
      <Typography.Text type="success" data-testid="no-problems">
        {t('detail.problems.none')}
      </Typography.Text>
    );
  return (
    <List
      size="small"
      data-testid="problem-list"
      dataSource={[...problems]}
      renderItem={(p) => {
        const node = p.nodeId ? graph.nodes.find((n) => n.id === p.nodeId) : undefined;
        return (
          <List.Item
            actions={
              node
                ? [
                    <Button key="show" size="small" type="link" onClick={() => onShow(node.id)}>
                      {t('problems.show')}
                    </Button>,
                  ]
                : []
            }
          >
            <List.Item.Meta
              title={node ? node.label || node.id : t('problems.workflow')}
              description={
                <>
                  {p.configPath ? <Typography.Text code>{p.configPath}</Typography.Text> : null} {p.message}
                </>
              }
            />
          </List.Item>
        );
      }}
    />
  );
}
