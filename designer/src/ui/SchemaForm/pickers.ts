import { request } from '../../graphql/client.ts';
import { graphql } from '../../graphql/graphql.ts';

export type PickerKind = 'user' | 'orgUnit';
export type PickerOption = { value: string; label: string };

const UsersQuery = graphql(`
  query SchemaFormUsers {
    users {
      id
      name
      email
    }
  }
`);

const OrgUnitsQuery = graphql(`
  query SchemaFormOrgUnits {
    orgUnits {
      id
      name
      path
    }
  }
`);

/** "/1/3/7/" and the units by id as "HQ / East / Store 7". */
export function orgUnitLabel(path: string | null | undefined, names: ReadonlyMap<string, string>): string {
  const ids = (path ?? '').split('/').filter(Boolean);
  return ids.map((id) => names.get(id) ?? id).join(' / ');
}

async function fetchOptions(kind: PickerKind): Promise<PickerOption[]> {
  if (kind === 'user') {
    const data = await request(UsersQuery, {});
    return (data.users ?? []).flatMap((u) =>
      u.id ? [{ value: u.id, label: u.email ? `${u.name ?? u.id} <${u.email}>` : (u.name ?? u.id) }] : [],
    );
  }
  const data = await request(OrgUnitsQuery, {});
  const units = data.orgUnits ?? [];
  const names = new Map(units.flatMap((u) => (u.id ? [[u.id, u.name ?? u.id] as const] : [])));
  return units
    .flatMap((u) => (u.id ? [{ value: u.id, label: orgUnitLabel(u.path, names) || (u.name ?? u.id) }] : []))
    .sort((a, b) => a.label.localeCompare(b.label));
}

const cache = new Map<PickerKind, Promise<PickerOption[]>>();

/** The options of a picker, asked once per page (a failure is asked again next time). */
export function loadPickerOptions(kind: PickerKind): Promise<PickerOption[]> {
  let p = cache.get(kind);
  if (!p) {
    p = fetchOptions(kind);
    p.catch(() => cache.delete(kind));
    cache.set(kind, p);
  }
  return p;
}
