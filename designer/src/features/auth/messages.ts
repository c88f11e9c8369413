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
    invite: {
      title: 'Welcome to Docket',
      intro: '{{name}}, set a password for {{email}}. You will be signed in at once.',
      validUntil: 'This link works once, until {{until}}.',
      submit: 'Set password and sign in',
      errors: {
        other: 'The password was not set: {{message}}',
      },
      refused: {
        used: {
          title: 'This invitation has been used',
          text: 'The password was set with this link already. Sign in with it, or ask an administrator for a new invitation.',
        },
        expired: {
          title: 'This invitation has expired',
          text: 'Ask an administrator to send you a new invitation link.',
        },
        revoked: {
          title: 'This invitation is no longer valid',
          text: 'A newer invitation was sent, or the account was deactivated. Use the latest link, or ask an administrator.',
        },
        forged: {
          title: 'This is not a valid invitation link',
          text: 'Check that the whole link was copied, or ask an administrator for a new one.',
        },
      },
      toLogin: 'Go to sign in',
      otherAccount: {
        title: 'You are signed in with another account',
        text: "You are signed in as {{me}}. This invitation is for {{name}} ({{email}}). Sign out first to set that account's password.",
        signOut: 'Sign out and continue',
        stay: 'Stay signed in',
      },
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
    invite: {
      title: '欢迎使用 Docket',
      intro: '{{name}}，请为 {{email}} 设置密码，设置后将直接登录。',
      validUntil: '此链接只能使用一次，有效期至 {{until}}。',
      submit: '设置密码并登录',
      errors: {
        other: '密码未设置：{{message}}',
      },
      refused: {
        used: {
          title: '此邀请已被使用',
          text: '已通过此链接设置过密码。请直接用该密码登录，或请管理员重新发送邀请。',
        },
        expired: {
          title: '此邀请已过期',
          text: '请联系管理员重新发送邀请链接。',
        },
        revoked: {
          title: '此邀请已失效',
          text: '已有更新的邀请发出，或账户已被停用。请使用最新的链接，或联系管理员。',
        },
        forged: {
          title: '这不是有效的邀请链接',
          text: '请确认链接已完整复制，或请管理员重新发送。',
        },
      },
      toLogin: '前往登录',
      otherAccount: {
        title: '您已登录其他账户',
        text: '您当前以 {{me}} 的身份登录。此邀请是发给 {{name}}（{{email}}）的。请先退出登录，再为该账户设置密码。',
        signOut: '退出登录并继续',
        stay: '保持当前登录',
      },
    },
  },
});
