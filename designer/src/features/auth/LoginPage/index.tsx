import { Alert, Button, Flex, Form, Input, Segmented, theme } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { startPathFor } from '../../../app/areas.ts';
import { safeNextPath } from '../../../app/next-path.ts';
import { GraphQLRequestError, request } from '../../../graphql/client.ts';
import { graphql } from '../../../graphql/graphql.ts';
import { accessOf } from '../../../session/access.ts';
import { MeQuery } from '../../../session/me.ts';
import { useReadySession } from '../../../session/session.tsx';
import { LanguageSwitch } from '../../../ui/LanguageSwitch/index.tsx';
import { Text } from '../../../ui/Text/index.tsx';

const LoginMutation = graphql(
  `
    mutation Login($email: String!, $password: String!) {
      login(email: $email, password: $password) {
        __typename
        ... on ValidationError {
          fields {
            path
            code
            message
          }
        }
        ... on Error {
          message
        }
      }
    }
  `,
);

const CustomerLoginMutation = graphql(
  `
    mutation CustomerLogin($email: String!, $password: String!) {
      customerLogin(email: $email, password: $password) {
        __typename
        ... on ValidationError {
          fields {
            path
            code
            message
          }
        }
        ... on Error {
          message
        }
      }
    }
  `,
);

type Kind = 'staff' | 'customer';
type Values = { email: string; password: string };

/** Staff sign in with login, customers with customerLogin; both get the HttpOnly session cookie. */
export default function LoginPage() {
  const { t } = useTranslation('auth');
  const { token } = theme.useToken();
  const session = useReadySession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [kind, setKind] = useState<Kind>(params.get('as') === 'customer' ? 'customer' : 'staff');
  const [failure, setFailure] = useState<string | undefined>(undefined);
  const [isSubmitting, setSubmitting] = useState(false);
  const next = safeNextPath(params.get('next'));

  if (session.me) return <Navigate to={next ?? startPathFor(session.access) ?? '/'} replace />;

  const submit = async (values: Values) => {
    setFailure(undefined);
    setSubmitting(true);
    try {
      const variables = { email: values.email.trim(), password: values.password };
      const result =
        kind === 'staff'
          ? (await request(LoginMutation, variables)).login
          : (await request(CustomerLoginMutation, variables)).customerLogin;
      if (result?.__typename === 'Session') {
        // Asked again with the new session cookie: the login answer itself is resolved for an
        // anonymous request, so the server leaves out what only the signed-in person may read (roles).
        const { me } = await request(MeQuery, {});
        if (me) {
          session.signedIn(me);
          navigate(next ?? startPathFor(accessOf(me)) ?? '/', { replace: true });
          return;
        }
      }
      const field = result?.__typename === 'ValidationError' ? result.fields?.[0] : undefined;
      setFailure(
        field?.code === 'wrong_credentials'
          ? t('errors.wrongCredentials')
          : t('errors.other', {
              message: field?.message ?? (result && 'message' in result ? result.message : null) ?? '',
            }),
      );
    } catch (e) {
      setFailure(
        e instanceof GraphQLRequestError && e.code === 'NETWORK'
          ? t('errors.network')
          : t('errors.other', { message: (e as Error).message }),
      );
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <Flex justify="center" align="center" style={{ minHeight: '100vh', padding: 16, background: '#f5f5f5' }}>
      <main
        style={{
          width: 400,
          maxWidth: '100%',
          padding: 24,
          background: token.colorBgContainer,
          borderRadius: token.borderRadiusLG,
          boxShadow: token.boxShadowTertiary,
        }}
      >
        <Flex justify="space-between" align="center" style={{ marginBottom: 16 }}>
          <h1 style={{ margin: 0, fontSize: 22, fontWeight: 600, color: token.colorText }}>{t('title')}</h1>
          <LanguageSwitch />
        </Flex>
        <Segmented<Kind>
          block
          aria-label={t('kind.label')}
          value={kind}
          onChange={(k) => {
            setKind(k);
            setFailure(undefined);
          }}
          options={[
            { value: 'staff', label: t('kind.staff') },
            { value: 'customer', label: t('kind.customer') },
          ]}
          style={{ marginBottom: 8 }}
        />
        <Text as="p">{kind === 'staff' ? t('kind.staffHint') : t('kind.customerHint')}</Text>
        <Form<Values> layout="vertical" onFinish={submit} requiredMark={false} name="login">
          <Form.Item
            label={t('email.label')}
            name="email"
            rules={[
              { required: true, whitespace: true, message: t('email.required') },
              { type: 'email', message: t('email.invalid') },
            ]}
          >
            <Input autoComplete="username" placeholder={t('email.placeholder')} autoFocus />
          </Form.Item>
          <Form.Item
            label={t('password.label')}
            name="password"
            rules={[{ required: true, message: t('password.required') }]}
          >
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          {failure ? (
            <Alert
              type="error"
              showIcon
              role="alert"
              title={failure}
              data-testid="login-error"
              style={{ marginBottom: 16 }}
            />
          ) : null}
          {/* Disabled rather than antd's loading state: its spinner, fading out, kept its "loading" label
              in the button's accessible name after a refused login. */}
          <Button type="primary" htmlType="submit" block disabled={isSubmitting} aria-busy={isSubmitting}>
            {t('submit')}
          </Button>
        </Form>
      </main>
    </Flex>
  );
}
