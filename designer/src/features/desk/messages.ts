import { defineMessages } from '../../i18n/define-messages.ts';

export const deskMessages = defineMessages('desk', {
  en: {
    area: 'Desk',
    myTasks: {
      title: 'My tasks',
      hint: 'Steps assigned to you, and those waiting in your teams, roles and org unit.',
      empty: 'Nothing is waiting for you.',
      columns: {
        ticket: 'Ticket',
        step: 'Step',
        title: 'Ticket title',
        priority: 'Priority',
        holder: 'Held by',
        due: 'Due',
      },
      queue: 'Queue: {{team}}',
      unassigned: 'Waiting to be taken',
      overdue: 'Overdue',
    },
  },
  'zh-CN': {
    area: '工作台',
    myTasks: {
      title: '我的待办',
      hint: '分配给您的步骤，以及在您的团队、角色和组织中等待处理的步骤。',
      empty: '暂无待办。',
      columns: {
        ticket: '工单',
        step: '步骤',
        title: '工单标题',
        priority: '优先级',
        holder: '处理人',
        due: '截止时间',
      },
      queue: '队列：{{team}}',
      unassigned: '等待领取',
      overdue: '已超时',
    },
  },
});
