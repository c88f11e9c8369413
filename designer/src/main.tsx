import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.tsx';
import { preloadAreaAt } from './app/areas.ts';
import { startFirstPage } from './features/desk/TicketList/first-page.ts';
import { startSessionRead } from './session/session.tsx';

// Who is signed in, asked before the first render rather than after it.
startSessionRead();
// Opened on a desk list: its first page is read beside the app's start, not after it.
startFirstPage(window.location);
// Its area's code and strings, beside the session's read.
preloadAreaAt(window.location);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
