import {
  type AnyNodeTypeDefinition,
  type ConnectionCheck,
  checkConnection,
  copyFragment,
  layoutInput,
  type NodeTypeRegistry,
  parseFragment,
  ValidationFailed,
} from '@docket/core';
import { useReactFlow } from '@xyflow/react';
import { Alert, App as AntApp, Button, Empty, Skeleton, Space, Tabs, Tag, Tooltip } from 'antd';
import {
  lazy,
  type ReactNode,
  Suspense,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
} from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { request } from '../../../graphql/client.ts';
import { type FragmentOf, type ResultOf, readFragment } from '../../../graphql/graphql.ts';
import { useQuery } from '../../../graphql/use-query.ts';
import { useDisplayName } from '../../../i18n/display-name.ts';
import {
  browserDraftStore,
  DraftSync,
  type LocalDraft,
  type SaveOutcome,
  type SyncState,
} from '../editor/draft-sync.ts';
import { type EditorCommand, type EditorSelection, EditorStore } from '../editor/editor-store.ts';
import { type NodeLabels, NodeLabelsContext } from '../node-views/node-labels.ts';
import { Canvas } from './Canvas.tsx';
import { NO_DECORATIONS } from './decorations.ts';
import { Inspector } from './Inspector.tsx';
import { ruleFieldsOf } from './inspector-ui.ts';
import { graphOf, type PlacedProblem, placeProblems, problemsByNode } from './model.ts';
import {
  DesignerQuery,
  PickersQuery,
  type ProblemFields,
  PublishMutation,
  SaveDraftMutation,
  TemplateFormsQuery,
  VersionFields,
} from './operations.ts';
import { diffOverlay, diffWords, type Overlay } from './overlays.ts';
import { Palette } from './Palette.tsx';
import { ProblemsPanel } from './ProblemsPanel.tsx';
import { ShortcutsHelp } from './ShortcutsHelp.tsx';
import type { PickerLists } from './widgets.tsx';

// The side panels load when first shown: versions, simulation and runs are not needed to open
// the drawing. (The inspector is not: it draws in the same moment a node is first clicked or
// dragged, and loading it then held up the drag.)
const VersionsPanel = lazy(() => import('./VersionsPanel.tsx').then((m) => ({ default: m.VersionsPanel })));
const SimulationPanel = lazy(() =>
  import('./SimulationPanel.tsx').then((m) => ({ default: m.SimulationPanel })),
);
const RunsPanel = lazy(() => import('./RunsPanel.tsx').then((m) => ({ default: m.RunsPanel })));
const panel = (children: ReactNode) => <Suspense fallback={<Skeleton active />}>{children}</Suspense>;

type Workflow = NonNullable<import('gql.tada').ResultOf<typeof DesignerQuery>['workflow']>;
type ProblemRow = FragmentOf<typeof ProblemFields>;

const CLIPBOARD_KEY = 'docket.workflow-clipboard';

const isEditableTarget = (target: EventTarget | null): boolean => {
  const el = target as HTMLElement | null;
  if (!el) return false;
  if (el.isContentEditable) return true;
  const tag = el.tagName;
  if (tag === 'INPUT')
    return !['radio', 'checkbox', 'button', 'submit'].includes((el as HTMLInputElement).type);
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  return Boolean(
    el.closest?.('.ant-select, .ant-picker, .ant-modal, [role="dialog"], .wf-inspector, .wf-side'),
  );
};

export function WorkflowDesigner({
  workflow,
  nodeTypes,
  typeList,
  initialProblems,
}: {
  workflow: Workflow;
  nodeTypes: NodeTypeRegistry;
  typeList: (AnyNodeTypeDefinition & { source?: string })[];
  initialProblems: readonly ProblemRow[];
}) {
  const { t } = useTranslation('workflows');
  const { t: ts } = useTranslation('shell');
  const displayName = useDisplayName();
  const { message, modal } = AntApp.useApp();
  const flow = useReactFlow();
  const key = workflow.key ?? '';
  const workflowId = String(workflow.id ?? '');
  const serverGraph = useMemo(() => graphOf(workflow.draft?.json), [workflow.draft?.json]);

  const [store] = useState(() => new EditorStore(serverGraph, nodeTypes));
  useEffect(() => store.setNodeTypes(nodeTypes), [store, nodeTypes]);
  const state = useSyncExternalStore(store.subscribe, store.getState);
  const { graph, selection } = state;

  // ------------------------------------------------------------------ problems (from the server)
  const [problems, setProblems] = useState<PlacedProblem[]>(() =>
    placeProblems(initialProblems, serverGraph),
  );
  const byNode = useMemo(() => problemsByNode(problems), [problems]);
  const edgeProblemIds = useMemo(
    () => new Set(problems.flatMap((p) => (p.edgeId ? [p.edgeId] : []))),
    [problems],
  );

  // ------------------------------------------------------------------ autosave
  const local = useMemo(() => browserDraftStore(), []);
  const [restorable] = useState<LocalDraft | undefined>(() => {
    const kept = local.read(key);
    return kept && JSON.stringify(kept.graph) !== JSON.stringify(serverGraph) ? kept : undefined;
  });
  const [isRestoreOffered, setRestoreOffered] = useState(restorable !== undefined);
  const [sync] = useState(
    () =>
      new DraftSync<ProblemRow[]>({
        key,
        updatedAt: String(workflow.updatedAt ?? ''),
        local,
        save: async (g, expectedUpdatedAt): Promise<SaveOutcome<ProblemRow[]>> => {
          let r: Awaited<
            ReturnType<
              typeof request<
                import('gql.tada').ResultOf<typeof SaveDraftMutation>,
                import('gql.tada').VariablesOf<typeof SaveDraftMutation>
              >
            >
          >;
          try {
            r = await request(SaveDraftMutation, { id: workflowId, graph: g, expectedUpdatedAt });
          } catch (e) {
            const err = e as { code?: string; message: string };
            return err.code === 'NETWORK'
              ? { kind: 'offline', message: err.message }
              : { kind: 'refused', message: err.message };
          }
          const res = r.updateWorkflowDraft;
          if (res?.__typename === 'Workflow')
            return {
              kind: 'saved',
              updatedAt: String(res.updatedAt),
              problems: (res.draftProblems ?? []) as ProblemRow[],
            };
          if (res?.__typename === 'ValidationError' && res.fields?.some((f) => f.code === 'draft_changed'))
            return {
              kind: 'conflict',
              message: res.fields.find((f) => f.code === 'draft_changed')?.message ?? '',
            };
          const text =
            res && 'fields' in res && res.fields?.length
              ? res.fields.map((f) => f.message).join(' ')
              : ((res && 'message' in res ? res.message : '') ?? '');
          return { kind: 'refused', message: String(text) };
        },
        onSaved: (rows, saved) => setProblems(placeProblems(rows, saved)),
      }),
  );
  const syncState: SyncState = useSyncExternalStore(sync.subscribe, sync.getState);
  const lastRevision = useRef(state.revision);
  useEffect(() => {
    if (state.revision === lastRevision.current) return;
    lastRevision.current = state.revision;
    sync.changed(graph);
  }, [state.revision, graph, sync]);
  useEffect(() => {
    const beforeUnload = (e: BeforeUnloadEvent) => {
      if (sync.getState().status !== 'saved') e.preventDefault();
    };
    window.addEventListener('beforeunload', beforeUnload);
    return () => {
      window.removeEventListener('beforeunload', beforeUnload);
      void sync.saveNow();
      sync.stop();
    };
  }, [sync]);

  // ------------------------------------------------------------------ commands
  const describeRefusal = useCallback(
    (check: Extract<ConnectionCheck, { isAllowed: false }>) =>
      t(`connect.${check.code}`, { ...check.params, defaultValue: check.message }),
    [t],
  );
  const run = useCallback(
    (command: EditorCommand): boolean => {
      try {
        store.dispatch(command);
        return true;
      } catch (e) {
        if (e instanceof ValidationFailed) {
          const attempt = command.kind === 'connect' ? command.attempt : undefined;
          const check = attempt ? checkConnection(store.getState().graph, attempt, nodeTypes) : undefined;
          void message.warning(
            check && !check.isAllowed ? describeRefusal(check) : (e.errors[0]?.message ?? e.message),
          );
          return false;
        }
        throw e;
      }
    },
    [store, nodeTypes, message, describeRefusal],
  );
  const onSelect = useCallback((s: EditorSelection) => store.select(s), [store]);

  const [overlay, setOverlay] = useState<Overlay | undefined>();
  const isReadOnly = overlay !== undefined;

  const addType = useCallback(
    (type: string, position?: { x: number; y: number }) => {
      let at = position;
      if (!at) {
        const bounds = document.querySelector('.wf-canvas')?.getBoundingClientRect();
        const center = bounds
          ? flow.screenToFlowPosition({
              x: bounds.left + bounds.width / 2,
              y: bounds.top + bounds.height / 2,
            })
          : { x: 0, y: 0 };
        // a little apart from what the last click added
        const n = store.getState().graph.nodes.length;
        at = { x: Math.round(center.x - 120 + (n % 4) * 24), y: Math.round(center.y - 40 + (n % 4) * 24) };
      }
      run({ kind: 'add_node', input: { type, position: at } });
    },
    [flow, run, store],
  );

  const copySelection = useCallback((): string | undefined => {
    const ids = store.getState().selection.nodeIds;
    if (ids.length === 0) return undefined;
    const text = JSON.stringify(copyFragment(store.getState().graph, ids));
    try {
      localStorage.setItem(CLIPBOARD_KEY, text);
    } catch {
      // the system clipboard still has it
    }
    void message.success(t('clipboard.copied', { count: ids.length }));
    return text;
  }, [store, message, t]);

  const pasteText = useCallback(
    (text: string | undefined | null) => {
      const fragment = text ? parseFragment(text) : undefined;
      const kept = fragment ?? parseFragment(localStorage.getItem(CLIPBOARD_KEY) ?? '');
      if (!kept) {
        void message.info(t('clipboard.empty'));
        return;
      }
      run({ kind: 'paste', fragment: kept, offset: { x: 48, y: 48 } });
    },
    [run, message, t],
  );

  const deleteSelection = useCallback(() => {
    const s = store.getState().selection;
    if (s.nodeIds.length + s.edgeIds.length === 0) return;
    run({ kind: 'delete', selection: s });
  }, [store, run]);

  const autoLayout = useCallback(async () => {
    const { default: ELK } = await import('elkjs/lib/elk.bundled.js');
    const elk = new ELK();
    const sizes = new Map(
      flow
        .getNodes()
        .map((n) => [n.id, { width: n.measured?.width ?? 240, height: n.measured?.height ?? 96 }]),
    );
    const g = store.getState().graph;
    const laidOut = await elk.layout(layoutInput(g, { nodeTypes, sizeOf: (id) => sizes.get(id) }) as never);
    run({ kind: 'layout', laidOut: laidOut as never });
    requestAnimationFrame(() => void flow.fitView({ padding: 0.15, duration: 300, maxZoom: 1 }));
  }, [flow, store, nodeTypes, run]);

  const [isHelpOpen, setHelpOpen] = useState(false);
  // The palette and the side panel draw once the canvas has shown its nodes: a large workflow's
  // drawing opens first (the side panel's tabs measure themselves, which would lay out the whole
  // canvas once more before it is shown).
  const [isCanvasDrawn, setCanvasDrawn] = useState(false);
  const onCanvasDrawn = useCallback(() => setCanvasDrawn(true), []);

  // ------------------------------------------------------------------ keyboard and clipboard
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isEditableTarget(e.target)) return;
      const mod = e.ctrlKey || e.metaKey;
      const k = e.key.toLowerCase();
      if (e.key === '?' || (e.shiftKey && e.key === '/')) {
        setHelpOpen(true);
        e.preventDefault();
        return;
      }
      if (e.key === 'Escape') {
        if (overlay) setOverlay(undefined);
        else store.select({ nodeIds: [], edgeIds: [] });
        return;
      }
      if (mod && k === 's') {
        e.preventDefault();
        void sync.saveNow();
        return;
      }
      if (isReadOnly) return;
      if (mod && k === 'z' && !e.shiftKey) {
        e.preventDefault();
        store.undo();
      } else if (mod && ((k === 'z' && e.shiftKey) || k === 'y')) {
        e.preventDefault();
        store.redo();
      } else if (mod && k === 'a') {
        e.preventDefault();
        const g = store.getState().graph;
        store.select({ nodeIds: g.nodes.map((n) => n.id), edgeIds: g.edges.map((x) => x.id) });
      } else if (mod && k === 'd') {
        e.preventDefault();
        const text = copySelection();
        if (text) pasteText(text);
      } else if (!mod && (e.key === 'Delete' || e.key === 'Backspace')) {
        e.preventDefault();
        deleteSelection();
      } else if (!mod && e.shiftKey && k === 'l') {
        e.preventDefault();
        void autoLayout();
      } else if (!mod && e.shiftKey && k === 'f') {
        e.preventDefault();
        void flow.fitView({ padding: 0.15, duration: 300, maxZoom: 1 });
      }
    };
    const onCopy = (e: ClipboardEvent) => {
      if (isEditableTarget(e.target) || isReadOnly) return;
      const text = copySelection();
      if (!text) return;
      e.clipboardData?.setData('text/plain', text);
      e.preventDefault();
    };
    const onPaste = (e: ClipboardEvent) => {
      if (isEditableTarget(e.target) || isReadOnly) return;
      e.preventDefault();
      pasteText(e.clipboardData?.getData('text/plain'));
    };
    window.addEventListener('keydown', onKey);
    document.addEventListener('copy', onCopy);
    document.addEventListener('paste', onPaste);
    return () => {
      window.removeEventListener('keydown', onKey);
      document.removeEventListener('copy', onCopy);
      document.removeEventListener('paste', onPaste);
    };
  }, [store, sync, overlay, isReadOnly, copySelection, pasteText, deleteSelection, autoLayout, flow]);

  // ------------------------------------------------------------------ pickers and condition fields
  const pickersQuery = useQuery(PickersQuery, {});
  // Each installed notification target's name in this language, by key: the notify step's picker
  // and the canvas both say it.
  const targetNames = useMemo(
    () =>
      new Map(
        (pickersQuery.data?.notificationTargets ?? []).map((x) => [
          x.key ?? '',
          displayName(x.title, x.titles),
        ]),
      ),
    [pickersQuery.data, displayName],
  );
  const templatesQuery = useQuery(TemplateFormsQuery, {});
  const pickers: PickerLists = useMemo(() => {
    const d = pickersQuery.data;
    if (!d) return {};
    return {
      user: (d.users ?? [])
        .filter((u) => u.isActive !== false)
        .map((u) => ({ value: u.email ?? '', label: `${u.name} <${u.email}>` })),
      team: (d.teams ?? []).map((team) => {
        const skills = [...new Set((team.members ?? []).flatMap((m) => m.skills ?? []))];
        return {
          value: team.name ?? '',
          label: t('inspector.teamOption', {
            name: team.name ?? '',
            count: team.members?.length ?? 0,
            skills: skills.length ? skills.join(', ') : t('inspector.noSkills'),
          }),
        };
      }),
      role: (d.roles ?? []).map((r) => ({
        value: r.key ?? '',
        label: `${displayName(r.name, r.names)} (${r.key})`,
      })),
      org_unit: (d.orgUnits ?? []).map((o) => ({ value: o.name ?? '', label: `${o.name}` })),
      calendar: (d.businessCalendars ?? []).map((c) => ({
        value: c.key ?? '',
        label: `${c.name} (${c.key})`,
      })),
      status: (d.ticketStatuses ?? []).map((s) => ({
        value: s.name ?? '',
        label: `${s.name} · ${ts(`status.${s.category ?? 'open'}`)}`,
      })),
      // In-app always, then each installed outside target (an email or SMS plugin) by its own name.
      notification_target: [
        { value: 'in_app', label: t('inspector.inApp') },
        ...[...targetNames].map(([key, name]) => ({ value: key, label: `${name} (${key})` })),
      ],
    };
  }, [pickersQuery.data, targetNames, t, ts, displayName]);
  const formSchemas = useMemo(
    () =>
      (templatesQuery.data?.templates ?? [])
        .filter((tp) => tp.draft?.workflowKey === key)
        .map((tp) => tp.draft?.formSchema),
    [templatesQuery.data, key],
  );
  const ruleFields = useMemo(
    () =>
      ruleFieldsOf({
        graph,
        nodeTypes,
        formSchemas,
        labels: {
          ticket: t('condition.ticket'),
          form: t('condition.form'),
          step: (n) => t('condition.step', { step: n }),
        },
      }),
    [graph, nodeTypes, formSchemas, t],
  );
  const humanSteps = useMemo(
    () =>
      graph.nodes
        .filter((n) => nodeTypes.get(n.type)?.category === 'human')
        .map((n) => ({ value: n.id, label: n.label || n.id })),
    [graph, nodeTypes],
  );
  // The canvas's words for stored keys: each installed target by its name in this language.
  const nodeLabels = useMemo<NodeLabels>(() => ({ target: targetNames }), [targetNames]);
  const inspectorContext = useMemo(
    () => ({ pickers, ruleFields, humanSteps }),
    [pickers, ruleFields, humanSteps],
  );

  // ------------------------------------------------------------------ publish
  const [versions, setVersions] = useState<ResultOf<typeof VersionFields>[]>(() =>
    (workflow.versions ?? []).map((v) => readFragment(VersionFields, v)),
  );
  const [isPublishing, setPublishing] = useState(false);
  const publish = useCallback(async () => {
    setPublishing(true);
    try {
      await sync.saveNow();
      if (sync.getState().status !== 'saved') {
        void message.error(t('publish.notSaved'));
        return;
      }
      const r = (await request(PublishMutation, { id: workflowId })).publishWorkflow;
      if (r?.__typename === 'WorkflowVersion') {
        const v = readFragment(VersionFields, r as FragmentOf<typeof VersionFields>);
        setVersions((list) => [v, ...list]);
        void message.success(t('publish.done', { version: v.version ?? 0 }));
      } else if (r?.__typename === 'ValidationError') {
        modal.error({
          title: t('publish.refused'),
          content: (
            <ul className="wf-problem-list" data-testid="publish-problems">
              {(r.fields ?? []).map((f) => (
                <li key={`${f.path}${f.code}`}>{f.message}</li>
              ))}
            </ul>
          ),
        });
      } else if (r && 'message' in r) void message.error(String(r.message));
    } catch (e) {
      void message.error(t('save.offlineShort', { message: (e as Error).message }));
    } finally {
      setPublishing(false);
    }
  }, [sync, workflowId, message, modal, t]);

  // ------------------------------------------------------------------ conflict
  const resolveConflict = useCallback(
    async (keep: 'mine' | 'theirs') => {
      const fresh = (await request(DesignerQuery, { key })).workflow;
      if (!fresh) return;
      if (keep === 'theirs') {
        await sync.resolve({ keep: 'theirs', serverUpdatedAt: String(fresh.updatedAt) });
        const theirs = graphOf(fresh.draft?.json);
        // undoable: the replaced drawing stays one undo away
        run({ kind: 'replace', graph: theirs, reason: 'theirs' });
        lastRevision.current = store.getState().revision;
        setProblems(placeProblems(fresh.draftProblems ?? [], theirs));
        void message.info(t('conflict.tookTheirs'));
      } else {
        await sync.resolve({
          keep: 'mine',
          serverUpdatedAt: String(fresh.updatedAt),
          graph: store.getState().graph,
        });
      }
    },
    [key, sync, run, store, message, t],
  );
  const compareWithTheirs = useCallback(async () => {
    const { DesignerQuery } = await import('./operations.ts');
    const fresh = (await request(DesignerQuery, { key })).workflow;
    if (!fresh) return;
    const o = diffOverlay(graphOf(fresh.draft?.json), store.getState().graph, diffWords(t));
    setOverlay({
      key: 'theirs',
      title: t('conflict.comparing'),
      graph: o.graph,
      ghost: o.ghost,
      decorations: o.decorations,
    });
  }, [key, store, t]);

  // ------------------------------------------------------------------ the page
  const selectedNode =
    selection.nodeIds.length === 1 ? graph.nodes.find((n) => n.id === selection.nodeIds[0]) : undefined;
  const [tab, setTab] = useState('inspector');
  const selectedId = selectedNode?.id;
  useEffect(() => {
    if (selectedId) setTab('inspector');
  }, [selectedId]);
  const titleOf = useCallback(
    (def: AnyNodeTypeDefinition & { source?: string }) =>
      def.source === 'core' || def.source === undefined
        ? {
            title: t(`nodeTypes.${def.type}.title` as 'nodeTypes.start.title', { defaultValue: def.title }),
            description: t(`nodeTypes.${def.type}.description` as 'nodeTypes.start.description', {
              defaultValue: def.description ?? '',
            }),
          }
        : { title: def.title, description: def.description ?? '' },
    [t],
  );
  const checkAttempt = useCallback(
    (attempt: { source: string; sourcePort: string; target: string }) =>
      checkConnection(store.getState().graph, attempt, nodeTypes),
    [store, nodeTypes],
  );

  const statusTag = (() => {
    switch (syncState.status) {
      case 'saved':
        return (
          <Tag color="success" data-testid="save-status">
            {syncState.lastSavedAt
              ? t('save.savedAt', { time: new Date(syncState.lastSavedAt).toLocaleTimeString() })
              : t('save.saved')}
          </Tag>
        );
      case 'unsaved':
        return <Tag data-testid="save-status">{t('save.unsaved')}</Tag>;
      case 'saving':
        return (
          <Tag color="processing" data-testid="save-status">
            {t('save.saving')}
          </Tag>
        );
      case 'offline':
        return (
          <Tag color="warning" data-testid="save-status">
            {t('save.offlineTag')}
          </Tag>
        );
      case 'conflict':
        return (
          <Tag color="error" data-testid="save-status">
            {t('save.conflictTag')}
          </Tag>
        );
      case 'refused':
        return (
          <Tag color="error" data-testid="save-status">
            {t('save.refusedTag')}
          </Tag>
        );
    }
  })();

  const unknownTypes = [...new Set(graph.nodes.filter((n) => !nodeTypes.has(n.type)).map((n) => n.type))];
  const shown = overlay?.graph ?? graph;

  return (
    <div className="wf-designer">
      <div className="wf-toolbar" role="toolbar" aria-label={t('toolbar.label')}>
        <Space wrap size="small">
          <Link to="/admin/workflows">← {t('detail.back')}</Link>
          <h1 className="wf-title">{workflow.name}</h1>
          <Tag>{key}</Tag>
          {versions[0] ? (
            <Tag color="blue">{t('list.version', { version: versions[0].version ?? 0 })}</Tag>
          ) : (
            <Tag>{t('list.notPublished')}</Tag>
          )}
          {statusTag}
        </Space>
        <Space wrap size="small">
          <Tooltip title="Ctrl+Z">
            <Button onClick={() => store.undo()} disabled={!state.canUndo || isReadOnly}>
              {t('toolbar.undo')}
            </Button>
          </Tooltip>
          <Tooltip title="Ctrl+Shift+Z">
            <Button onClick={() => store.redo()} disabled={!state.canRedo || isReadOnly}>
              {t('toolbar.redo')}
            </Button>
          </Tooltip>
          <Button onClick={() => copySelection()} disabled={selection.nodeIds.length === 0}>
            {t('toolbar.copy')}
          </Button>
          <Button onClick={() => pasteText(undefined)} disabled={isReadOnly}>
            {t('toolbar.paste')}
          </Button>
          <Button
            danger
            onClick={deleteSelection}
            disabled={selection.nodeIds.length + selection.edgeIds.length === 0 || isReadOnly}
          >
            {t('toolbar.delete')}
          </Button>
          <Button onClick={() => void autoLayout()} disabled={isReadOnly}>
            {t('toolbar.layout')}
          </Button>
          <Button onClick={() => void flow.fitView({ padding: 0.15, duration: 300, maxZoom: 1 })}>
            {t('toolbar.fit')}
          </Button>
          <Button onClick={() => setHelpOpen(true)} aria-label={t('toolbar.help')}>
            ?
          </Button>
          <Button type="primary" onClick={() => void publish()} loading={isPublishing} disabled={isReadOnly}>
            {t('toolbar.publish')}
          </Button>
        </Space>
      </div>
      {isRestoreOffered && restorable ? (
        <Alert
          type="warning"
          showIcon
          data-testid="restore-banner"
          title={t('restore.title', { time: new Date(restorable.changedAt).toLocaleString() })}
          description={
            restorable.baseUpdatedAt !== String(workflow.updatedAt)
              ? t('restore.serverChanged')
              : t('restore.why')
          }
          action={
            <Space>
              <Button
                size="small"
                type="primary"
                onClick={() => {
                  run({ kind: 'replace', graph: restorable.graph, reason: 'restore' });
                  setRestoreOffered(false);
                }}
              >
                {t('restore.restore')}
              </Button>
              <Button
                size="small"
                onClick={() => {
                  sync.discardLocal();
                  setRestoreOffered(false);
                }}
              >
                {t('restore.discard')}
              </Button>
            </Space>
          }
        />
      ) : null}
      {syncState.status === 'offline' ? (
        <Alert
          type="warning"
          showIcon
          role="alert"
          data-testid="offline-banner"
          title={t('save.offline')}
          description={t('save.offlineWhy', { message: syncState.message ?? '' })}
        />
      ) : null}
      {syncState.status === 'conflict' ? (
        <Alert
          type="error"
          showIcon
          role="alert"
          data-testid="conflict-banner"
          title={t('conflict.title')}
          description={
            <>
              <div>{t('conflict.why')}</div>
              <div className="wf-server-says">{syncState.message}</div>
            </>
          }
          action={
            <Space orientation="vertical">
              <Button size="small" onClick={() => void compareWithTheirs()}>
                {t('conflict.compare')}
              </Button>
              <Button size="small" type="primary" onClick={() => void resolveConflict('mine')}>
                {t('conflict.keepMine')}
              </Button>
              <Button size="small" onClick={() => void resolveConflict('theirs')}>
                {t('conflict.takeTheirs')}
              </Button>
            </Space>
          }
        />
      ) : null}
      {syncState.status === 'refused' ? (
        <Alert type="error" showIcon role="alert" title={t('save.refused')} description={syncState.message} />
      ) : null}
      {unknownTypes.length > 0 ? (
        <Alert
          type="warning"
          showIcon
          data-testid="unknown-types"
          title={t('unknownTypes', { types: unknownTypes.join(', '), count: unknownTypes.length })}
        />
      ) : null}
      {overlay ? (
        <Alert
          type="info"
          showIcon
          data-testid="overlay-banner"
          title={overlay.title}
          action={
            <Button size="small" onClick={() => setOverlay(undefined)}>
              {t('overlay.back')}
            </Button>
          }
        />
      ) : null}
      <div className="wf-body">
        {isCanvasDrawn ? (
          <Palette
            types={typeList}
            onAdd={(type) => addType(type)}
            isDisabled={isReadOnly}
            titleOf={titleOf}
          />
        ) : (
          <div className="wf-palette" />
        )}
        <div className="wf-canvas" data-testid="canvas">
          <NodeLabelsContext.Provider value={nodeLabels}>
            <Canvas
              graph={shown}
              ghost={overlay?.ghost}
              nodeTypes={nodeTypes}
              selection={selection}
              problems={overlay ? EMPTY_PROBLEMS : byNode}
              edgeProblemIds={overlay ? EMPTY_SET : edgeProblemIds}
              decorations={overlay?.decorations ?? NO_DECORATIONS}
              isReadOnly={isReadOnly}
              onCommand={run}
              onSelect={onSelect}
              onAddType={addType}
              checkConnection={checkAttempt}
              describeRefusal={describeRefusal}
              onRefused={(m) => void message.warning(m)}
              connectOkText={t('connect.ok')}
              onDrawn={onCanvasDrawn}
            />
          </NodeLabelsContext.Provider>
        </div>
        <aside className="wf-side" aria-label={t('side.label')}>
          {isCanvasDrawn ? (
            <Tabs
              activeKey={tab}
              onChange={setTab}
              size="small"
              items={[
                {
                  key: 'inspector',
                  label: t('side.inspector'),
                  children: selectedNode ? (
                    <Inspector
                      node={selectedNode}
                      def={nodeTypes.get(selectedNode.type)}
                      problems={byNode.get(selectedNode.id) ?? EMPTY_PLACED}
                      context={inspectorContext}
                      isReadOnly={isReadOnly}
                      onConfig={(config) => run({ kind: 'update_config', nodeId: selectedNode.id, config })}
                      onLabel={(label) => run({ kind: 'set_label', nodeId: selectedNode.id, label })}
                    />
                  ) : (
                    <Empty
                      description={
                        selection.nodeIds.length > 1
                          ? t('side.many', { count: selection.nodeIds.length })
                          : t('side.none')
                      }
                    />
                  ),
                },
                {
                  key: 'problems',
                  label: t('side.problems', { count: problems.length }),
                  children: (
                    <ProblemsPanel
                      problems={problems}
                      graph={graph}
                      onShow={(nodeId) => {
                        store.select({ nodeIds: [nodeId], edgeIds: [] });
                        const n = graph.nodes.find((x) => x.id === nodeId);
                        if (n)
                          void flow.setCenter(n.position.x + 120, n.position.y + 50, {
                            zoom: 1,
                            duration: 300,
                          });
                      }}
                    />
                  ),
                },
                {
                  key: 'versions',
                  label: t('side.versions'),
                  children: panel(
                    <VersionsPanel
                      workflowKey={key}
                      versions={versions}
                      draft={graph}
                      nodeTypes={nodeTypes}
                      onOverlay={setOverlay}
                      onRevert={(g, version) => {
                        run({ kind: 'replace', graph: g, reason: 'revert' });
                        void message.success(t('versions.reverted', { version }));
                      }}
                    />,
                  ),
                },
                {
                  key: 'simulate',
                  label: t('side.simulate'),
                  children: panel(
                    <SimulationPanel
                      graph={graph}
                      nodeTypes={nodeTypes}
                      formSchemas={formSchemas}
                      onOverlay={setOverlay}
                    />,
                  ),
                },
                {
                  key: 'runs',
                  label: t('side.runs'),
                  children: panel(<RunsPanel workflowKey={key} draft={graph} onOverlay={setOverlay} />),
                },
              ]}
            />
          ) : null}
        </aside>
      </div>
      <ShortcutsHelp isOpen={isHelpOpen} onClose={() => setHelpOpen(false)} />
    </div>
  );
}

const EMPTY_PROBLEMS: ReadonlyMap<string, PlacedProblem[]> = new Map();
const EMPTY_SET: ReadonlySet<string> = new Set();
const EMPTY_PLACED: PlacedProblem[] = [];
