import type { NodeTypeRegistry, WorkflowGraph } from '@docket/core';
import { Alert, App as AntApp, Button, List, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { request } from '../../../graphql/client.ts';
import type { ResultOf } from '../../../graphql/graphql.ts';
import { DateTime } from '../../../ui/DateTime/index.tsx';
import { graphOf } from './model.ts';
import {
  MigrateMutation,
  RunningInstancesQuery,
  type VersionFields,
  VersionGraphQuery,
} from './operations.ts';
import { diffOverlay, diffWords, type Overlay } from './overlays.ts';

type Version = ResultOf<typeof VersionFields>;

/**
 * The published versions: show one, compare any two (or one with the draft) on the canvas, revert
 * the draft to one (undoable), and move running instances onto one, with every instance checked
 * (a dry run) before anything moves.
 */
export function VersionsPanel({
  workflowKey,
  versions,
  draft,
  nodeTypes,
  onOverlay,
  onRevert,
}: {
  workflowKey: string;
  versions: readonly Version[];
  draft: WorkflowGraph;
  nodeTypes: NodeTypeRegistry;
  onOverlay: (o: Overlay | undefined) => void;
  onRevert: (graph: WorkflowGraph, version: number) => void;
}) {
  const { t } = useTranslation('workflows');
  const { modal } = AntApp.useApp();
  const [from, setFrom] = useState<string | undefined>();
  const [to, setTo] = useState<string>('draft');
  const [migrateTo, setMigrateTo] = useState<Version | undefined>();

  const graphs = async (): Promise<Map<string, { version: number; graph: WorkflowGraph }>> => {
    const r = await request(VersionGraphQuery, { key: workflowKey });
    return new Map(
      (r.workflow?.versions ?? []).map((v) => [
        String(v.id),
        { version: v.version ?? 0, graph: graphOf(v.graph?.json) },
      ]),
    );
  };
  const labelOf = (id: string, all: Map<string, { version: number }>) =>
    id === 'draft' ? t('versions.draft') : t('list.version', { version: all.get(id)?.version ?? '?' });

  const compare = async (a: string, b: string) => {
    const all = await graphs();
    const before = a === 'draft' ? draft : all.get(a)?.graph;
    const after = b === 'draft' ? draft : all.get(b)?.graph;
    if (!before || !after) return;
    const o = diffOverlay(before, after, diffWords(t));
    onOverlay({
      key: `diff:${a}:${b}`,
      title: t('versions.diffTitle', {
        from: labelOf(a, all),
        to: labelOf(b, all),
        added: o.counts.added,
        removed: o.counts.removed,
        changed: o.counts.changed,
        edgesAdded: o.counts.edgesAdded,
        edgesRemoved: o.counts.edgesRemoved,
      }),
      graph: o.graph,
      ghost: o.ghost,
      decorations: o.decorations,
    });
  };

  const show = async (v: Version) => {
    const g = (await graphs()).get(String(v.id))?.graph;
    if (g)
      onOverlay({
        key: `version:${v.id}`,
        title: t('versions.showing', { version: v.version ?? 0 }),
        graph: g,
        decorations: { nodes: new Map(), edges: new Map() },
      });
  };

  const revert = async (v: Version) => {
    const g = (await graphs()).get(String(v.id))?.graph;
    if (!g) return;
    modal.confirm({
      title: t('versions.revertTitle', { version: v.version ?? 0 }),
      content: t('versions.revertWhy', { version: v.version ?? 0 }),
      okText: t('versions.revert'),
      cancelText: t('versions.cancel'),
      onOk: () => onRevert(g, v.version ?? 0),
    });
  };

  if (versions.length === 0)
    return <Typography.Text type="secondary">{t('detail.versions.none')}</Typography.Text>;
  const options = [
    { value: 'draft', label: t('versions.draft') },
    ...versions.map((v) => ({ value: String(v.id), label: t('list.version', { version: v.version ?? 0 }) })),
  ];
  return (
    <div className="wf-panel" data-testid="versions-panel">
      <List
        size="small"
        dataSource={[...versions]}
        renderItem={(v) => (
          <List.Item>
            <Space orientation="vertical" size={2} style={{ width: '100%' }}>
              <Space>
                <Tag color="blue">{t('list.version', { version: v.version ?? 0 })}</Tag>
                <DateTime value={v.publishedAt} />
                <Typography.Text type="secondary">{v.publishedBy?.name}</Typography.Text>
              </Space>
              <Space wrap size={4}>
                <Button size="small" onClick={() => void show(v)}>
                  {t('versions.show')}
                </Button>
                <Button size="small" onClick={() => void compare(String(v.id), 'draft')}>
                  {t('versions.compareDraft')}
                </Button>
                <Button size="small" onClick={() => void revert(v)}>
                  {t('versions.revert')}
                </Button>
                <Button size="small" onClick={() => setMigrateTo(v)}>
                  {t('versions.migrateHere')}
                </Button>
              </Space>
            </Space>
          </List.Item>
        )}
      />
      <Typography.Title level={5}>{t('versions.compareTitle')}</Typography.Title>
      <Space wrap>
        <Select
          aria-label={t('versions.from')}
          placeholder={t('versions.from')}
          style={{ width: 120 }}
          value={from}
          onChange={setFrom}
          options={options}
        />
        →
        <Select
          aria-label={t('versions.to')}
          style={{ width: 120 }}
          value={to}
          onChange={setTo}
          options={options}
        />
        <Button disabled={!from} onClick={() => from && void compare(from, to)}>
          {t('versions.compare')}
        </Button>
      </Space>
      {migrateTo ? (
        <MigrationDialog
          workflowKey={workflowKey}
          target={migrateTo}
          nodeTypes={nodeTypes}
          onClose={() => setMigrateTo(undefined)}
        />
      ) : null}
    </div>
  );
}

type Running = NonNullable<
  NonNullable<ResultOf<typeof RunningInstancesQuery>['workflow']>['versions']
>[number];

/** Moving running instances to a version: pick where they come from, map nodes, check every instance, then move. */
function MigrationDialog({
  workflowKey,
  target,
  nodeTypes,
  onClose,
}: {
  workflowKey: string;
  target: Version;
  nodeTypes: NodeTypeRegistry;
  onClose: () => void;
}) {
  const { t } = useTranslation('workflows');
  const [sources, setSources] = useState<Running[] | undefined>();
  const [graphsById, setGraphs] = useState<Map<string, WorkflowGraph>>(new Map());
  const [fromId, setFromId] = useState<string | undefined>();
  const [nodeMap, setNodeMap] = useState<Record<string, string>>({});
  const [check, setCheck] = useState<
    | {
        key: string;
        ok: boolean;
        ids: string[];
        problems: { instance: number | undefined; message: string }[];
      }
    | undefined
  >();
  const [moved, setMoved] = useState<number | undefined>();
  const [isBusy, setBusy] = useState(false);

  if (!sources) {
    void (async () => {
      const [r, g] = await Promise.all([
        request(RunningInstancesQuery, { key: workflowKey }),
        request(VersionGraphQuery, { key: workflowKey }),
      ]);
      const list = (r.workflow?.versions ?? []).filter((v) => String(v.id) !== String(target.id));
      setSources(list);
      setFromId(list.find((v) => (v.runningInstances?.length ?? 0) > 0)?.id ?? list[0]?.id ?? undefined);
      setGraphs(new Map((g.workflow?.versions ?? []).map((v) => [String(v.id), graphOf(v.graph?.json)])));
    })();
  }
  const targetGraph = graphsById.get(String(target.id));
  const sourceGraph = fromId ? graphsById.get(String(fromId)) : undefined;
  const source = sources?.find((v) => String(v.id) === String(fromId));
  const instances = source?.runningInstances ?? [];
  const targetIds = new Set(targetGraph?.nodes.map((n) => n.id));
  const unmapped = [...new Set(instances.flatMap((i) => i.currentNodes ?? []))].filter(
    (n) => !targetIds.has(n),
  );
  const paramsKey = JSON.stringify([fromId, nodeMap]);

  const run = async (isDryRun: boolean) => {
    if (!fromId) return;
    setBusy(true);
    try {
      const r = (
        await request(MigrateMutation, {
          from: fromId,
          to: String(target.id),
          ids: instances.map((i) => String(i.id)),
          nodeMap,
          isDryRun,
        })
      ).migrateWorkflowInstances;
      if (r?.__typename === 'WorkflowMigration') {
        if (isDryRun)
          setCheck({ key: paramsKey, ok: true, ids: (r.instanceIds ?? []).map(String), problems: [] });
        else setMoved(r.instanceIds?.length ?? 0);
      } else if (r?.__typename === 'ValidationError')
        setCheck({
          key: paramsKey,
          ok: false,
          ids: [],
          problems: (r.fields ?? []).map((f) => ({
            instance:
              /^\/instances\/(\d+)/.exec(f.path ?? '')?.[1] !== undefined
                ? Number(/^\/instances\/(\d+)/.exec(f.path ?? '')?.[1])
                : undefined,
            message: f.message ?? '',
          })),
        });
      else if (r && 'message' in r)
        setCheck({
          key: paramsKey,
          ok: false,
          ids: [],
          problems: [{ instance: undefined, message: String(r.message) }],
        });
    } finally {
      setBusy(false);
    }
  };

  const isChecked = check?.ok === true && check.key === paramsKey;
  return (
    <Modal
      open
      width={720}
      title={t('migrate.title', { version: target.version ?? 0 })}
      onCancel={onClose}
      footer={
        <Space>
          <Button onClick={onClose}>{t('migrate.close')}</Button>
          <Button
            onClick={() => void run(true)}
            loading={isBusy}
            disabled={!fromId || instances.length === 0}
            data-testid="migrate-check"
          >
            {t('migrate.check')}
          </Button>
          <Button
            type="primary"
            disabled={!isChecked || moved !== undefined}
            loading={isBusy}
            onClick={() => void run(false)}
            data-testid="migrate-run"
          >
            {t('migrate.run', { count: instances.length })}
          </Button>
        </Space>
      }
    >
      {!sources ? <Typography.Text>{t('migrate.loading')}</Typography.Text> : null}
      {sources && sources.length === 0 ? <Typography.Text>{t('migrate.noOther')}</Typography.Text> : null}
      {sources && sources.length > 0 ? (
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Space>
            {t('migrate.from')}
            <Select
              style={{ width: 220 }}
              value={fromId ?? undefined}
              onChange={(v) => {
                setFromId(v);
                setCheck(undefined);
              }}
              options={sources.map((v) => ({
                value: String(v.id),
                label: t('migrate.fromOption', {
                  version: v.version ?? 0,
                  count: v.runningInstances?.length ?? 0,
                }),
              }))}
            />
          </Space>
          {unmapped.length > 0 ? (
            <Alert
              type="warning"
              showIcon
              title={t('migrate.mapTitle')}
              description={
                <Space orientation="vertical">
                  {unmapped.map((n) => {
                    const type = sourceGraph?.nodes.find((x) => x.id === n)?.type;
                    return (
                      <Space key={n}>
                        <Typography.Text code>{n}</Typography.Text>→
                        <Select
                          aria-label={t('migrate.mapTo', { node: n })}
                          style={{ width: 220 }}
                          allowClear
                          value={nodeMap[n]}
                          onChange={(v) =>
                            setNodeMap((m) => {
                              const next = { ...m };
                              if (v) next[n] = v;
                              else delete next[n];
                              return next;
                            })
                          }
                          options={(targetGraph?.nodes ?? [])
                            .filter((x) => type === undefined || x.type === type)
                            .map((x) => ({
                              value: x.id,
                              label: `${x.label || x.id} (${nodeTypes.get(x.type)?.title ?? x.type})`,
                            }))}
                        />
                      </Space>
                    );
                  })}
                </Space>
              }
            />
          ) : null}
          <Table
            size="small"
            pagination={false}
            rowKey={(r) => String(r.id)}
            dataSource={instances}
            locale={{ emptyText: t('migrate.none') }}
            columns={[
              { key: 'ticket', title: t('migrate.ticket'), render: (_, r) => r.ticketNumber ?? '—' },
              { key: 'at', title: t('migrate.waitsAt'), render: (_, r) => (r.currentNodes ?? []).join(', ') },
              {
                key: 'check',
                title: t('migrate.checkColumn'),
                render: (_, _r, i) => {
                  if (!check || check.key !== paramsKey)
                    return <Typography.Text type="secondary">{t('migrate.notChecked')}</Typography.Text>;
                  const mine = check.problems.filter((p) => p.instance === i);
                  if (check.ok || mine.length === 0)
                    return check.ok ? (
                      <Tag color="success">{t('migrate.canMove')}</Tag>
                    ) : (
                      <Tag>{t('migrate.blockedByOthers')}</Tag>
                    );
                  return (
                    <Typography.Text type="danger">{mine.map((p) => p.message).join(' ')}</Typography.Text>
                  );
                },
              },
            ]}
          />
          {check && check.key === paramsKey && !check.ok ? (
            <Alert type="error" showIcon title={t('migrate.nothingMoves')} />
          ) : null}
          {moved !== undefined ? (
            <Alert
              type="success"
              showIcon
              title={t('migrate.moved', { count: moved, version: target.version ?? 0 })}
            />
          ) : null}
        </Space>
      ) : null}
    </Modal>
  );
}
