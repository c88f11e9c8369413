import { Segmented } from 'antd';
import { useTranslation } from 'react-i18next';
import type { LanguageCode } from '../../i18n/define-messages.ts';
import { changeLanguage, currentLanguage } from '../../i18n/i18n.ts';
import { LANGUAGES } from '../../i18n/languages.ts';

/** English | 中文: switches at once and is remembered in this browser. */
export function LanguageSwitch() {
  const { t } = useTranslation('shell');
  return (
    <Segmented<LanguageCode>
      aria-label={t('header.language')}
      data-testid="language-switch"
      size="small"
      value={currentLanguage()}
      onChange={(language) => void changeLanguage(language)}
      options={LANGUAGES.map((l) => ({ value: l.code, label: l.label }))}
    />
  );
}
