import { defineAdminSection } from '../../app/define-area.ts';

/** /admin/sla: policies in order, each edited with the rule builder; a test panel. */
export const slaSection = defineAdminSection({
  key: 'sla',
  path: 'sla',
  label: (t) => t('sections.sla'),
  permission: 'SLA_MANAGE',
  messages: ['sla', 'workflows'],
  load: () => import('./SlaPage/index.tsx'),
});
