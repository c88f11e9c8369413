import { theme } from 'antd';
import type { CSSProperties, ReactNode } from 'react';

/**
 * Plain text in the theme's colours. antd's Typography would do, but it brings editing and
 * copying machinery (inputs, dropdowns) into every page's first load; these need none of it.
 */
export function Text({
  tone = 'secondary',
  as = 'span',
  children,
  style,
}: {
  tone?: 'default' | 'secondary' | 'success';
  as?: 'span' | 'p';
  children: ReactNode;
  style?: CSSProperties;
}) {
  const { token } = theme.useToken();
  const color =
    tone === 'secondary'
      ? token.colorTextSecondary
      : tone === 'success'
        ? token.colorSuccess
        : token.colorText;
  const Tag = as;
  return (
    <Tag style={{ color, fontSize: token.fontSize, margin: as === 'p' ? '0 0 12px' : undefined, ...style }}>
      {children}
    </Tag>
  );
}

/** A key, number or pattern as typed: monospace on a light background. */
export function Code({ children }: { children: ReactNode }) {
  const { token } = theme.useToken();
  return (
    <code
      style={{
        fontFamily: token.fontFamilyCode,
        fontSize: '0.9em',
        padding: '1px 6px',
        background: token.colorFillTertiary,
        border: `1px solid ${token.colorBorderSecondary}`,
        borderRadius: token.borderRadiusSM,
      }}
    >
      {children}
    </code>
  );
}

/** A section heading inside a page (its h2). */
export function SectionTitle({ children }: { children: ReactNode }) {
  const { token } = theme.useToken();
  return (
    <h2 style={{ fontSize: 18, fontWeight: 600, margin: '24px 0 12px', color: token.colorText }}>
      {children}
    </h2>
  );
}
