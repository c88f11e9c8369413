/**
 * What the SDK takes from @docket/core, by file: these files are pure (no I/O, no dependencies),
 * so `npm run build` bundles them into the SDK and ships their declarations with it.
 */

export type {
  ChannelHttpMethod,
  PluginManifest,
  PluginPermissions,
  PluginTicketAccess,
} from '../../packages/core/src/plugins/plugin-manifest.ts';
export {
  checkPluginManifest,
  handlerNameOf,
  handlerNamesOf,
  PLUGIN_FLAG_PERMISSION_NAMES,
  PLUGIN_FLAG_PERMISSIONS,
  PLUGIN_MANIFEST_VERSION,
} from '../../packages/core/src/plugins/plugin-manifest.ts';
export type {
  NodeCategory,
  NodeOutput,
  NodePorts,
  PortDefinition,
} from '../../packages/core/src/workflow/define-node-type.ts';
export { defineNodeType as defineCoreNodeType } from '../../packages/core/src/workflow/define-node-type.ts';
export type {
  FromSchema,
  JsonObject,
  JsonSchema,
  JsonValue,
} from '../../packages/core/src/workflow/json-schema-type.ts';
