import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { WallScreen } from '../WallScreen/index.tsx';

/**
 * /wall?token=…: the wall on a TV, without signing in. The token (made by an admin under Admin >
 * Wall tokens) decides which org subtree it shows; dark unless ?theme=light.
 */
export default function TokenWall() {
  const { t } = useTranslation('wall');
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  useEffect(() => {
    document.title = t('title');
  }, [t]);
  return (
    <div style={{ position: 'fixed', inset: 0, overflow: 'auto', background: '#0b1220' }}>
      <WallScreen token={token} defaultTheme="dark" />
    </div>
  );
}
