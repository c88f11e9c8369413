import { defineMessages } from '../i18n/define-messages.ts';

/** The frame around every page: header, navigation, and the pages no feature owns. */
export const shellMessages = defineMessages('shell', {
  en: {
    brand: 'Docket',
    nav: { label: 'Main navigation' },
    header: {
      roles: 'Roles',
      customer: 'Customer',
      language: 'Language',
      logout: 'Log out',
    },
    loading: 'Loading…',
    unreachable: {
      title: 'Docket cannot reach its server',
      subtitle: 'Check that Docket is running, then try again. ({{message}})',
      retry: 'Try again',
    },
    forbidden: {
      title: 'You cannot open this page',
      staff: 'Your roles ({{roles}}) do not give access to {{area}}. Ask an administrator if you need it.',
      noRoles: 'Your account has no role that gives access to {{area}}. Ask an administrator if you need it.',
      customer: '{{area}} is for staff; you are signed in as a customer.',
      staffInPortal: 'The customer portal is for customers; you are signed in as staff.',
      home: 'Go to my start page',
    },
    notFound: {
      title: 'There is no page at this address',
      subtitle: 'Nothing lives at {{path}}. Check the address, or start again from your start page.',
      home: 'Go to my start page',
    },
    noArea: {
      title: 'Nothing to open yet',
      subtitle: 'Your account has no role that opens an area of Docket. Ask an administrator for one.',
    },
    error: {
      title: 'This could not be loaded',
      network: 'The server cannot be reached. Check that Docket is running, then try again.',
      forbidden: 'Your roles do not allow this (it needs the {{permission}} permission).',
      other: '{{message}}',
      retry: 'Try again',
    },
    empty: '—',
    priority: {
      urgent: 'Urgent',
      high: 'High',
      normal: 'Normal',
      low: 'Low',
    },
    status: {
      new: 'New',
      open: 'Open',
      pending: 'Pending',
      on_hold: 'On hold',
      solved: 'Solved',
      closed: 'Closed',
    },
  },
  'zh-CN': {
    brand: 'Docket',
    nav: { label: '主导航' },
    header: {
      roles: '角色',
      customer: '客户',
      language: '语言',
      logout: '退出登录',
    },
    loading: '加载中…',
    unreachable: {
      title: 'Docket 无法连接服务器',
      subtitle: '请确认 Docket 正在运行，然后重试。（{{message}}）',
      retry: '重试',
    },
    forbidden: {
      title: '您无权打开此页面',
      staff: '您的角色（{{roles}}）无权访问{{area}}。如需使用，请联系管理员。',
      noRoles: '您的账号没有可访问{{area}}的角色。如需使用，请联系管理员。',
      customer: '{{area}}仅供员工使用；您当前以客户身份登录。',
      staffInPortal: '客户门户仅供客户使用；您当前以员工身份登录。',
      home: '返回我的首页',
    },
    notFound: {
      title: '此地址没有页面',
      subtitle: '{{path}} 不存在。请检查地址，或从您的首页重新开始。',
      home: '返回我的首页',
    },
    noArea: {
      title: '暂无可用内容',
      subtitle: '您的账号还没有可打开 Docket 任何区域的角色，请联系管理员分配。',
    },
    error: {
      title: '加载失败',
      network: '无法连接服务器。请确认 Docket 正在运行，然后重试。',
      forbidden: '您的角色不允许此操作（需要 {{permission}} 权限）。',
      other: '{{message}}',
      retry: '重试',
    },
    empty: '—',
    priority: {
      urgent: '紧急',
      high: '高',
      normal: '普通',
      low: '低',
    },
    status: {
      new: '新建',
      open: '处理中',
      pending: '待客户回复',
      on_hold: '挂起',
      solved: '已解决',
      closed: '已关闭',
    },
  },
});
