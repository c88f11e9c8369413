import { Alert, Button, Flex, Form, Result, theme } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { startPathFor } from '../../../app/areas.ts';
import { GraphQLRequestError, request } from '../../../graphql/client.ts';
import { graphql } from '../../../graphql/graphql.ts';
import { useQuery } from '../../../graphql/use-query.ts';
import { accessOf } from '../../../session/access.ts';
import { MeQuery } from '../../../session/me.ts';
import { useReadySession } from '../../../session/session.tsx';
import { LanguageSwitch } from '../../../ui/LanguageSwitch/index.tsx';
import { NewPasswordFields, useNewPasswordProblem } from '../../../ui/NewPasswordFields/index.tsx';
import { PageLoading } from '../../../ui/PageLoading/index.tsx';
import { QueryError } from '../../../ui/QueryError/index.tsx';
import { Text } from '../../../ui/Text/index.tsx';

const InvitationQuery = graphql(`
  query Invitation($token: String!) {
    invitation(token: $token) { state name email expiresAt }
  }
`);

const AcceptInvitation = graphql(`
  mutation AcceptInvitation($token: String!, $password: String!) {
    acceptInvitation(token: $token, password: $password) {
      __typename
      ... on ValidationError { fields { path code message } }
      ... on Error { message }
    }
  }
`);

type Values = { password: string; again: string };
type Refusal = 'used' | 'expired' | 'revoked' | 'forged';
const REFUSALS: Refusal[] = ['used', 'expired', 'revoked', 'forged'];

/** /invite/<token>: the invited person sets their password (no sign-in needed) and is signed in. */
export default function InvitePage() {
  const { t, i18n } = useTranslation('auth');
  const { token: colors } = theme.useToken();
  const { token = '' } = useParams();
  const session = useReadySession();
  const navigate = useNavigate();
  const { data, error, refetch } = useQuery(InvitationQuery, { token });
  const [form] = Form.useForm<Values>();
  const passwordProblem = useNewPasswordProblem();
  const [refused, setRefused] = useState<Refusal | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [isSubmitting, setSubmitting] = useState(false);

  const submit = async (values: Values) => {
    setFailure(null);
    setSubmitting(true);
    try {
      const r = (await request(AcceptInvitation, { token, password: values.password })).acceptInvitation;
      if (r?.__typename === 'Session') {
        const { me } = await request(MeQuery, {});
        if (me) {
          session.signedIn(me);
          navigate(startPathFor(accessOf(me)) ?? '/', { replace: true });
          return;
        }
      }
      const field = r?.__typename === 'ValidationError' ? r.fields?.[0] : undefined;
      if (field?.path === '/token' && REFUSALS.includes(field.code as Refusal))
        return setRefused(field.code as Refusal);
      if (field?.path === '/token' && field.code === 'signed_in_as_other') {
        // Signed in with another account meanwhile (another tab): say so, as on opening the link.
        const { me } = await request(MeQuery, {});
        if (me) return session.signedIn(me);
      }
      if (field?.path === '/password')
        return form.setFields([
          {
            name: 'password',
            errors: [passwordProblem(field) ?? t('invite.errors.other', { message: field.message ?? '' })],
          },
        ]);
      setFailure(
        t('invite.errors.other', { message: field?.message ?? (r && 'message' in r ? r.message : '') ?? '' }),
      );
    } catch (e) {
      setFailure(
        e instanceof GraphQLRequestError && e.code === 'NETWORK'
          ? t('errors.network')
          : t('invite.errors.other', { message: (e as Error).message }),
      );
    } finally {
      setSubmitting(false);
    }
  };

  const state = refused ?? data?.invitation?.state ?? null;
  const invitation = data?.invitation;
  // Someone else is signed in here: setting the password would sign this browser in as the
  // invited person instead. Say so, and let them sign out first (never a silent switch).
  const me = session.me;
  const signedInAs = me?.user ?? me?.customer ?? null;
  const isOtherAccount =
    !!signedInAs &&
    !(
      me?.kind === 'user' &&
      !!invitation?.email &&
      signedInAs.email?.toLowerCase() === invitation.email.toLowerCase()
    );
  let body: React.ReactNode;
  if (error) body = <QueryError error={error} onRetry={refetch} />;
  else if (!state) body = <PageLoading />;
  else if (state !== 'open')
    body = (
      <Result
        status="warning"
        title={<span data-testid="invite-refused">{t(`invite.refused.${state}.title`)}</span>}
        subTitle={t(`invite.refused.${state}.text`)}
        extra={
          <Link to="/login">
            <Button type="primary">{t('invite.toLogin')}</Button>
          </Link>
        }
      />
    );
  else if (isOtherAccount)
    body = (
      <Result
        status="info"
        title={<span data-testid="invite-other-account">{t('invite.otherAccount.title')}</span>}
        subTitle={t('invite.otherAccount.text', {
          me: signedInAs.email ? `${signedInAs.name ?? ''} (${signedInAs.email})` : (signedInAs.name ?? ''),
          name: invitation?.name ?? '',
          email: invitation?.email ?? '',
        })}
        extra={
          <Flex gap={8} wrap justify="center">
            <Button type="primary" onClick={() => void session.signOut()}>
              {t('invite.otherAccount.signOut')}
            </Button>
            <Link to="/">
              <Button>{t('invite.otherAccount.stay')}</Button>
            </Link>
          </Flex>
        }
      />
    );
  else
    body = (
      <>
        <Text as="p" tone="default">
          {t('invite.intro', { name: invitation?.name ?? '', email: invitation?.email ?? '' })}
        </Text>
        {invitation?.expiresAt ? (
          <Text as="p">
            {t('invite.validUntil', {
              until: new Date(invitation.expiresAt).toLocaleString(i18n.language),
            })}
          </Text>
        ) : null}
        <Form<Values> form={form} layout="vertical" onFinish={submit} requiredMark={false} name="invite">
          {/* For password managers: the account the new password belongs to. */}
          <input type="hidden" autoComplete="username" value={invitation?.email ?? ''} readOnly />
          <NewPasswordFields name="password" autoFocus />
          {failure ? (
            <Alert type="error" showIcon role="alert" title={failure} style={{ marginBottom: 16 }} />
          ) : null}
          <Button type="primary" htmlType="submit" block disabled={isSubmitting} aria-busy={isSubmitting}>
            {t('invite.submit')}
          </Button>
        </Form>
      </>
    );

  return (
    <Flex justify="center" align="center" style={{ minHeight: '100vh', padding: 16, background: '#f5f5f5' }}>
      <main
        style={{
          width: 440,
          maxWidth: '100%',
          padding: 24,
          background: colors.colorBgContainer,
          borderRadius: colors.borderRadiusLG,
          boxShadow: colors.boxShadowTertiary,
          // Outside the app's layout nothing else gives plain text the theme's font.
          fontFamily: colors.fontFamily,
        }}
      >
        <Flex justify="space-between" align="center" gap={8} style={{ marginBottom: 16 }}>
          <h1 style={{ margin: 0, fontSize: 22, fontWeight: 600, color: colors.colorText }}>
            {t('invite.title')}
          </h1>
          <LanguageSwitch />
        </Flex>
        {body}
      </main>
    </Flex>
  );
}
