import type { TFunction } from 'i18next';
import type { Namespace } from '../i18n/resources.ts';

/** A t() that reads any feature's strings by "namespace:key". */
export type AnyT = TFunction<Namespace[]>;

import { type ComponentType, type LazyExoticComponent, lazy } from 'react';
import type { Access } from '../session/access.ts';
import type { Permission } from '../session/me.ts';

/**
 * A top-level area of the app (/admin, /desk, /portal, /wall, /reports): where it lives, who may
 * enter it, its name in the navigation, and its code, loaded only when someone opens it. An area
 * owns every address under its path (its component holds its own <Routes>).
 */
export type AreaDefinition = {
  key: string;
  /** "/desk": the area answers this path and everything below it. */
  path: `/${string}`;
  label: (t: AnyT) => string;
  canEnter: (access: Access) => boolean;
  Component: LazyExoticComponent<ComponentType>;
};

export function defineArea(input: {
  key: string;
  path: `/${string}`;
  label: (t: AnyT) => string;
  canEnter: (access: Access) => boolean;
  load: () => Promise<{ default: ComponentType }>;
}): AreaDefinition {
  const { load, ...rest } = input;
  return { ...rest, Component: lazy(load) };
}

/**
 * A section of the admin area (/admin/<path>): its menu entry, the permission it needs and its
 * code. A feature adds one (features/<feature>/admin-section.ts) and lists it in
 * features/admin/sections.ts.
 */
export type AdminSectionDefinition = {
  key: string;
  /** "workflows": the section answers /admin/workflows and everything below it. */
  path: string;
  label: (t: AnyT) => string;
  permission: Permission;
  Component: LazyExoticComponent<ComponentType>;
};

export function defineAdminSection(input: {
  key: string;
  path: string;
  label: (t: AnyT) => string;
  permission: Permission;
  load: () => Promise<{ default: ComponentType }>;
}): AdminSectionDefinition {
  const { load, ...rest } = input;
  return { ...rest, Component: lazy(load) };
}
