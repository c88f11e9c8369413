/**
 * The desk's code, by its one name: the desk area loads it, and the page's first chunk (main.tsx,
 * which must stay React-free, so it cannot import the area) starts the same fetch when the page
 * opens on the desk.
 */
export const loadDesk = () => import('./DeskArea/index.tsx');
