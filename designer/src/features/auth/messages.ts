import { defineMessages } from '../../i18n/define-messages.ts';

export const authMessages = defineMessages('auth', {
  en: {
    title: 'Sign in to Docket',
    kind: {
      label: 'I am',
      staff: 'Staff',
      customer: 'Customer',
      staffHint: 'Agents, managers and administrators sign in with their work email.',
      customerHint: 'Customers sign in to follow their tickets in the portal.',
    },
    email: {
      label: 'Email',
      placeholder: 'name@example.com',
      required: 'Enter your email address.',
      invalid: 'Enter an email address such as name@example.com.',
    },
    password: {
      label: 'Password',
      required: 'Enter your password.',
    },
    submit: 'Sign in',
    errors: {
      wrongCredentials: 'The email or the password is wrong. Check both and try again.',
      network: 'The server cannot be reached. Check that Docket is running, then try again.',
      other: 'Signing in failed: {{message}}',
    },
  },
  'zh-CN': {
    title: '登录 Docket',
    kind: {
      label: '我是',
      staff: '员工',
      customer: '客户',
      staffHint: '坐席、主管和管理员使用工作邮箱登录。',
      customerHint: '客户登录后可在门户中跟进自己的工单。',
    },
    email: {
      label: '邮箱',
      placeholder: 'name@example.com',
      required: '请输入邮箱地址。',
      invalid: '请输入有效的邮箱地址，例如 name@example.com。',
    },
    password: {
      label: '密码',
      required: '请输入密码。',
    },
    submit: '登录',
    errors: {
      wrongCredentials: '邮箱或密码错误，请检查后重试。',
      network: '无法连接服务器。请确认 Docket 正在运行，然后重试。',
      other: '登录失败：{{message}}',
    },
  },
});
