import { useEffect, useState } from 'react';
import { request } from '../../../graphql/client.ts';
import { graphql } from '../../../graphql/graphql.ts';

const FindCustomers = graphql(`
  query DeskFindCustomers($search: String!) {
    customers(search: $search, first: 8) {
      id
      name
      phone
      email
    }
  }
`);

export type FoundCustomer = { id: string; name: string; phone: string | null; email: string | null };

/** A customer as one line: name, phone and email, those there are. */
export const customerLabel = (c: FoundCustomer): string =>
  [c.name, c.phone, c.email].filter(Boolean).join(' · ');

/**
 * Customers by name, phone or email as a person types (after a short pause; two characters at
 * least). `searched` is the text the answer is for, so a caller can tell "no match" from "not yet".
 */
export function useCustomerSearch(
  text: string,
  isActive = true,
): { found: FoundCustomer[]; searched: string | null } {
  const [answer, setAnswer] = useState<{ found: FoundCustomer[]; searched: string | null }>({
    found: [],
    searched: null,
  });
  useEffect(() => {
    const search = text.trim();
    if (search.length < 2 || !isActive) {
      setAnswer({ found: [], searched: null });
      return;
    }
    let isCurrent = true;
    const timer = setTimeout(async () => {
      const r = await request(FindCustomers, { search }).catch(() => null);
      if (!isCurrent) return;
      const found = (r?.customers ?? []).map((c) => ({
        id: c.id ?? '',
        name: c.name ?? '',
        phone: c.phone ?? null,
        email: c.email ?? null,
      }));
      setAnswer({ found, searched: text });
    }, 250);
    return () => {
      isCurrent = false;
      clearTimeout(timer);
    };
  }, [text, isActive]);
  return answer;
}
