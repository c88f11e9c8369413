import { defineMessages } from '../../i18n/define-messages.ts';

export const accountMessages = defineMessages('account', {
  en: {
    area: 'My account',
    preferences: {
      title: 'Where my notices reach me',
      intro:
        'Every notice shows in the app. Choose, per kind of notice, where else it reaches you. A kind you have not set follows “Everything else”.',
      kind: 'Kind of notice',
      inApp: 'In the app',
      always: 'Always',
      followsDefault: 'as everything else',
      noTargets: 'No outside notification target is installed yet: notices reach you in the app only.',
      saved: 'Saved.',
      kinds: {
        task: 'A step assigned to me',
        overdue: 'A step of mine overdue',
        sla: 'SLA warnings and breaches',
        urge: 'Urged tickets',
        notice: 'Other notices from workflows and plugins',
        '*': 'Everything else',
      },
    },
  },
  'zh-CN': {
    area: '我的账户',
    preferences: {
      title: '通知接收方式',
      intro:
        '所有通知都会在应用内显示。请按通知类型选择还要通过哪些方式通知您。未单独设置的类型沿用“其他全部”。',
      kind: '通知类型',
      inApp: '应用内',
      always: '始终',
      followsDefault: '同“其他全部”',
      noTargets: '尚未安装任何外部通知方式：通知只在应用内显示。',
      saved: '已保存。',
      kinds: {
        task: '分配给我的步骤',
        overdue: '我的步骤已超时',
        sla: 'SLA 预警与超时',
        urge: '催单',
        notice: '来自流程和插件的其他通知',
        '*': '其他全部',
      },
    },
  },
});
