import { defineAdminSection } from '../../app/define-area.ts';

/** /admin/calendars: business calendars (week, holidays, make-up days, iCal, due preview). */
export const calendarsSection = defineAdminSection({
  key: 'calendars',
  path: 'calendars',
  label: (t) => t('sections.calendars'),
  permission: 'SLA_MANAGE',
  messages: ['calendars'],
  load: () => import('./CalendarsPage/index.tsx'),
});
