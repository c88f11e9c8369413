import { TranslatableString } from '@rjsf/utils';

const RJSF_ZH: Partial<Record<TranslatableString, string>> = {
  [TranslatableString.AddItemButton]: '添加一项',
  [TranslatableString.AddButton]: '添加',
  [TranslatableString.RemoveButton]: '删除',
  [TranslatableString.MoveUpButton]: '上移',
  [TranslatableString.MoveDownButton]: '下移',
  [TranslatableString.CopyButton]: '复制',
  [TranslatableString.ArrayItemTitle]: '项',
  [TranslatableString.NewStringDefault]: '新值',
  [TranslatableString.EmptyArray]: '还没有内容，用下面的按钮添加。',
  [TranslatableString.ErrorsLabel]: '错误',
  [TranslatableString.ClearLabel]: '清除',
  [TranslatableString.NowLabel]: '现在',
  [TranslatableString.OptionalObjectAdd]: '添加',
  [TranslatableString.OptionalObjectRemove]: '移除',
  [TranslatableString.YesLabel]: '是',
  [TranslatableString.NoLabel]: '否',
};

/** rjsf's own button and label words in the page's language (rjsf's translateString). */
export function rjsfTranslator(language: string): (s: TranslatableString, params?: string[]) => string {
  return (s, params) => {
    const zh = language === 'zh-CN' ? RJSF_ZH[s] : undefined;
    if (zh) return zh;
    let out: string = s;
    params?.forEach((p, i) => {
      out = out.replace(`%${i + 1}`, p);
    });
    return out;
  };
}
