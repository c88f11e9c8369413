/**
 * @docket/sdk: define a Docket plugin. Everything exported here runs inside Docket's sandbox as
 * part of your plugin's bundle, so it uses no Node API.
 */
export * from './contributions.ts';
export type {
  ChannelHttpMethod,
  FromSchema,
  JsonObject,
  JsonSchema,
  JsonValue,
  NodeCategory,
  NodeOutput,
  NodePorts,
  PluginManifest,
  PluginPermissions,
  PluginTicketAccess,
  PortDefinition,
} from './core.ts';
export { handlerNameOf } from './core.ts';
export * from './define-plugin.ts';
export * from './host-api.ts';
