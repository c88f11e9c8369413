import { useCallback, useEffect, useRef, useState } from 'react';
import { GraphQLRequestError, request } from '../../../graphql/client.ts';
import { type FormModel, fromSchemas, toSchemas } from './form-model.ts';
import { SaveDraftMutation } from './operations.ts';

export type Priority = 'urgent' | 'high' | 'normal' | 'low';

export type TemplateSettings = {
  name: string;
  description: string;
  categoryPath: string[];
  defaultPriority: Priority;
  numberPattern: string;
  workflowKey: string | null;
};

export type DraftContent = {
  name?: string | null;
  description?: string | null;
  categoryPath?: readonly string[] | null;
  defaultPriority?: string | null;
  numberPattern?: string | null;
  workflowKey?: string | null;
  formSchema?: unknown;
  uiSchema?: unknown;
};

export type SaveState =
  | { kind: 'saved' }
  | { kind: 'dirty' }
  | { kind: 'saving' }
  | { kind: 'offline' }
  | { kind: 'conflict' }
  | { kind: 'invalid'; message: string; fields: { path: string; message: string }[] };

const PRIORITIES: Priority[] = ['urgent', 'high', 'normal', 'low'];

export function settingsOf(c: DraftContent | null | undefined): TemplateSettings {
  return {
    name: c?.name ?? '',
    description: c?.description ?? '',
    categoryPath: [...(c?.categoryPath ?? [])],
    defaultPriority: PRIORITIES.includes(c?.defaultPriority as Priority)
      ? (c?.defaultPriority as Priority)
      : 'normal',
    numberPattern: c?.numberPattern ?? '',
    workflowKey: c?.workflowKey ?? null,
  };
}

/** The content the server stores, from the builder's settings and model. */
export function contentOf(settings: TemplateSettings, model: FormModel) {
  const { schema, uiSchema } = toSchemas(model);
  return {
    name: settings.name,
    ...(settings.description ? { description: settings.description } : {}),
    categoryPath: settings.categoryPath,
    defaultPriority: settings.defaultPriority,
    numberPattern: settings.numberPattern,
    workflowKey: settings.workflowKey,
    formSchema: schema,
    uiSchema,
  };
}

const AUTOSAVE_MS = 800;
const RETRY_MS = 5000;

/**
 * One template's draft while the builder edits it: settings and form model, saved by itself a
 * moment after each change (with the updatedAt last read, so another admin's save is never
 * overwritten unnoticed: that is a conflict the person resolves). When the server cannot be
 * reached the changes stay and saving is tried again.
 */
export function useTemplateDraft(input: {
  id: string;
  draft: DraftContent | null | undefined;
  updatedAt: string | null | undefined;
}) {
  const [settings, setSettingsState] = useState(() => settingsOf(input.draft));
  const [model, setModelState] = useState<FormModel>(() =>
    fromSchemas(input.draft?.formSchema, input.draft?.uiSchema),
  );
  const [state, setState] = useState<SaveState>({ kind: 'saved' });
  const updatedAt = useRef(input.updatedAt ?? null);
  const revision = useRef(0);
  const savedRevision = useRef(0);
  const latest = useRef({ settings, model });
  latest.current = { settings, model };
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const save = useCallback(
    async ({ force = false }: { force?: boolean } = {}): Promise<boolean> => {
      clearTimeout(timer.current);
      const rev = revision.current;
      setState({ kind: 'saving' });
      try {
        const r = (
          await request(SaveDraftMutation, {
            id: input.id,
            content: contentOf(latest.current.settings, latest.current.model) as never,
            expectedUpdatedAt: force ? null : updatedAt.current,
          })
        ).updateTemplateDraft;
        if (r?.__typename === 'TicketTemplate') {
          updatedAt.current = r.updatedAt ?? null;
          savedRevision.current = rev;
          setState(revision.current === rev ? { kind: 'saved' } : { kind: 'dirty' });
          return true;
        }
        if (r?.__typename === 'ValidationError') {
          const fields = (r.fields ?? []).map((f) => ({ path: f.path ?? '', message: f.message ?? '' }));
          if (fields.some((f) => f.path === '/expectedUpdatedAt')) setState({ kind: 'conflict' });
          else setState({ kind: 'invalid', message: r.message ?? '', fields });
          return false;
        }
        setState({ kind: 'invalid', message: r && 'message' in r ? String(r.message) : '', fields: [] });
        return false;
      } catch (e) {
        if (e instanceof GraphQLRequestError && e.code === 'NETWORK') {
          setState({ kind: 'offline' });
          timer.current = setTimeout(() => void save(), RETRY_MS);
          return false;
        }
        setState({ kind: 'invalid', message: (e as Error).message, fields: [] });
        return false;
      }
    },
    [input.id],
  );

  const touch = useCallback(() => {
    revision.current += 1;
    setState((s) => (s.kind === 'conflict' ? s : { kind: 'dirty' }));
    clearTimeout(timer.current);
    timer.current = setTimeout(() => void save(), AUTOSAVE_MS);
  }, [save]);

  const setSettings = useCallback(
    (patch: Partial<TemplateSettings>) => {
      setSettingsState((s) => ({ ...s, ...patch }));
      touch();
    },
    [touch],
  );
  const setModel = useCallback(
    (next: FormModel | ((m: FormModel) => FormModel)) => {
      setModelState(next);
      touch();
    },
    [touch],
  );

  /** Replaces what is edited with what the server has (after a conflict, or a revert). */
  const reset = useCallback((draft: DraftContent | null | undefined, at: string | null | undefined) => {
    clearTimeout(timer.current);
    updatedAt.current = at ?? null;
    revision.current += 1;
    savedRevision.current = revision.current;
    setSettingsState(settingsOf(draft));
    setModelState(fromSchemas(draft?.formSchema, draft?.uiSchema));
    setState({ kind: 'saved' });
  }, []);

  /** Saves now if anything is unsaved; true when the server has the draft as edited. */
  const flush = useCallback(async () => {
    if (savedRevision.current === revision.current && state.kind === 'saved') return true;
    return save();
  }, [save, state.kind]);

  useEffect(() => () => clearTimeout(timer.current), []);

  return { settings, setSettings, model, setModel, state, save, flush, reset };
}
