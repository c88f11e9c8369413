import { accountArea } from '../features/account/area.ts';
import { adminArea } from '../features/admin/area.ts';
import { deskArea } from '../features/desk/area.ts';
import { portalArea } from '../features/portal/area.ts';
import { reportsArea } from '../features/reports/area.ts';
import { wallArea } from '../features/wall/area.ts';
import type { Access } from '../session/access.ts';
import type { AreaDefinition } from './define-area.ts';

/**
 * The app's areas in navigation order; a person's start page is the first they may enter.
 * A new area adds its features/<area>/area.ts here (one line).
 */
export const areas: readonly AreaDefinition[] = [
  deskArea,
  adminArea,
  reportsArea,
  wallArea,
  portalArea,
  accountArea,
];

export const areasFor = (access: Access): AreaDefinition[] => areas.filter((a) => a.canEnter(access));

/** Where a person starts after signing in: their first area, or null when they may enter none. */
export const startPathFor = (access: Access): string | null => areasFor(access)[0]?.path ?? null;

/** Addresses under an area's path that anyone opens without signing in (they are not the area). */
const PUBLIC_PATHS = [/^\/portal\/(forms|follow)(\/|$)/, /^\/invite\//];

/**
 * Opened on an area's address: its code and strings start loading at once, beside the session's
 * read, instead of after it and the shell. A wall opened with a token, and the public portal
 * pages, are not their area.
 */
export function preloadAreaAt(location: { pathname: string; search: string }): void {
  const { pathname, search } = location;
  if (PUBLIC_PATHS.some((p) => p.test(pathname))) return;
  if (pathname === '/wall' && new URLSearchParams(search).has('token')) return;
  areas.find((a) => pathname === a.path || pathname.startsWith(`${a.path}/`))?.preload(pathname);
}
