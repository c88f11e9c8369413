import type { NotificationTargetRegistry } from '../notifications/targets.ts';
import { createNotificationTargetRegistry } from '../notifications/targets.ts';
import { createSlaActionRegistry, type SlaActionRegistry } from '../sla/sla-action-registry.ts';
import { registerCoreSlaActions } from '../sla/sla-actions.ts';
import { type ChannelRegistry, createChannelRegistry } from '../tickets/channels.ts';
import { registerCoreEffectHandlers } from '../workflows/effects/core-effects.ts';
import {
  createEffectHandlerRegistry,
  type EffectHandlerRegistry,
} from '../workflows/effects/effect-handler.ts';
import { createNodeTypeCatalog, type NodeTypeCatalog } from '../workflows/node-type-catalog.ts';

/**
 * Every extension point of the server, built once by buildApp and held by its services: node
 * types with their executors, the handlers of their effects, channels, notification targets and
 * SLA actions. The core's entries are registered here; plugins register theirs into the same
 * registries.
 */
export type Registries = {
  nodeTypes: NodeTypeCatalog;
  effects: EffectHandlerRegistry;
  channels: ChannelRegistry;
  notificationTargets: NotificationTargetRegistry;
  slaActions: SlaActionRegistry;
};

export function createRegistries(): Registries {
  const effects = createEffectHandlerRegistry();
  registerCoreEffectHandlers(effects);
  const slaActions = createSlaActionRegistry();
  registerCoreSlaActions(slaActions);
  return {
    nodeTypes: createNodeTypeCatalog(),
    effects,
    channels: createChannelRegistry(),
    notificationTargets: createNotificationTargetRegistry(),
    slaActions,
  };
}
