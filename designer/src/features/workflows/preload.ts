import { prefetchQuery } from '../../graphql/use-query.ts';
import { DesignerQuery } from './designer/operations.ts';

/**
 * Opening /admin/workflows/<key> straight away (a shared link, a reload): the designer's code and
 * the workflow's draft are fetched together, as the admin area loads, rather than one after the
 * other once each page's code has arrived.
 */
export function preloadWorkflowPage(pathname: string): void {
  const match = /^\/admin\/workflows\/([^/]+)\/?$/.exec(pathname);
  if (!match?.[1]) return;
  void import('./WorkflowDetailPage/index.tsx');
  prefetchQuery(DesignerQuery, { key: decodeURIComponent(match[1]) });
}
