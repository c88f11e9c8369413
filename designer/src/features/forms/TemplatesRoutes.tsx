import { lazy, Suspense } from 'react';
import { Route, Routes } from 'react-router';
import { NotFound } from '../../app/refusal-pages.tsx';
import { PageLoading } from '../../ui/PageLoading/index.tsx';
import { TemplatesListPage } from './TemplatesListPage/index.tsx';

// The form builder loads only when a template is opened.
const FormBuilderPage = lazy(() => import('./FormBuilder/index.tsx'));

/** Every address under /admin/templates. */
export default function TemplatesRoutes() {
  return (
    <Routes>
      <Route index element={<TemplatesListPage />} />
      <Route
        path=":key"
        element={
          <Suspense fallback={<PageLoading />}>
            <FormBuilderPage />
          </Suspense>
        }
      />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}
