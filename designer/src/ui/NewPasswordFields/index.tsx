import { Form, Input } from 'antd';
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';

/** The server's password rules (server/src/auth/passwords.ts), checked here before it is asked. */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 200;

/**
 * A new password and the same again, inside an antd Form: the server's length and blank rules,
 * the two compared, each problem under its input in the reader's language. `name` is the form
 * field of the new password, `againName` that of the repeat. `isChange`: the form asks for the
 * current password too, so a mismatch says the two *new* passwords differ.
 */
export function NewPasswordFields({
  name,
  againName = 'again',
  isChange = false,
  autoFocus = false,
}: {
  name: string;
  againName?: string;
  isChange?: boolean;
  autoFocus?: boolean;
}) {
  const { t } = useTranslation('newPassword');
  return (
    <>
      <Form.Item
        label={t('password')}
        name={name}
        rules={[
          { required: true, message: t('errors.required') },
          { min: PASSWORD_MIN, message: t('errors.tooShort', { min: PASSWORD_MIN }) },
          { max: PASSWORD_MAX, message: t('errors.tooLong', { max: PASSWORD_MAX }) },
          { whitespace: true, message: t('errors.blank') },
        ]}
      >
        <Input.Password autoComplete="new-password" autoFocus={autoFocus} />
      </Form.Item>
      <Form.Item
        label={t('again')}
        name={againName}
        dependencies={[name]}
        rules={[
          { required: true, message: t('errors.required') },
          ({ getFieldValue }) => ({
            validator: (_, value) =>
              !value || value === getFieldValue(name)
                ? Promise.resolve()
                : Promise.reject(new Error(t(isChange ? 'errors.mismatchNew' : 'errors.mismatch'))),
          }),
        ]}
      >
        <Input.Password autoComplete="new-password" />
      </Form.Item>
    </>
  );
}

/**
 * The server's refusals of a new password (passwordErrors' codes) in the reader's language; null
 * for any other code, which the page words itself.
 */
export function useNewPasswordProblem(): (field: { code?: string | null }) => string | null {
  const { t } = useTranslation('newPassword');
  return useCallback(
    (field) => {
      switch (field.code) {
        case 'too_short':
          return t('errors.tooShort', { min: PASSWORD_MIN });
        case 'too_long':
          return t('errors.tooLong', { max: PASSWORD_MAX });
        case 'blank':
          return t('errors.blank');
        default:
          return null;
      }
    },
    [t],
  );
}
