import { loadDesk } from './features/desk/load-desk.ts';
import { startFirstPage } from './features/desk/TicketList/first-page.ts';
import { startSessionRead } from './session/early-read.ts';

/*
 * The page's first chunk is small and React-free: it sends the reads the first screen waits for
 * (who is signed in, and a desk list's first page) as soon as the page starts, then loads the app
 * (React, antd, the shell). The server answers while the browser fetches and runs the app's code,
 * instead of after it.
 */
startSessionRead();
startFirstPage(window.location);
void import('./boot.tsx');
// Opened on the desk: its code comes beside the app's, not after it (the app asks for the same module).
if (/^\/desk(\/|$)/.test(window.location.pathname)) loadDesk().catch(() => {});
