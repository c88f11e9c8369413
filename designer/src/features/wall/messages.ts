import { defineMessages } from '../../i18n/define-messages.ts';

export const wallMessages = defineMessages('wall', {
  en: {
    area: 'Wall',
    title: 'Tickets now',
    createdToday: 'Created today',
    byStatus: 'By status',
  },
  'zh-CN': {
    area: '大屏',
    title: '工单实况',
    createdToday: '今日新建',
    byStatus: '按状态',
  },
});
