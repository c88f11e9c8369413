import { defineMessages } from '../../i18n/define-messages.ts';

export const portalMessages = defineMessages('portal', {
  en: {
    area: 'My tickets',
    tickets: {
      title: 'My tickets',
      count_one: '{{count}} ticket',
      count_other: '{{count}} tickets',
      empty: 'You have no tickets yet.',
      columns: {
        number: 'Number',
        title: 'Title',
        status: 'Status',
        createdAt: 'Opened',
      },
    },
  },
  'zh-CN': {
    area: '我的工单',
    tickets: {
      title: '我的工单',
      count_one: '共 {{count}} 个工单',
      count_other: '共 {{count}} 个工单',
      empty: '您还没有工单。',
      columns: {
        number: '编号',
        title: '标题',
        status: '状态',
        createdAt: '提交时间',
      },
    },
  },
});
