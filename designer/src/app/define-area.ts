import type { TFunction } from 'i18next';
import { type ComponentType, type LazyExoticComponent, lazy } from 'react';
import { withMessages } from '../i18n/i18n.ts';
import type { Namespace } from '../i18n/resources.ts';
import type { Access } from '../session/access.ts';
import type { Permission } from '../session/me.ts';

/**
 * A top-level area of the app (/admin, /desk, /portal, /wall, /reports): where it lives, who may
 * enter it, its name in the navigation (a shell string: the header shows it before the area's
 * code is loaded), and its code and strings, loaded only when someone opens it. An area owns every
 * address under its path (its component holds its own <Routes>).
 */
export type AreaDefinition = {
  key: string;
  /** "/desk": the area answers this path and everything below it. */
  path: `/${string}`;
  label: (t: TFunction<'shell'>) => string;
  canEnter: (access: Access) => boolean;
  Component: LazyExoticComponent<ComponentType>;
  /**
   * Starts fetching its code and strings now (the app opened on its address): they come while the
   * session is read, and Component then renders without waiting for them.
   */
  preload: (pathname: string) => void;
};

/** A loader that loads once: the lazy component and a preload share one fetch. */
function once<M>(load: () => Promise<M>): () => Promise<M> {
  let loading: Promise<M> | undefined;
  return () => {
    loading ??= load();
    // A failed fetch (the network) is tried again by the next caller, not kept.
    loading.catch(() => {
      loading = undefined;
    });
    return loading;
  };
}

export function defineArea(input: {
  key: string;
  path: `/${string}`;
  label: (t: TFunction<'shell'>) => string;
  canEnter: (access: Access) => boolean;
  /** The namespaces its pages show, fetched together with its code. */
  messages: readonly Namespace[];
  load: () => Promise<{ default: ComponentType }>;
  /** What else to fetch early for an address in the area (the admin section it names). */
  preloadBelow?: (pathname: string) => void;
}): AreaDefinition {
  const { load, messages, preloadBelow, ...rest } = input;
  const loadAll = once(withMessages(messages, load));
  return {
    ...rest,
    Component: lazy(loadAll),
    preload: (pathname) => {
      loadAll().catch(() => {}); // the area's own render shows a failure
      preloadBelow?.(pathname);
    },
  };
}

/**
 * A section of the admin area (/admin/<path>): its menu entry (an admin string), the permission it
 * needs, and its code and strings. A feature adds one (features/<feature>/admin-section.ts) and
 * lists it in features/admin/sections.ts.
 */
export type AdminSectionDefinition = {
  key: string;
  /** "workflows": the section answers /admin/workflows and everything below it. */
  path: string;
  label: (t: TFunction<'admin'>) => string;
  permission: Permission;
  Component: LazyExoticComponent<ComponentType>;
  /** Starts fetching its code and strings now (the app opened on its address). */
  preload: () => void;
};

export function defineAdminSection(input: {
  key: string;
  path: string;
  label: (t: TFunction<'admin'>) => string;
  permission: Permission;
  /** The namespaces its pages show, fetched together with its code. */
  messages: readonly Namespace[];
  load: () => Promise<{ default: ComponentType }>;
}): AdminSectionDefinition {
  const { load, messages, ...rest } = input;
  const loadAll = once(withMessages(messages, load));
  return {
    ...rest,
    Component: lazy(loadAll),
    preload: () => {
      loadAll().catch(() => {});
    },
  };
}
