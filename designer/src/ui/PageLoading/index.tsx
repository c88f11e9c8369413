import { Flex, Spin } from 'antd';
import { useTranslation } from 'react-i18next';

export function PageLoading() {
  const { t } = useTranslation('shell');
  return (
    <Flex justify="center" align="center" style={{ padding: 48 }}>
      <Spin aria-label={t('loading')} description={t('loading')} />
    </Flex>
  );
}
