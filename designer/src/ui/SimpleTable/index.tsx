import { theme } from 'antd';
import type { Key, ReactNode } from 'react';

export type SimpleColumn<Row> = { key: string; title: ReactNode; render: (row: Row) => ReactNode };

/**
 * A plain, accessible table in the theme's look for short lists on first screens (the desk, the
 * portal): antd's Table brings sorting, filtering, trees and pagination, about 80 KB gzipped,
 * which those screens' load budget cannot carry.
 */
export function SimpleTable<Row>({
  rows,
  rowKey,
  columns,
  empty,
  label,
}: {
  rows: readonly Row[];
  rowKey: (row: Row) => Key;
  columns: SimpleColumn<Row>[];
  empty: ReactNode;
  label?: string;
}) {
  const { token } = theme.useToken();
  const cell = {
    padding: '12px 16px',
    borderBottom: `1px solid ${token.colorBorderSecondary}`,
    textAlign: 'start' as const,
  };
  return (
    <div
      style={{ overflowX: 'auto', background: token.colorBgContainer, borderRadius: token.borderRadiusLG }}
    >
      <table aria-label={label} style={{ width: '100%', borderCollapse: 'collapse', color: token.colorText }}>
        <thead>
          <tr style={{ background: token.colorFillAlter }}>
            {columns.map((c) => (
              <th key={c.key} scope="col" style={{ ...cell, fontWeight: 600 }}>
                {c.title}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td
                colSpan={columns.length}
                style={{ ...cell, textAlign: 'center', color: token.colorTextSecondary }}
              >
                {empty}
              </td>
            </tr>
          ) : (
            rows.map((row) => (
              <tr key={rowKey(row)} data-row>
                {columns.map((c) => (
                  <td key={c.key} style={cell}>
                    {c.render(row)}
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
