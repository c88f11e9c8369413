import type { Choice } from './form-model.ts';

/** Choices as the text the builder edits: "value | label" per line, two spaces of indent per level. */
export function choicesToText(choices: readonly Choice[] | undefined, depth = 0): string {
  return (choices ?? [])
    .map((c) => {
      const line = `${'  '.repeat(depth)}${c.value === c.label ? c.value : `${c.value} | ${c.label}`}`;
      const children = c.children?.length ? `\n${choicesToText(c.children, depth + 1)}` : '';
      return line + children;
    })
    .join('\n');
}

/** The text read back as choices; a flat list ignores indentation. Blank lines are skipped. */
export function choicesFromText(text: string, isTree: boolean): Choice[] {
  const root: Choice[] = [];
  const stack: { depth: number; list: Choice[] }[] = [{ depth: -1, list: root }];
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    const indent = raw.length - raw.trimStart().length;
    const depth = isTree ? Math.floor(indent / 2) : 0;
    const [valuePart, ...labelParts] = raw.trim().split('|');
    const value = (valuePart ?? '').trim();
    if (!value) continue;
    const label = labelParts.join('|').trim() || value;
    const choice: Choice = { value, label };
    while (stack.length > 1 && stack[stack.length - 1]!.depth >= depth) stack.pop();
    const parent = stack[stack.length - 1]!;
    parent.list.push(choice);
    if (isTree) {
      choice.children = [];
      stack.push({ depth, list: choice.children });
    }
  }
  return isTree ? withChildren(root) : root;
}

/** Keeps `children` only where there are some (the parser makes a list for every line). */
function withChildren(list: Choice[]): Choice[] {
  return list.map((c) => {
    const kids = c.children ?? [];
    return kids.length > 0
      ? { value: c.value, label: c.label, children: withChildren(kids) }
      : { value: c.value, label: c.label };
  });
}
