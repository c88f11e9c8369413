import { Card, Descriptions, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

const isLink = (v: unknown): v is string => typeof v === 'string' && /^https?:\/\/\S+$/i.test(v);

function shownValue(v: unknown, words: { yes: string; no: string }) {
  if (typeof v === 'boolean') return v ? words.yes : words.no;
  if (isLink(v))
    return (
      <a href={v} target="_blank" rel="noopener noreferrer" style={{ overflowWrap: 'anywhere' }}>
        {v}
      </a>
    );
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v === 'string' || typeof v === 'number')
    return <span style={{ overflowWrap: 'anywhere' }}>{String(v)}</span>;
  return (
    <Typography.Text code style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
      {JSON.stringify(v, null, 2)}
    </Typography.Text>
  );
}

/**
 * The fields a channel or a workflow step put on the ticket beyond its form (a call's recording
 * link, a partner's reference), by their own names; links open in a new tab, yes/no in words of
 * the page's language. Hidden when none.
 */
export function CustomFields({ fields }: { fields: unknown }) {
  const { t } = useTranslation('desk');
  if (!fields || typeof fields !== 'object' || Array.isArray(fields)) return null;
  const entries = Object.entries(fields as Record<string, unknown>);
  if (entries.length === 0) return null;
  return (
    <Card size="small" title={t('ticket.customFields')} data-testid="custom-fields">
      <Descriptions
        column={1}
        size="small"
        items={entries.map(([key, value]) => ({
          key,
          label: key,
          children: shownValue(value, { yes: t('ticket.yes'), no: t('ticket.no') }),
        }))}
      />
    </Card>
  );
}
