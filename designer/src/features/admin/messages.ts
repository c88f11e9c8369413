import { defineMessages } from '../../i18n/define-messages.ts';

export const adminMessages = defineMessages('admin', {
  en: {
    area: 'Admin',
    menu: 'Admin sections',
  },
  'zh-CN': {
    area: '管理',
    menu: '管理功能',
  },
});
