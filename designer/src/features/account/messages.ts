import { defineMessages } from '../../i18n/define-messages.ts';

export const accountMessages = defineMessages('account', {
  en: {
    tabs: { notifications: 'Notifications', password: 'Password' },
    password: {
      title: 'Change my password',
      intro:
        'Enter your current password, then the new one twice. Your other sessions end; you stay signed in here.',
      current: 'Current password',
      submit: 'Change password',
      changed: 'Password changed. Other sessions have ended.',
      errors: {
        required: 'Enter a password.',
        wrong: 'The current password is wrong.',
        unchanged: 'The new password must differ from the current one.',
        other: 'The password was not changed: {{message}}',
      },
    },
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
    tabs: { notifications: '通知', password: '密码' },
    password: {
      title: '修改密码',
      intro: '请输入当前密码，再输入两次新密码。您的其他会话将失效，本页面保持登录。',
      current: '当前密码',
      submit: '修改密码',
      changed: '密码已修改，其他会话已失效。',
      errors: {
        required: '请输入密码。',
        wrong: '当前密码错误。',
        unchanged: '新密码不能与当前密码相同。',
        other: '密码未修改：{{message}}',
      },
    },
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
