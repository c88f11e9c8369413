import { defineAdminSection } from '../../app/define-area.ts';

/** /admin/calendars: business calendars (week, holidays, make-up days, iCal, due preview). */
export const calendarsSection = defineAdminSection({
  key: 'calendars',
  path: 'calendars',
  label: (t) => t('calendars:section'),
  permission: 'SLA_MANAGE',
  load: () => import('./CalendarsPage/index.tsx'),
});
