import type { CalendarDefinition, WorkInterval } from '@docket/core';
import { App, Badge, Button, Card, Checkbox, Col, Form, Input, List, Row, Select, Space, Upload } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Route, Routes, useNavigate, useParams } from 'react-router';
import { graphql, type ResultOf } from '../../../graphql/graphql.ts';
import { type QueryState, useQuery } from '../../../graphql/use-query.ts';
import { Text } from '../../../ui/Text/index.tsx';
import { ListAndEditPage, useAdminMutation } from '../../admin/shared/ListAndEdit.tsx';
import { RefusalFragment } from '../../admin/shared/refusal.ts';
import { nameDay } from '../calendar-edits.ts';
import { DuePreview } from '../DuePreview/index.tsx';
import { YearView } from '../YearView/index.tsx';

const CalendarsQuery = graphql(`
  query AdminCalendars {
    businessCalendars { id key name definition }
    slaPolicies { id name calendarKey targets }
  }
`);

const CreateCalendar = graphql(
  `mutation CreateCalendar($key: String!, $name: String!, $definition: JSON!) {
    createBusinessCalendar(key: $key, name: $name, definition: $definition) { __typename ... on BusinessCalendar { key } ...Refusal }
  }`,
  [RefusalFragment],
);

const UpdateCalendar = graphql(
  `mutation UpdateCalendar($id: ID!, $name: String, $definition: JSON) {
    updateBusinessCalendar(id: $id, name: $name, definition: $definition) { __typename ... on BusinessCalendar { id } ...Refusal }
  }`,
  [RefusalFragment],
);

const ImportHolidays = graphql(
  `mutation ImportHolidays($id: ID!, $ics: String!, $workingDaySummary: String, $replace: Boolean) {
    importCalendarHolidays(id: $id, ics: $ics, workingDaySummary: $workingDaySummary, replace: $replace) { __typename ... on HolidayImport { holidaysAdded extraWorkingDaysAdded warnings { path message } } ...Refusal }
  }`,
  [RefusalFragment],
);

type Data = ResultOf<typeof CalendarsQuery>;
type Calendar = NonNullable<Data['businessCalendars']>[number];
export type Policies = NonNullable<Data['slaPolicies']>;

const nineToSix: WorkInterval[] = [{ start: '09:00', end: '18:00' }];
const DISPLAY_ORDER = [1, 2, 3, 4, 5, 6, 0];

/** /admin/calendars and /admin/calendars/<key>. */
export default function CalendarsRoutes() {
  const query = useQuery(CalendarsQuery, {});
  return (
    <Routes>
      <Route index element={<CalendarsPage query={query} />} />
      <Route path=":key" element={<CalendarsPage query={query} />} />
    </Routes>
  );
}

function CalendarsPage({ query }: { query: QueryState<Data> }) {
  const { t } = useTranslation(['calendars', 'admin']);
  const run = useAdminMutation();
  const navigate = useNavigate();
  const { key } = useParams();
  const { data, error, refetch } = query;
  const calendar = data?.businessCalendars?.find((c) => c.key === key);
  const zones = useMemo(() => Intl.supportedValuesOf('timeZone'), []);

  const create = async (v: { key: string; name: string; timeZone: string }) => {
    const definition: CalendarDefinition = {
      timeZone: v.timeZone,
      weeklyHours: [[], nineToSix, nineToSix, nineToSix, nineToSix, nineToSix, []],
    };
    if (!(await run(CreateCalendar, { key: v.key, name: v.name, definition }))) return false;
    refetch();
    navigate(`/admin/calendars/${v.key}`);
    return true;
  };

  return (
    <ListAndEditPage<{ key: string; name: string; timeZone: string }>
      title={t('title')}
      createLabel={t('create')}
      error={error}
      onRetry={refetch}
      initialValues={{ timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone }}
      onCreate={create}
      createFields={
        <>
          <Form.Item
            name="key"
            label={t('key')}
            extra={t('keyHelp')}
            rules={[{ required: true, pattern: /^[a-z][a-z0-9-]{1,62}$/, message: t('keyHelp') }]}
          >
            <Input />
          </Form.Item>
          <Form.Item name="name" label={t('name')} rules={[{ required: true, whitespace: true }]}>
            <Input />
          </Form.Item>
          <Form.Item name="timeZone" label={t('timeZone')}>
            <Select showSearch options={zones.map((z) => ({ value: z, label: z }))} />
          </Form.Item>
        </>
      }
    >
      <Row gutter={16}>
        <Col xs={24} lg={5}>
          <Card size="small">
            <List
              loading={!data && !error}
              dataSource={data?.businessCalendars ?? []}
              renderItem={(c) => (
                <List.Item style={{ fontWeight: c.key === key ? 600 : 400 }}>
                  <Link to={`/admin/calendars/${c.key}`}>{c.name}</Link>
                </List.Item>
              )}
            />
          </Card>
        </Col>
        <Col xs={24} lg={19}>
          {calendar ? (
            <CalendarEditor
              key={calendar.id}
              calendar={calendar}
              policies={data?.slaPolicies ?? []}
              zones={zones}
              onSaved={refetch}
            />
          ) : (
            <Text as="p">{t('pick')}</Text>
          )}
        </Col>
      </Row>
    </ListAndEditPage>
  );
}

function CalendarEditor({
  calendar,
  policies,
  zones,
  onSaved,
}: {
  calendar: Calendar;
  policies: Policies;
  zones: string[];
  onSaved: () => void;
}) {
  const { t } = useTranslation(['calendars', 'admin']);
  const { message } = App.useApp();
  const run = useAdminMutation();
  const saved = calendar.definition as CalendarDefinition;
  const [definition, setDefinition] = useState<CalendarDefinition>(saved);
  const [name, setName] = useState(calendar.name ?? '');
  useEffect(() => {
    setDefinition(calendar.definition as CalendarDefinition);
    setName(calendar.name ?? '');
  }, [calendar]);
  const isDirty = JSON.stringify(definition) !== JSON.stringify(saved) || name !== calendar.name;

  const save = async () => {
    if (!(await run(UpdateCalendar, { id: calendar.id ?? '', name, definition }))) return;
    void message.success(t('admin:actions.saved'));
    onSaved();
  };

  const setDay = (weekday: number, intervals: WorkInterval[]) =>
    setDefinition((d) => ({
      ...d,
      weeklyHours: d.weeklyHours.map((w, i) => (i === weekday ? intervals : w)),
    }));

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Card
        size="small"
        title={
          <Space>
            {calendar.name}
            {isDirty ? <Badge status="warning" text={t('unsaved')} /> : null}
          </Space>
        }
        extra={
          <Button type="primary" onClick={save} disabled={!isDirty}>
            {t('admin:actions.save')}
          </Button>
        }
      >
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Form.Item label={t('name')} layout="vertical">
              <Input aria-label={t('name')} value={name} onChange={(e) => setName(e.target.value)} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item label={t('timeZone')} layout="vertical">
              <Select
                aria-label={t('timeZone')}
                showSearch
                value={definition.timeZone}
                onChange={(timeZone: string) => setDefinition((d) => ({ ...d, timeZone }))}
                options={zones.map((z) => ({ value: z, label: z }))}
              />
            </Form.Item>
          </Col>
        </Row>
      </Card>
      <Row gutter={16}>
        <Col xs={24} xl={14}>
          <Card size="small" title={t('week.title')}>
            <Text as="p">{t('week.help')}</Text>
            {DISPLAY_ORDER.map((weekday) => (
              <WeekdayRow
                key={weekday}
                weekday={weekday}
                intervals={definition.weeklyHours[weekday] ?? []}
                onChange={(v) => setDay(weekday, v)}
              />
            ))}
          </Card>
        </Col>
        <Col xs={24} xl={10}>
          <DuePreview definition={definition} calendarKey={calendar.key ?? ''} policies={policies} />
        </Col>
      </Row>
      <YearView definition={definition} onChange={setDefinition} />
      <Row gutter={16}>
        <Col xs={24} md={12}>
          <DayList
            title={t('days.holidays')}
            days={definition.holidays ?? []}
            onName={(date, n) => setDefinition((d) => nameDay(d, 'holidays', date, n))}
          />
        </Col>
        <Col xs={24} md={12}>
          <DayList
            title={t('days.makeUp')}
            days={definition.extraWorkingDays ?? []}
            onName={(date, n) => setDefinition((d) => nameDay(d, 'extraWorkingDays', date, n))}
          />
        </Col>
      </Row>
      <ICalImport calendarId={calendar.id ?? ''} isDirty={isDirty} onImported={onSaved} />
    </Space>
  );
}

function WeekdayRow({
  weekday,
  intervals,
  onChange,
}: {
  weekday: number;
  intervals: WorkInterval[];
  onChange: (v: WorkInterval[]) => void;
}) {
  const { t } = useTranslation(['calendars', 'admin']);
  const dayName = t(`week.days.${weekday}` as 'week.days.0');
  const set = (i: number, part: keyof WorkInterval, value: string) =>
    onChange(intervals.map((x, j) => (j === i ? { ...x, [part]: value } : x)));
  return (
    <Row gutter={8} align="middle" style={{ marginBottom: 8 }} data-testid={`weekday-${weekday}`}>
      <Col flex="110px">
        <strong>{dayName}</strong>
      </Col>
      <Col flex="auto">
        <Space wrap>
          {intervals.length === 0 ? <Text>{t('week.off')}</Text> : null}
          {intervals.map((x, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: intervals have no identity but their place in the day
            <Space.Compact key={i}>
              <Input
                aria-label={`${dayName} ${t('week.start')} ${i + 1}`}
                value={x.start}
                style={{ width: 72 }}
                onChange={(e) => set(i, 'start', e.target.value)}
              />
              <Input
                aria-label={`${dayName} ${t('week.end')} ${i + 1}`}
                value={x.end}
                style={{ width: 72 }}
                onChange={(e) => set(i, 'end', e.target.value)}
              />
              <Button
                aria-label={`${t('admin:actions.remove')} ${dayName} ${i + 1}`}
                onClick={() => onChange(intervals.filter((_, j) => j !== i))}
              >
                ×
              </Button>
            </Space.Compact>
          ))}
          <Button
            size="small"
            onClick={() => {
              const last = intervals.at(-1);
              onChange([
                ...intervals,
                last ? { start: last.end, end: last.end } : { start: '09:00', end: '18:00' },
              ]);
            }}
          >
            {t('week.addInterval')}
          </Button>
        </Space>
      </Col>
    </Row>
  );
}

function DayList({
  title,
  days,
  onName,
}: {
  title: string;
  days: { date: string; until?: string; name?: string }[];
  onName: (date: string, name: string) => void;
}) {
  const { t } = useTranslation('calendars');
  return (
    <Card size="small" title={title}>
      {days.length === 0 ? <Text>{t('days.none')}</Text> : null}
      {days.map((d) => (
        <Row key={d.date} gutter={8} align="middle" style={{ marginBottom: 6 }}>
          <Col flex="190px">
            {d.date}
            {d.until ? ` ${t('days.until', { date: d.until })}` : ''}
          </Col>
          <Col flex="auto">
            <Input
              size="small"
              aria-label={`${t('days.name')} ${d.date}`}
              placeholder={t('days.name')}
              value={d.name ?? ''}
              onChange={(e) => onName(d.date, e.target.value)}
            />
          </Col>
        </Row>
      ))}
    </Card>
  );
}

function ICalImport({
  calendarId,
  isDirty,
  onImported,
}: {
  calendarId: string;
  isDirty: boolean;
  onImported: () => void;
}) {
  const { t } = useTranslation('calendars');
  const { message } = App.useApp();
  const runMutation = useAdminMutation();
  const [pattern, setPattern] = useState('补班|上班');
  const [isReplace, setReplace] = useState(false);
  const run = async (file: File) => {
    if (isDirty) return void message.warning(t('ical.saveFirst'));
    const ics = await file.text();
    const r = await runMutation(ImportHolidays, {
      id: calendarId,
      ics,
      workingDaySummary: pattern || null,
      replace: isReplace,
    });
    if (!r) return;
    const result = r.importCalendarHolidays;
    if (result && 'holidaysAdded' in result) {
      void message.success(
        t('ical.done', { holidays: result.holidaysAdded ?? 0, extra: result.extraWorkingDaysAdded ?? 0 }),
      );
      if (result.warnings?.length)
        void message.warning(t('ical.warnings', { count: result.warnings.length }));
    }
    onImported();
  };
  return (
    <Card size="small" title={t('ical.title')}>
      <Text as="p">{t('ical.help')}</Text>
      <Space wrap>
        <Input
          aria-label={t('ical.pattern')}
          addonBefore={t('ical.pattern')}
          value={pattern}
          onChange={(e) => setPattern(e.target.value)}
        />
        <Checkbox checked={isReplace} onChange={(e) => setReplace(e.target.checked)}>
          {t('ical.replace')}
        </Checkbox>
        <Upload
          accept=".ics,text/calendar"
          showUploadList={false}
          beforeUpload={(file) => {
            void run(file);
            return false;
          }}
        >
          <Button>{t('ical.choose')}</Button>
        </Upload>
      </Space>
    </Card>
  );
}
