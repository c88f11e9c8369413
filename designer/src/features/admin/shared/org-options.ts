/** An org unit as lists give it: its id, name and parent. */
export type OrgUnitItem = { id: string | null; name: string | null; parent?: { id: string | null } | null };

export type OrgTreeOption = { value: number; title: string; key: string; children: OrgTreeOption[] };

/** The flat org list as a tree for antd's TreeSelect and Tree (roots first, children in list order). */
export function orgTreeOptions(units: readonly OrgUnitItem[]): OrgTreeOption[] {
  const byId = new Map<string, OrgTreeOption>();
  for (const u of units)
    if (u.id) byId.set(u.id, { value: Number(u.id), key: u.id, title: u.name ?? '', children: [] });
  const roots: OrgTreeOption[] = [];
  for (const u of units) {
    if (!u.id) continue;
    const node = byId.get(u.id)!;
    const parent = u.parent?.id ? byId.get(u.parent.id) : undefined;
    (parent ? parent.children : roots).push(node);
  }
  return roots;
}
