import { type ChannelDefinition, CORE_CHANNELS, type FieldError, fieldError } from '@docket/core';
import { Registry } from '../extensions/registry.ts';

/** The channels tickets come through, by key: the core ones, and those channel plugins add. */
export type ChannelRegistry = Registry<ChannelDefinition>;

export function createChannelRegistry(): ChannelRegistry {
  const channels = new Registry<ChannelDefinition>('Channel');
  for (const c of CORE_CHANNELS) channels.register(c.key, c, 'core');
  return channels;
}

/** A field error when a ticket cannot come in through this channel, naming the ones it can. */
export function checkInboundChannel(channels: ChannelRegistry, key: string, path: string): FieldError | null {
  if (channels.get(key)?.isInbound) return null;
  const known = channels
    .values()
    .filter((c) => c.isInbound)
    .map((c) => c.key);
  return fieldError(
    path,
    'invalid',
    `"${key}" is not a channel a ticket can come from; the channels are ${known.join(', ')}.`,
  );
}
