import { lazy, Suspense } from 'react';
import { Route, Routes } from 'react-router';
import { NotFound } from '../../app/refusal-pages.tsx';
import { PageLoading } from '../../ui/PageLoading/index.tsx';
import { WorkflowsListPage } from './WorkflowsListPage/index.tsx';

// The designer is the heavy part: its code loads only when a workflow is opened.
const WorkflowDetailPage = lazy(() => import('./WorkflowDetailPage/index.tsx'));

/** Every address under /admin/workflows. */
export default function WorkflowsRoutes() {
  return (
    <Routes>
      <Route index element={<WorkflowsListPage />} />
      <Route
        path=":key"
        element={
          <Suspense fallback={<PageLoading />}>
            <WorkflowDetailPage />
          </Suspense>
        }
      />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}
