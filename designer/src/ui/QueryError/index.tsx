import { Alert, Button } from 'antd';
import { useTranslation } from 'react-i18next';
import type { GraphQLRequestError } from '../../graphql/client.ts';

/** Why something could not be loaded, in words a person can act on, with a way to try again. */
export function QueryError({ error, onRetry }: { error: GraphQLRequestError; onRetry?: () => void }) {
  const { t } = useTranslation('shell');
  const permission = error.errors[0]?.extensions?.permission;
  const description =
    error.code === 'NETWORK'
      ? t('error.network')
      : error.isForbidden && typeof permission === 'string'
        ? t('error.forbidden', { permission })
        : t('error.other', { message: error.message });
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      title={t('error.title')}
      description={description}
      action={
        onRetry ? (
          <Button size="small" onClick={onRetry}>
            {t('error.retry')}
          </Button>
        ) : undefined
      }
    />
  );
}
