import { defineMessages } from '../../i18n/define-messages.ts';

export const reportsMessages = defineMessages('reports', {
  en: {
    area: 'Reports',
    title: 'Reports',
    created: 'Tickets created',
    today: 'Today',
    week: 'Last 7 days',
    month: 'Last 30 days',
    backlog: 'Open backlog',
    backlogHint: 'New, open, pending and on hold, within what you may see.',
  },
  'zh-CN': {
    area: '报表',
    title: '报表',
    created: '新建工单',
    today: '今天',
    week: '近 7 天',
    month: '近 30 天',
    backlog: '未结工单',
    backlogHint: '新建、处理中、待客户回复和挂起的工单，仅限您可见的范围。',
  },
});
