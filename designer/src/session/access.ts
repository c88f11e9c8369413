import type { Me, Permission } from './me.ts';

/** What the signed-in person may do, as the navigation and route guards ask it. */
export type Access = {
  isSignedIn: boolean;
  isStaff: boolean;
  isCustomer: boolean;
  can: (permission: Permission) => boolean;
};

export function accessOf(me: Me | null | undefined): Access {
  const permissions = new Set<Permission>(me?.permissions ?? []);
  const isStaff = me?.kind === 'user';
  return {
    isSignedIn: Boolean(me),
    isStaff,
    isCustomer: me?.kind === 'customer',
    can: (permission) => isStaff && permissions.has(permission),
  };
}

/** The name to greet the person with: staff by their user name, customers by theirs or their email. */
export function displayNameOf(me: Me): string {
  return me.user?.name ?? me.customer?.name ?? me.customer?.email ?? me.user?.email ?? '';
}
