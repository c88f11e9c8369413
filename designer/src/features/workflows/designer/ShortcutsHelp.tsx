import { Modal, Table } from 'antd';
import { useTranslation } from 'react-i18next';

export const SHORTCUTS = [
  ['undo', 'Ctrl+Z'],
  ['redo', 'Ctrl+Shift+Z / Ctrl+Y'],
  ['copy', 'Ctrl+C'],
  ['paste', 'Ctrl+V'],
  ['duplicate', 'Ctrl+D'],
  ['delete', 'Delete / Backspace'],
  ['selectAll', 'Ctrl+A'],
  ['multiSelect', 'Ctrl+Click / Shift+Drag'],
  ['save', 'Ctrl+S'],
  ['layout', 'Shift+L'],
  ['fit', 'Shift+F'],
  ['escape', 'Esc'],
  ['help', '?'],
] as const;

/** The keyboard shortcuts, listed (the "?" key or the toolbar's help button opens it). */
export function ShortcutsHelp({ isOpen, onClose }: { isOpen: boolean; onClose: () => void }) {
  const { t } = useTranslation('workflows');
  return (
    <Modal open={isOpen} onCancel={onClose} footer={null} title={t('shortcuts.title')}>
      <Table
        size="small"
        pagination={false}
        rowKey={(r) => String(r[0])}
        dataSource={SHORTCUTS.map((s) => [...s])}
        columns={[
          {
            key: 'what',
            title: t('shortcuts.what'),
            render: (_, r) => t(`shortcuts.${r[0] as (typeof SHORTCUTS)[number][0]}`),
          },
          { key: 'keys', title: t('shortcuts.keys'), render: (_, r) => <kbd>{r[1]}</kbd> },
        ]}
      />
    </Modal>
  );
}
