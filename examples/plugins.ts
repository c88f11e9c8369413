/**
 * The first-party plugins the example pack installs (from plugins/<folder>, built by
 * plugins/build.ts), with everything they ask for granted and these settings: a support mailbox
 * feeding the enquiry template, a partner's webhook feeding returns, the phone system feeding
 * call-centre requests, an SMS gateway and no chat robots yet (an admin adds their URLs), and
 * the SLA actions policies can name.
 * The loopback addresses stand for the outside systems an admin would name.
 */
export type ExamplePlugin = {
  /** The folder under plugins/. */
  folder: string;
  /** The plugin's name (its manifest's). */
  name: string;
  /** Settings, secrets included (configurePlugin takes both). */
  settings: Record<string, unknown>;
};

export const EXAMPLE_PARTNER_SECRET = 'acme-demo-secret';
export const EXAMPLE_CTI_SECRET = 'cti-demo-secret';

export const plugins: ExamplePlugin[] = [
  {
    folder: 'email',
    name: 'email',
    settings: {
      mailboxes: [{ address: 'support@docket.local', templateKey: 'enquiry', fields: { message: 'text' } }],
      fromAddress: 'support@docket.local',
      fromName: 'Docket Support',
      smtpHost: '127.0.0.1',
      smtpPort: 2526,
    },
  },
  {
    folder: 'webhook',
    name: 'webhook',
    settings: {
      partners: [
        {
          key: 'acme',
          templateKey: 'returns',
          mapping: {
            returnReason: '/return/reason',
            productModel: '/return/model',
            purchaseDate: '/return/purchasedOn',
            logistics: '/return/logistics',
          },
          titlePointer: '/subject',
          threadPointer: '/orderId',
          requesterEmailPointer: '/customer/email',
          requesterPhonePointer: '/customer/phone',
          requesterNamePointer: '/customer/name',
          replyTextPointer: '/message',
          callbackUrl: 'http://127.0.0.1:4100/docket/replies',
        },
      ],
      partnerSecrets: JSON.stringify({ acme: EXAMPLE_PARTNER_SECRET }),
    },
  },
  {
    folder: 'cti',
    name: 'cti',
    settings: {
      templateKey: 'call-centre',
      callerField: 'callerNumber',
      summaryField: 'details',
      signingSecret: EXAMPLE_CTI_SECRET,
    },
  },
  {
    folder: 'sms',
    name: 'sms',
    settings: {
      gatewayUrl: 'http://127.0.0.1:4101/sms',
      authScheme: 'bearer',
      apiKey: 'sms-demo-key',
      template: '[Docket] {{subject}} {{ticket}}',
      maxSegments: 2,
    },
  },
  { folder: 'chat-robots', name: 'chat_robots', settings: { robots: [] } },
  // SLA actions a policy can name: escalate by chat robot and SMS, reassign by load, follow-ups.
  { folder: 'sla-actions', name: 'sla_actions', settings: {} },
];
