import '@xyflow/react/dist/style.css';
import '../designer/designer.css';
import { ReactFlowProvider } from '@xyflow/react';
import { App as AntApp, Button, Result } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { readFragment } from '../../../graphql/graphql.ts';
import { useQuery } from '../../../graphql/use-query.ts';
import { PageLoading } from '../../../ui/PageLoading/index.tsx';
import { QueryError } from '../../../ui/QueryError/index.tsx';
import { definitionOf, registryOf } from '../designer/model.ts';
import { DesignerQuery, NodeTypeFields } from '../designer/operations.ts';
import { WorkflowDesigner } from '../designer/WorkflowDesigner.tsx';

/**
 * /admin/workflows/<key>: the designer on the workflow's draft. Loaded lazily (React Flow, rjsf,
 * the rule builder and the layout engine load only here), so the login and the desk stay light.
 */
export default function WorkflowDetailPage() {
  const { t } = useTranslation('workflows');
  const navigate = useNavigate();
  const key = useParams().key ?? '';
  const { data, error, isLoading, refetch } = useQuery(DesignerQuery, { key });
  const rows = useMemo(
    () => (data?.workflowNodeTypes ?? []).map((r) => readFragment(NodeTypeFields, r)),
    [data],
  );
  const nodeTypes = useMemo(() => registryOf(rows), [rows]);
  const typeList = useMemo(() => rows.map(definitionOf), [rows]);

  if (error && !data) return <QueryError error={error} onRetry={refetch} />;
  if (isLoading && !data) return <PageLoading />;
  const workflow = data?.workflow;
  if (!workflow)
    return (
      <Result
        status="404"
        title={<h1 style={{ fontSize: 24, margin: 0 }}>{t('detail.notFound.title', { key })}</h1>}
        subTitle={t('detail.notFound.subtitle')}
        extra={
          <Button type="primary" onClick={() => navigate('/admin/workflows')}>
            {t('detail.back')}
          </Button>
        }
      />
    );
  return (
    <AntApp>
      <ReactFlowProvider>
        <WorkflowDesigner
          key={String(workflow.id)}
          workflow={workflow}
          nodeTypes={nodeTypes}
          typeList={typeList}
          initialProblems={workflow.draftProblems ?? []}
        />
      </ReactFlowProvider>
    </AntApp>
  );
}
