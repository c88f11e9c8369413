import { defineMessages } from '../../i18n/define-messages.ts';

export const statusesMessages = defineMessages('statuses', {
  en: {
    title: 'Named statuses',
    help: 'Each named status belongs to one of the fixed categories, which drive lists and SLA clocks. A name cannot change; a status no longer wanted is deactivated (tickets keep it).',
    create: 'New status',
    name: 'Name',
    category: 'Category',
    active: 'Active',
    order: 'Order',
    categories: {
      new: 'New',
      open: 'Open',
      pending: 'Pending (pauses SLA)',
      on_hold: 'On hold',
      solved: 'Solved',
      closed: 'Closed',
    },
  },
  'zh-CN': {
    title: '自定义状态',
    help: '每个自定义状态属于一个固定的状态类别，类别决定列表和 SLA 时钟。名称不可修改；不再使用的状态可停用（已有工单保留该状态）。',
    create: '新建状态',
    name: '名称',
    category: '类别',
    active: '启用',
    order: '顺序',
    categories: {
      new: '新建',
      open: '处理中',
      pending: '待客户回复（暂停 SLA）',
      on_hold: '挂起',
      solved: '已解决',
      closed: '已关闭',
    },
  },
});
