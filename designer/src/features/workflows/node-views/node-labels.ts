import { createContext, useContext } from 'react';

/**
 * What the node views show in place of a stored key: a notification target's name in the page's
 * language ("短信" for sms.sms). Given by the designer once its pickers are read; until then, and
 * for a key nothing names (a target no longer installed), the views show the key itself.
 */
export type NodeLabels = { target?: ReadonlyMap<string, string> };

export const NodeLabelsContext = createContext<NodeLabels>({});

export const useNodeLabels = (): NodeLabels => useContext(NodeLabelsContext);

/** The notify step's "through": in-app in words, a target by its name, else its key ('?' when unset). */
export function channelText(channel: string | undefined, labels: NodeLabels, inApp: string): string {
  if (!channel) return '?';
  if (channel === 'in_app') return inApp;
  return labels.target?.get(channel) ?? channel;
}
