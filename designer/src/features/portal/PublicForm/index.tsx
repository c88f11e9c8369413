import { Button, Card, Flex, Form, Input, message, Result, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { request } from '../../../graphql/client.ts';
import { graphql } from '../../../graphql/graphql.ts';
import { useQuery } from '../../../graphql/use-query.ts';
import { PageLoading } from '../../../ui/PageLoading/index.tsx';
import { TemplateForm } from '../../../ui/TemplateForm/index.tsx';
import { useSubmission } from '../../../ui/TemplateForm/useSubmission.ts';
import { RefusalFragment } from '../../admin/shared/refusal.ts';

const PublicFormQuery = graphql(`
  query PortalPublicForm($key: String!) {
    publicForm(templateKey: $key) {
      templateKey
      name
      description
      formSchema
      uiSchema
    }
  }
`);

const Submit = graphql(
  `
    mutation PortalSubmit($input: PublicFormInput!) {
      submitPublicForm(input: $input) {
        __typename
        ... on PortalTicket {
          number
          followToken
        }
        ...Refusal
      }
    }
  `,
  [RefusalFragment],
);

/** /portal/forms/<template>: the public form (no login), then the receipt with the private link. */
export default function PublicFormPage() {
  const { t } = useTranslation('portal');
  const { key = '' } = useParams();
  const { data, isLoading } = useQuery(PublicFormQuery, { key });
  const [api, holder] = message.useMessage();
  const [contact, setContact] = useState({ name: '', email: '', phone: '' });
  const [subject, setSubject] = useState('');
  /** The contact details as last sent: their errors stand until the customer changes them. */
  const [sentContact, setSentContact] = useState(contact);
  const [receipt, setReceipt] = useState<{ number: string; token: string } | null>(null);
  const { isBusy, refusal, submit: send } = useSubmission();

  if (isLoading && !data) return <PageLoading />;
  const form = data?.publicForm;
  if (!form) return <Result status="404" title={<h1 style={{ fontSize: 22 }}>{t('forms.notFound')}</h1>} />;
  if (receipt) {
    const path = `/portal/follow/${receipt.token}`;
    const link = `${window.location.origin}${path}`;
    return (
      <Result
        status="success"
        title={<h1 style={{ fontSize: 22 }}>{t('receipt.title')}</h1>}
        subTitle={<span data-testid="receipt-number">{t('receipt.number', { number: receipt.number })}</span>}
        extra={
          <Flex vertical gap={8} align="center">
            <Typography.Paragraph>{t('receipt.followHint')}</Typography.Paragraph>
            <Typography.Text code style={{ wordBreak: 'break-all' }}>
              {link}
            </Typography.Text>
            <Flex gap={8} wrap justify="center">
              <Link to={path} data-testid="follow-link">
                <Button type="primary">{t('receipt.follow')}</Button>
              </Link>
              <Button
                onClick={() => {
                  void navigator.clipboard?.writeText(link);
                  void api.success(t('receipt.copied'));
                }}
              >
                {t('receipt.copy')}
              </Button>
            </Flex>
            {holder}
          </Flex>
        }
      />
    );
  }

  const submit = async (formData: Record<string, unknown>) => {
    setSentContact(contact);
    const r = await send(
      async () =>
        (
          await request(Submit, {
            input: {
              templateKey: key,
              title: subject.trim() || form.name || key,
              formData,
              contact: { name: contact.name, email: contact.email || null, phone: contact.phone || null },
            },
          })
        ).submitPublicForm,
      'PortalTicket',
    );
    if (r) setReceipt({ number: r.number ?? '', token: r.followToken ?? '' });
  };
  const isContactAsSent =
    contact.name === sentContact.name &&
    contact.email === sentContact.email &&
    contact.phone === sentContact.phone;
  const errors = isContactAsSent ? (refusal?.otherErrors ?? {}) : {};
  return (
    <div style={{ maxWidth: 720, margin: '0 auto' }}>
      {holder}
      <h1 style={{ fontSize: 22 }}>{form.name}</h1>
      {form.description ? <Typography.Paragraph>{form.description}</Typography.Paragraph> : null}
      <Card size="small" title={t('forms.contact')} style={{ marginBottom: 16 }}>
        <Typography.Paragraph type="secondary">{t('forms.contactHint')}</Typography.Paragraph>
        <Form layout="vertical" component="div">
          {(
            [
              ['name', 'text', 'name'],
              ['email', 'email', 'email'],
              ['phone', 'tel', 'tel'],
            ] as const
          ).map(([field, type, autoComplete]) => (
            <Form.Item
              key={field}
              label={t(`forms.${field}`)}
              htmlFor={`contact-${field}`}
              validateStatus={errors[`/contact/${field}`] ? 'error' : undefined}
              help={errors[`/contact/${field}`]}
              style={{ marginBottom: 12 }}
            >
              <Input
                id={`contact-${field}`}
                type={type}
                value={contact[field]}
                onChange={(e) => setContact({ ...contact, [field]: e.target.value })}
                autoComplete={autoComplete}
              />
            </Form.Item>
          ))}
          <Form.Item label={t('forms.subject')} htmlFor="contact-subject" style={{ marginBottom: 0 }}>
            <Input
              id="contact-subject"
              value={subject}
              placeholder={t('forms.subjectHint')}
              onChange={(e) => setSubject(e.target.value)}
            />
          </Form.Item>
        </Form>
      </Card>
      <TemplateForm
        formSchema={form.formSchema}
        uiSchema={form.uiSchema}
        refusal={refusal}
        problem={
          !refusal
            ? null
            : Object.keys(refusal.formErrors).length + Object.keys(refusal.otherErrors).length > 0
              ? t('forms.fixFields')
              : t('forms.failed', { message: refusal.message })
        }
        isBusy={isBusy}
        submitLabel={t('forms.submit')}
        onSubmit={(formData) => void submit(formData)}
      />
    </div>
  );
}
