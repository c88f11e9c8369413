import { defineArea } from '../../app/define-area.ts';
import { loadDesk } from './load-desk.ts';

export const deskArea = defineArea({
  key: 'desk',
  path: '/desk',
  label: (t) => t('areas.desk'),
  canEnter: (access) => access.can('TICKET_READ'),
  messages: ['desk', 'schemaForm'],
  load: loadDesk,
});
