import { defineMessages } from '../../i18n/define-messages.ts';

/** The new-password fields' words (the invitation page and the account's password page). */
export const newPasswordMessages = defineMessages('newPassword', {
  en: {
    password: 'New password',
    again: 'New password again',
    errors: {
      required: 'Enter a password.',
      /** Where only the new password is asked for. */
      mismatch: 'The two passwords differ.',
      /** Where the current password is asked for too: which two differ. */
      mismatchNew: 'The two new passwords differ.',
      tooShort: 'A password needs at least {{min}} characters.',
      tooLong: 'A password has at most {{max}} characters.',
      blank: 'A password cannot be only spaces.',
    },
  },
  'zh-CN': {
    password: '新密码',
    again: '再次输入新密码',
    errors: {
      required: '请输入密码。',
      mismatch: '两次输入的密码不一致。',
      mismatchNew: '两次输入的新密码不一致。',
      tooShort: '密码至少需要 {{min}} 个字符。',
      tooLong: '密码最多 {{max}} 个字符。',
      blank: '密码不能只包含空格。',
    },
  },
});
