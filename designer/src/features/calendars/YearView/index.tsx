import type { CalendarDefinition } from '@docket/core';
import { Button, Card, Space, theme } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Text } from '../../../ui/Text/index.tsx';
import { type DayKind, dayKindOf, monthDates, toggleDay, weekdayOf } from '../calendar-edits.ts';

const MONTHS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const WEEKDAYS = [0, 1, 2, 3, 4, 5, 6];

/** Twelve months of a year, each day coloured by what it is; a click toggles holiday / make-up day. */
export function YearView({
  definition,
  onChange,
}: {
  definition: CalendarDefinition;
  onChange: (d: CalendarDefinition) => void;
}) {
  const { t } = useTranslation('calendars');
  const { token } = theme.useToken();
  const [year, setYear] = useState(() => new Date().getFullYear());
  const colours: Record<DayKind, { background: string; color: string }> = {
    working: { background: token.colorBgContainer, color: token.colorText },
    off: { background: token.colorFillSecondary, color: token.colorTextTertiary },
    holiday: { background: token.colorErrorBg, color: token.colorError },
    makeUp: { background: token.colorSuccessBg, color: token.colorSuccess },
  };
  const legend = (['working', 'off', 'holiday', 'makeUp'] as const).map((k) => (
    <Space key={k} size={4}>
      <span
        style={{
          display: 'inline-block',
          width: 12,
          height: 12,
          border: `1px solid ${token.colorBorder}`,
          ...colours[k],
        }}
      />
      <Text>{t(`year.legend.${k}`)}</Text>
    </Space>
  ));

  return (
    <Card
      size="small"
      title={t('year.title', { year })}
      extra={
        <Space>
          <Button size="small" aria-label={t('year.previous')} onClick={() => setYear((y) => y - 1)}>
            ‹
          </Button>
          <Button size="small" aria-label={t('year.next')} onClick={() => setYear((y) => y + 1)}>
            ›
          </Button>
        </Space>
      }
    >
      <Text as="p">{t('year.help')}</Text>
      <Space wrap style={{ marginBottom: 8 }}>
        {legend}
      </Space>
      <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(200px, 1fr))', gap: 12 }}>
        {MONTHS.map((month) => {
          const dates = monthDates(year, month);
          const lead = weekdayOf(dates[0]!);
          return (
            <div key={month}>
              <div style={{ fontWeight: 600, marginBottom: 4 }}>
                {t(`year.months.${month}` as 'year.months.0')}
              </div>
              <div style={{ display: 'grid', gridTemplateColumns: 'repeat(7, 1fr)', gap: 2, fontSize: 12 }}>
                {WEEKDAYS.map((w) => (
                  <div key={`h${w}`} style={{ textAlign: 'center', color: token.colorTextTertiary }}>
                    {t(`year.weekdays.${w}` as 'year.weekdays.0')}
                  </div>
                ))}
                {lead > 0 ? <div style={{ gridColumn: `span ${lead}` }} /> : null}
                {dates.map((date) => {
                  const kind = dayKindOf(definition, date);
                  return (
                    <button
                      key={date}
                      type="button"
                      data-date={date}
                      data-kind={kind}
                      aria-label={t('year.dayLabel', { date, kind: t(`year.legend.${kind}`) })}
                      onClick={() => onChange(toggleDay(definition, date))}
                      style={{
                        ...colours[kind],
                        border: `1px solid ${token.colorBorderSecondary}`,
                        borderRadius: 3,
                        padding: '2px 0',
                        cursor: 'pointer',
                        font: 'inherit',
                      }}
                    >
                      {Number(date.slice(8))}
                    </button>
                  );
                })}
              </div>
            </div>
          );
        })}
      </div>
    </Card>
  );
}
