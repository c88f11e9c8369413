import { Flex, theme } from 'antd';
import type { ReactNode } from 'react';

/** A page's title (its h1) with what sits beside it: counts, actions. */
export function PageHeading({ title, extra }: { title: ReactNode; extra?: ReactNode }) {
  const { token } = theme.useToken();
  return (
    <Flex justify="space-between" align="center" wrap gap={12} style={{ marginBottom: 16 }}>
      <h1 style={{ margin: 0, fontSize: 24, fontWeight: 600, color: token.colorText }}>{title}</h1>
      {extra}
    </Flex>
  );
}
