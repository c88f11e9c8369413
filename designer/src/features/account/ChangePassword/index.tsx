import { App, Button, Form, Input } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { request } from '../../../graphql/client.ts';
import { graphql } from '../../../graphql/graphql.ts';
import { NewPasswordFields, useNewPasswordProblem } from '../../../ui/NewPasswordFields/index.tsx';
import { PageHeading } from '../../../ui/PageHeading/index.tsx';
import { Text } from '../../../ui/Text/index.tsx';

const ChangePasswordMutation = graphql(`
  mutation AccountChangePassword($currentPassword: String!, $newPassword: String!) {
    changePassword(currentPassword: $currentPassword, newPassword: $newPassword) {
      __typename
      ... on ValidationError { fields { path code message } }
      ... on Error { message }
    }
  }
`);

type Values = { current: string; next: string; again: string };

/** Which form field a server field error belongs to. */
const FIELD_OF: Record<string, keyof Values> = { '/currentPassword': 'current', '/newPassword': 'next' };

/**
 * /account/password: the signed-in person changes their password (current one, new one twice).
 * The server ends their other sessions and hands this browser a new one.
 */
export default function ChangePasswordPage() {
  const { t } = useTranslation('account');
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [isSaving, setSaving] = useState(false);
  const passwordProblem = useNewPasswordProblem();

  const problemOf = (f: { code?: string | null; message?: string | null }): string => {
    switch (f.code) {
      case 'wrong_password':
        return t('password.errors.wrong');
      case 'unchanged':
        return t('password.errors.unchanged');
      default:
        return passwordProblem(f) ?? t('password.errors.other', { message: f.message ?? '' });
    }
  };

  const submit = async (values: Values) => {
    setSaving(true);
    try {
      const answer = (
        await request(ChangePasswordMutation, { currentPassword: values.current, newPassword: values.next })
      ).changePassword;
      if (answer?.__typename === 'ValidationError') {
        // Each problem under its own input, in the reader's language.
        form.setFields(
          (answer.fields ?? []).map((f) => ({
            name: FIELD_OF[f.path ?? ''] ?? 'current',
            errors: [problemOf(f)],
          })),
        );
        return;
      }
      if (answer?.__typename !== 'Session')
        return void message.error(
          t('password.errors.other', {
            message: answer && 'message' in answer ? (answer.message ?? '') : '',
          }),
        );
      form.resetFields();
      void message.success(t('password.changed'));
    } catch (e) {
      void message.error(t('password.errors.other', { message: (e as Error).message }));
    } finally {
      setSaving(false);
    }
  };

  return (
    <div style={{ maxWidth: 480 }}>
      <PageHeading title={t('password.title')} />
      <Text as="p">{t('password.intro')}</Text>
      <Form<Values>
        form={form}
        layout="vertical"
        onFinish={submit}
        requiredMark={false}
        name="change-password"
      >
        <Form.Item
          label={t('password.current')}
          name="current"
          rules={[{ required: true, message: t('password.errors.required') }]}
        >
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <NewPasswordFields name="next" isChange />
        <Button type="primary" htmlType="submit" disabled={isSaving} aria-busy={isSaving}>
          {t('password.submit')}
        </Button>
      </Form>
    </div>
  );
}
