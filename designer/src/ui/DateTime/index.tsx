import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';

/** An instant from the API (ISO 8601) as the app shows it, in the browser's time zone. */
export const formatDateTime = (value: string): string => dayjs(value).format('YYYY-MM-DD HH:mm');

/** An instant from the API (ISO 8601) in the browser's time zone; the empty mark when absent. */
export function DateTime({ value }: { value: string | null | undefined }) {
  const { t } = useTranslation('shell');
  if (!value) return <>{t('empty')}</>;
  return <time dateTime={value}>{formatDateTime(value)}</time>;
}
