import { defineNodeType, definePlugin, defineSlaAction } from '@docket/sdk';

/** A value at a dotted path of the form data ("logistics.trackingNumber"). */
function fieldAt(form: Record<string, unknown>, path: string): unknown {
  let value: unknown = form;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/**
 * A workflow step that asks the parcel service where the ticket's parcel is, writes its status
 * onto the ticket (the field `parcelStatus`) and leaves by "delivered", "in_transit" or "unknown".
 */
const lookup = defineNodeType({
  type: 'parcel.lookup',
  version: 1,
  title: 'Look up a parcel',
  description: "Asks the parcel service for the status of the ticket's parcel.",
  category: 'action',
  configSchema: {
    type: 'object',
    required: ['trackingField'],
    properties: {
      trackingField: {
        type: 'string',
        title: 'Form field with the tracking number',
        description: 'A dotted path into the form, e.g. logistics.trackingNumber',
        minLength: 1,
      },
    },
  },
  defaultConfig: { trackingField: 'trackingNumber' },
  ports: {
    hasInput: true,
    outputs: [
      { id: 'delivered', label: 'Delivered' },
      { id: 'in_transit', label: 'On its way' },
      { id: 'unknown', label: 'Not found' },
    ],
  },
  run: async ({ config, inputs }, ctx) => {
    const tracking = fieldAt(inputs.form, config.trackingField);
    if (typeof tracking !== 'string' || tracking.trim() === '')
      return {
        port: 'unknown',
        outputs: { trackingNumber: null, status: 'no_tracking_number', location: null },
      };
    const api = String(ctx.config.apiBase ?? 'https://api.parcels.example');
    const res = await ctx.fetch(`${api}/v1/parcels/${encodeURIComponent(tracking.trim())}`, {
      headers: { authorization: `Bearer ${ctx.secrets.apiKey ?? ''}` },
    });
    if (res.status === 404)
      return { port: 'unknown', outputs: { trackingNumber: tracking, status: 'not_found', location: null } };
    if (!res.ok) throw new Error(`the parcel service answered ${res.status}`);
    const parcel = await res.json<{ status: string; location?: string }>();
    await ctx.ticket.patch?.({ parcelStatus: parcel.status });
    ctx.log.info('parcel looked up', { trackingNumber: tracking, status: parcel.status });
    return {
      port: parcel.status === 'delivered' ? 'delivered' : 'in_transit',
      outputs: { trackingNumber: tracking, status: parcel.status, location: parcel.location ?? null },
    };
  },
});

const METRICS = {
  first_response: 'First response',
  next_response: 'Next response',
  periodic_update: 'Periodic update',
  resolution: 'Resolution',
} as const;

/** An SLA action: tells a chat room that a ticket's target is near or breached. */
const postToChat = defineSlaAction({
  name: 'post_to_chat',
  title: 'Post to the team chat',
  configSchema: {
    type: 'object',
    required: ['room'],
    properties: { room: { type: 'string', title: 'Chat room', minLength: 1 } },
  },
  run: async ({ config, event, ticket }, ctx) => {
    const chat = String(ctx.config.chatBase ?? 'https://chat.example.com');
    const text = `${ticket.number ?? ticket.id} "${ticket.title ?? ''}": ${METRICS[event.metric]} ${
      event.isBreached ? 'breached' : 'due'
    } at ${event.dueAt}`;
    const res = await ctx.fetch(`${chat}/rooms/${encodeURIComponent(config.room)}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ctx.secrets.chatToken ?? ''}`, 'content-type': 'application/json' },
      body: { text },
    });
    if (!res.ok) throw new Error(`the chat answered ${res.status}`);
    return { note: `posted to ${config.room}` };
  },
});

export default definePlugin({
  name: 'parcel',
  version: '1.0.0',
  displayName: 'Parcel tracking',
  description: 'Looks up parcels for workflow steps and tells the team chat about SLA breaches.',
  permissions: { fetch: ['api.parcels.example', 'chat.example.com'], ticket: 'patch' },
  config: {
    type: 'object',
    required: ['apiKey'],
    properties: {
      apiBase: { type: 'string', title: 'Parcel service', default: 'https://api.parcels.example' },
      apiKey: { type: 'string', title: 'Parcel service API key', 'x-secret': true },
      chatBase: { type: 'string', title: 'Chat service', default: 'https://chat.example.com' },
      chatToken: { type: 'string', title: 'Chat token', 'x-secret': true },
    },
  },
  contributes: { nodeTypes: [lookup], slaActions: [postToChat] },
});
