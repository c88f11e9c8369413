import { defineChannel, definePlugin, type InboundResult, type JsonValue } from '@docket/sdk';
import { signPayload, timingSafeEqual } from '@docket/sdk/crypto';

/**
 * Phone events from a call-centre system (CTI), posted as signed JSON (X-Docket-Timestamp and
 * X-Docket-Signature, as the webhook plugin) to /channels/cti/calls/<event>:
 * - `started` {callId, caller, agentEmail?}: the desk of the agent taking the call (or every desk)
 *   is told who is calling: the customer found by the caller's number and their open tickets.
 * - `ended` {callId, caller, agentEmail?, recordingUrl?, durationSeconds?, summary?,
 *   createTicket?: {title, templateKey?, formData?}}: with `createTicket`, a ticket is opened for
 *   the caller from the call, with its recording link; the settings name the form fields that take
 *   the caller's number, the summary and the recording link.
 */

type Call = {
  callId?: string;
  caller?: string;
  callerName?: string;
  agentEmail?: string;
  recordingUrl?: string;
  durationSeconds?: number;
  summary?: string;
  createTicket?: { title?: string; templateKey?: string; formData?: Record<string, JsonValue> };
};

const answer = (status: number, body: Record<string, JsonValue>) => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

const refuse = (status: number, error: string): InboundResult => ({
  action: 'ignore',
  reason: error,
  httpResponse: answer(status, { error }),
});

const calls = defineChannel({
  name: 'calls',
  title: 'Phone (CTI)',
  titles: { 'zh-CN': '电话（呼叫中心）' },
  description: 'Call started and ended events from the call-centre system.',
  inbound: { http: { methods: ['POST'] } },
  receive: async (req, ctx): Promise<InboundResult> => {
    if (req.kind !== 'http') return { action: 'ignore', reason: 'the phone channel takes HTTP only' };
    const secret = ctx.secrets.signingSecret ?? '';
    if (!secret) return refuse(503, 'no signing secret is set in the phone plugin');
    const ts = req.headers['x-docket-timestamp'] ?? '';
    if (!/^\d{9,11}$/.test(ts) || Math.abs(Date.now() / 1000 - Number(ts)) > 300)
      return refuse(401, 'sign the request with a current X-Docket-Timestamp');
    if (!timingSafeEqual(signPayload(secret, ts, req.body), req.headers['x-docket-signature'] ?? ''))
      return refuse(401, 'the signature does not match');
    let call: Call;
    try {
      call = JSON.parse(req.body) as Call;
    } catch {
      return refuse(400, 'the body is not JSON');
    }
    const event = req.path.replace(/^\//, '');
    if (typeof call.caller !== 'string' || !/^\+?[0-9][0-9 -]{2,20}$/.test(call.caller))
      return refuse(422, 'caller: give the caller number');
    if (typeof call.callId !== 'string' || !call.callId) return refuse(422, 'callId: give the call id');
    const caller = call.caller.replace(/[ -]/g, '');
    const person = { phone: caller, ...(call.callerName ? { name: call.callerName } : {}) };
    if (event === 'started')
      return {
        action: 'signal',
        signal: 'caller',
        person,
        ...(call.agentEmail ? { agentEmail: call.agentEmail } : {}),
        data: { callId: call.callId },
        httpResponse: answer(200, { ok: true }),
      };
    if (event !== 'ended') return refuse(404, `no event "${event.slice(0, 40)}" (started, ended)`);
    if (!call.createTicket)
      return { action: 'ignore', reason: 'the call ended', httpResponse: answer(200, { ok: true }) };
    const templateKey = call.createTicket.templateKey ?? String(ctx.config.templateKey ?? '');
    if (!templateKey)
      return refuse(422, 'createTicket.templateKey: name a template (or set one in the plugin)');
    const lines = [
      call.summary ?? '',
      call.recordingUrl ? `Recording: ${call.recordingUrl}` : '',
      call.durationSeconds ? `Duration: ${Math.round(call.durationSeconds)} s` : '',
    ].filter(Boolean);
    const fieldOf = (k: string) => String(ctx.config[k] ?? '');
    const formData: Record<string, JsonValue> = { ...(call.createTicket.formData ?? {}) };
    if (fieldOf('callerField')) formData[fieldOf('callerField')] = caller;
    if (fieldOf('summaryField') && call.summary) formData[fieldOf('summaryField')] = call.summary;
    if (fieldOf('recordingField') && call.recordingUrl)
      formData[fieldOf('recordingField')] = call.recordingUrl;
    return {
      action: 'create',
      threadKey: call.callId,
      ticket: {
        templateKey,
        title: (call.createTicket.title ?? `Call from ${caller}`).slice(0, 200),
        description: lines.join('\n'),
        formData,
      },
      requester: person,
      httpResponse: answer(201, { ok: true }),
    };
  },
});

export default definePlugin({
  name: 'cti',
  version: '1.0.0',
  displayName: 'Phone (CTI)',
  description: 'Call events from the call-centre system: the caller on the desk, tickets from calls.',
  permissions: {},
  config: {
    type: 'object',
    properties: {
      templateKey: { type: 'string', title: 'Template of tickets from calls' },
      callerField: { type: 'string', title: "Form field for the caller's number (optional)" },
      summaryField: { type: 'string', title: "Form field for the call's summary (optional)" },
      recordingField: { type: 'string', title: 'Form field for the recording link (optional)' },
      signingSecret: { type: 'string', title: 'Signing secret', 'x-secret': true },
    },
  },
  contributes: { channels: [calls] },
});
