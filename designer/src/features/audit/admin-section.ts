import { defineAdminSection } from '../../app/define-area.ts';

/** /admin/audit: search over admin changes and ticket events. */
export const auditSection = defineAdminSection({
  key: 'audit',
  path: 'audit',
  label: (t) => t('sections.audit'),
  permission: 'AUDIT_READ',
  messages: ['audit'],
  load: () => import('./AuditPage/index.tsx'),
});
