import { Alert, AutoComplete, Button, Card, Flex, Form, Input, message, Select, Typography } from 'antd';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { request } from '../../../graphql/client.ts';
import { graphql } from '../../../graphql/graphql.ts';
import { useQuery } from '../../../graphql/use-query.ts';
import { useDisplayName } from '../../../i18n/display-name.ts';
import { PageHeading } from '../../../ui/PageHeading/index.tsx';
import { TemplateForm } from '../../../ui/TemplateForm/index.tsx';
import { useSubmission } from '../../../ui/TemplateForm/useSubmission.ts';
import { useListClosesOnChoice } from '../../../ui/useListClosesOnChoice.ts';
import { RefusalFragment } from '../../admin/shared/refusal.ts';
import { customerLabel, type FoundCustomer, useCustomerSearch } from '../hooks/useCustomerSearch.ts';
import { PRIORITIES } from '../views.ts';

const NewTicketChoices = graphql(`
  query DeskNewTicketChoices {
    templates {
      id
      key
      name
      published {
        content {
          name
          categoryPath
          defaultPriority
          formSchema
          uiSchema
        }
      }
    }
    channels {
      key
      title
      titles {
        locale
        text
      }
      isInbound
    }
  }
`);

const CreateTicket = graphql(
  `
    mutation DeskCreateTicket($input: CreateTicketInput!) {
      createTicket(input: $input) {
        __typename
        ... on Ticket {
          number
        }
        ...Refusal
      }
    }
  `,
  [RefusalFragment],
);

const PresetRequester = graphql(`
  query DeskPresetRequester($id: ID!) {
    customer(id: $id) {
      id
      name
      phone
      email
    }
  }
`);

const formId = 'new-ticket-form';

/** What a search text says about a new customer: digits are a phone, an @ an email, else a name. */
export function contactFromSearch(text: string): { name: string; phone: string; email: string } {
  const s = text.trim();
  if (s.includes('@')) return { name: '', phone: '', email: s };
  if (/^[+\d][\d\s()-]{4,}$/.test(s)) return { name: '', phone: s, email: '' };
  return { name: s, phone: '', email: '' };
}

/**
 * /desk/new: a ticket in one pass from the keyboard: template by search or category, requester by
 * name, phone or email (new ones made on the way), channel, title, the template's generated form.
 */
export default function NewTicketPage() {
  const { t } = useTranslation(['desk', 'shell']);
  const displayName = useDisplayName();
  const navigate = useNavigate();
  const [api, holder] = message.useMessage();
  const { data } = useQuery(NewTicketChoices, {});
  const [templateId, setTemplateId] = useState<string | undefined>();
  const picker = useListClosesOnChoice();
  const [search, setSearch] = useState('');
  const [customer, setCustomer] = useState<FoundCustomer | null>(null);
  const [contact, setContact] = useState({ name: '', phone: '', email: '' });
  const [channel, setChannel] = useState('phone');
  const [title, setTitle] = useState('');
  const [priority, setPriority] = useState<string | undefined>();
  const [problem, setProblem] = useState<string | null>(null);
  const { isBusy, refusal, submit: send } = useSubmission();
  const { found, searched } = useCustomerSearch(search, !customer);
  // ?requester=<customer id> (a ringing call's "New ticket for this caller"): that customer, picked.
  const [params] = useSearchParams();
  const presetId = params.get('requester');
  useEffect(() => {
    if (!presetId) return;
    let isCurrent = true;
    request(PresetRequester, { id: presetId }).then(
      (r) => {
        const c = r.customer;
        if (isCurrent && c?.id)
          setCustomer({ id: c.id, name: c.name ?? '', phone: c.phone ?? null, email: c.email ?? null });
      },
      () => {}, // not found or not allowed: the agent picks the requester by hand
    );
    return () => {
      isCurrent = false;
    };
  }, [presetId]);
  // ?phone=<number> (a call from a number no customer has): looked up as if typed, so it fills the
  // new customer's phone, or offers the customer who has it by now.
  const presetPhone = presetId ? null : params.get('phone');
  useEffect(() => {
    if (!presetPhone) return;
    setCustomer(null);
    setSearch(presetPhone);
  }, [presetPhone]);

  // Ctrl+Enter (⌘+Enter) anywhere on the page creates the ticket.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Enter' || !(e.ctrlKey || e.metaKey)) return;
      e.preventDefault();
      (document.getElementById(formId) as HTMLFormElement | null)?.requestSubmit();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  const templates = (data?.templates ?? []).filter((x) => x.published?.content);
  const template = templates.find((x) => x.id === templateId);
  const content = template?.published?.content;
  const label = (x: (typeof templates)[number]) =>
    [...(x.published?.content?.categoryPath ?? []), x.published?.content?.name ?? x.name].join(' / ');
  const choose = (id: string) => {
    picker.chosen();
    setTemplateId(id);
    const picked = templates.find((x) => x.id === id);
    setPriority(picked?.published?.content?.defaultPriority ?? undefined);
  };

  // A phone agent types ahead: the template's name and Enter can come before the list has arrived.
  // What was typed is kept, and the first template it matches is picked once the list is here, as
  // Enter would have picked it.
  const typed = useRef('');
  const [pendingPick, setPendingPick] = useState<string | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs once the list arrives; choose and templates are this render's
  useEffect(() => {
    if (pendingPick === null || !data) return;
    setPendingPick(null);
    const text = pendingPick.trim().toLowerCase();
    const first = templates.find((x) => label(x).toLowerCase().includes(text));
    if (first?.id && text) choose(first.id);
  }, [pendingPick, data]);

  // No customer matches what the agent typed: it is the new one's phone, email or name (the
  // caller's number as it came, when it came from a call).
  useEffect(() => {
    if (searched === null || found.length > 0) return;
    setContact(
      presetPhone && searched === presetPhone
        ? { name: '', phone: presetPhone.trim(), email: '' }
        : contactFromSearch(searched),
    );
  }, [found, searched, presetPhone]);

  const submit = async (formData: Record<string, unknown>) => {
    if (!template) {
      setProblem(t('create.pickTemplateFirst'));
      return;
    }
    setProblem(null);
    const requester = customer
      ? { requesterId: Number(customer.id) }
      : contact.email || contact.phone
        ? {
            requester: {
              name: contact.name || null,
              phone: contact.phone || null,
              email: contact.email || null,
            },
          }
        : {};
    const who = customer?.name ?? contact.name;
    const r = await send(
      async () =>
        (
          await request(CreateTicket, {
            input: {
              templateId: Number(template.id),
              title: title.trim() || [content?.name ?? template.name, who].filter(Boolean).join(' — '),
              channel,
              ...(priority ? { priority: priority as never } : {}),
              formData,
              ...requester,
            },
          })
        ).createTicket,
      'Ticket',
    );
    if (r) {
      void api.success(t('create.created', { number: r.number ?? '' }));
      navigate(`/desk/tickets/${encodeURIComponent(r.number ?? '')}`);
    }
  };
  const refused = refusal
    ? [
        refusal.message,
        ...Object.entries(refusal.otherErrors).map(([path, message]) => `${path}: ${message}`),
      ]
        .filter(Boolean)
        .join(' ')
    : '';

  const options = useMemo(() => found.map((c) => ({ value: c.id, label: customerLabel(c) })), [found]);

  return (
    <div>
      {holder}
      <PageHeading title={t('create.title')} />
      <Typography.Paragraph type="secondary">{t('create.keys')}</Typography.Paragraph>
      <Form layout="vertical" component="div" style={{ maxWidth: 720 }}>
        <Form.Item label={t('create.template')} htmlFor="new-ticket-template">
          <Select
            id="new-ticket-template"
            autoFocus
            showSearch={{
              optionFilterProp: 'label',
              onSearch: (text) => {
                typed.current = text;
              },
            }}
            placeholder={t('create.templateSearch')}
            loading={!data}
            value={templateId}
            {...picker.listProps}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !data) setPendingPick(typed.current);
            }}
            onChange={choose}
            options={templates.map((x) => ({ value: x.id ?? '', label: label(x) }))}
            data-testid="template-picker"
          />
        </Form.Item>
        <Form.Item label={t('create.requester')} htmlFor="new-ticket-requester">
          {customer ? (
            <Flex gap={8} align="center">
              <Typography.Text data-testid="picked-requester">
                {t('create.requesterPicked', {
                  name: customerLabel(customer),
                })}
              </Typography.Text>
              <Button size="small" onClick={() => setCustomer(null)}>
                ×
              </Button>
            </Flex>
          ) : (
            <AutoComplete
              id="new-ticket-requester"
              placeholder={t('create.requesterSearch')}
              value={search}
              onChange={setSearch}
              options={options}
              onSelect={(id: string) => setCustomer(found.find((c) => c.id === id) ?? null)}
              defaultActiveFirstOption
              data-testid="requester-search"
            />
          )}
        </Form.Item>
        {!customer && searched !== null && found.length === 0 ? (
          <Card size="small" title={t('create.requesterNew')} style={{ marginBottom: 16 }}>
            <Typography.Paragraph type="secondary">{t('create.noMatch')}</Typography.Paragraph>
            <Flex gap={8} wrap>
              <Input
                aria-label={t('create.requesterName')}
                placeholder={t('create.requesterName')}
                value={contact.name}
                onChange={(e) => setContact({ ...contact, name: e.target.value })}
                style={{ flex: '1 1 160px' }}
              />
              <Input
                aria-label={t('create.requesterPhone')}
                placeholder={t('create.requesterPhone')}
                value={contact.phone}
                onChange={(e) => setContact({ ...contact, phone: e.target.value })}
                style={{ flex: '1 1 160px' }}
              />
              <Input
                aria-label={t('create.requesterEmail')}
                placeholder={t('create.requesterEmail')}
                value={contact.email}
                onChange={(e) => setContact({ ...contact, email: e.target.value })}
                style={{ flex: '1 1 160px' }}
              />
            </Flex>
          </Card>
        ) : null}
        <Flex gap={16} wrap>
          <Form.Item label={t('create.channel')} htmlFor="new-ticket-channel" style={{ flex: '1 1 160px' }}>
            <Select
              id="new-ticket-channel"
              value={channel}
              onChange={setChannel}
              options={(data?.channels ?? [])
                .filter((c) => c.isInbound)
                .map((c) => ({ value: c.key ?? '', label: displayName(c.title, c.titles) }))}
            />
          </Form.Item>
          <Form.Item label={t('create.priority')} htmlFor="new-ticket-priority" style={{ flex: '1 1 160px' }}>
            <Select
              id="new-ticket-priority"
              value={priority}
              onChange={setPriority}
              options={PRIORITIES.map((p) => ({ value: p, label: t(`shell:priority.${p}`) }))}
            />
          </Form.Item>
        </Flex>
        <Form.Item label={t('create.ticketTitle')} htmlFor="new-ticket-title">
          <Input
            id="new-ticket-title"
            value={title}
            onChange={(e) => setTitle(e.target.value)}
            data-testid="new-ticket-title"
          />
        </Form.Item>
      </Form>
      {content?.formSchema ? (
        <div style={{ maxWidth: 720 }}>
          <TemplateForm
            key={template?.id}
            id={formId}
            formSchema={content.formSchema}
            uiSchema={content.uiSchema}
            refusal={refusal}
            problem={problem ?? refused}
            isBusy={isBusy}
            submitLabel={t('create.submit')}
            onSubmit={(formData) => void submit(formData)}
          />
        </div>
      ) : problem ? (
        <Alert type="error" showIcon title={problem} style={{ marginBottom: 16, maxWidth: 720 }} />
      ) : null}
    </div>
  );
}
