import { Button, Result, Space } from 'antd';
import dayjs from 'dayjs';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { PageLoading } from '../../../ui/PageLoading/index.tsx';
import { useWall } from '../useWall.ts';
import { WallBoard, type WallTheme } from '../WallBoard/index.tsx';

/**
 * The wall with its live connection, its theme (?theme=dark or light, so a TV needs no click)
 * and a full-screen button. With a token, the token's org subtree; without, the viewer's scope.
 */
export function WallScreen({ token, defaultTheme }: { token: string | null; defaultTheme: WallTheme }) {
  const { t } = useTranslation('wall');
  const [params, setParams] = useSearchParams();
  const asked = params.get('theme');
  const theme: WallTheme = asked === 'dark' || asked === 'light' ? asked : defaultTheme;
  const { figures, isLive, error } = useWall(token);
  // Countdowns ("due in 12 min") move on between updates.
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(timer);
  }, []);
  useEffect(() => {
    if (figures) setNow(Date.now());
  }, [figures]);

  if (!figures) {
    if (error) return <Result status="warning" title={t('refused')} subTitle={error.message} />;
    return <PageLoading />;
  }
  const setTheme = (next: WallTheme) =>
    setParams(
      (p) => {
        p.set('theme', next);
        return p;
      },
      { replace: true },
    );
  const status = (
    <Space size="middle" wrap>
      <span
        data-testid="wall-connection"
        data-live={isLive ? 'yes' : 'no'}
        style={{ color: isLive ? undefined : '#ff7875' }}
      >
        {isLive
          ? `● ${t('live')} · ${t('updatedAt', { time: dayjs(now).format('HH:mm:ss') })}`
          : t('reconnecting')}
        {error && !isLive ? ` ${error.message}` : ''}
      </span>
      <Button size="small" onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}>
        {theme === 'dark' ? t('light') : t('dark')}
      </Button>
      <Button
        size="small"
        onClick={() => void document.documentElement.requestFullscreen?.().catch(() => undefined)}
      >
        {t('fullScreen')}
      </Button>
    </Space>
  );
  return <WallBoard figures={figures} theme={theme} status={status} now={now} />;
}
