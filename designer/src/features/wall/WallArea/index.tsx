import { Route, Routes } from 'react-router';
import { NotFound } from '../../../app/refusal-pages.tsx';
import { WallScreen } from '../WallScreen/index.tsx';

/** /wall for a signed-in staff member: the live wall of their own scope (a TV uses a wall token instead). */
export default function WallArea() {
  return (
    <Routes>
      <Route index element={<WallScreen token={null} defaultTheme="light" />} />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}
