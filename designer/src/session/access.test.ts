import { describe, expect, it } from 'vitest';
import { accessOf, displayNameOf } from './access.ts';
import type { Me } from './me.ts';

const staff: Me = {
  kind: 'user',
  permissions: ['TICKET_READ', 'WORKFLOW_MANAGE'],
  dataScope: 'all',
  user: {
    id: '1',
    name: 'Ada Admin',
    email: 'admin@docket.local',
    roles: [{ key: 'admin', name: 'Admin', names: [] }],
  },
  customer: null,
};
const customer: Me = {
  kind: 'customer',
  permissions: [],
  dataScope: null,
  user: null,
  customer: { id: '9', name: null, email: 'c@example.com' },
};

describe('accessOf', () => {
  it('grants staff exactly the permissions their roles hold', () => {
    const access = accessOf(staff);
    expect(access).toMatchObject({ isSignedIn: true, isStaff: true, isCustomer: false });
    expect(access.can('WORKFLOW_MANAGE')).toBe(true);
    expect(access.can('TEMPLATE_MANAGE')).toBe(false);
  });

  it('grants a customer no staff permission, even one listed by mistake', () => {
    const access = accessOf({ ...customer, permissions: ['TICKET_READ'] });
    expect(access).toMatchObject({ isSignedIn: true, isStaff: false, isCustomer: true });
    expect(access.can('TICKET_READ')).toBe(false);
  });

  it('knows nobody when signed out', () => {
    expect(accessOf(null)).toMatchObject({ isSignedIn: false, isStaff: false, isCustomer: false });
  });

  it('names staff by name and customers by name, else email', () => {
    expect(displayNameOf(staff)).toBe('Ada Admin');
    expect(displayNameOf(customer)).toBe('c@example.com');
  });
});
