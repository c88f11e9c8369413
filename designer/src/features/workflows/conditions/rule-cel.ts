/*
 * The visual rule builder's rules and CEL text, both ways. The builder (react-querybuilder) edits
 * a tree of groups and rules; a condition is stored as CEL. ruleGroupToCel writes the tree as
 * CEL; celToRuleGroup reads back the part of CEL the builder can show (comparisons of a field with
 * a value, text tests, membership, presence, joined by && and || with ! and parentheses) and says
 * why when text goes beyond it, so the person edits that condition as text. Pure: no React.
 */

/** What a field holds, as the condition sees it (CEL types the builder knows how to compare). */
export type RuleFieldType = 'string' | 'int' | 'double' | 'bool' | 'timestamp' | 'list';

/** A field a rule can test: its CEL path (`form.returnReason`) and type. */
export type RuleField = { name: string; label: string; type: RuleFieldType; values?: readonly string[] };

export const RULE_OPERATORS = [
  '=',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  'contains',
  'beginsWith',
  'endsWith',
  'in',
  'notIn',
  'notNull',
  'null',
] as const;
export type RuleOperator = (typeof RULE_OPERATORS)[number];

export type RuleValue = string | number | boolean | (string | number)[] | null;
/** react-querybuilder's rule and group shapes (ids and other keys it adds are ignored here). */
export type Rule = { field: string; operator: string; value: RuleValue | unknown };
export type RuleGroup = { combinator: 'and' | 'or' | string; not?: boolean; rules: (Rule | RuleGroup)[] };

export const isGroup = (r: Rule | RuleGroup): r is RuleGroup => 'rules' in r && Array.isArray(r.rules);

/** The operators that make sense for a field of this type. */
export function operatorsFor(type: RuleFieldType): RuleOperator[] {
  switch (type) {
    case 'string':
      return ['=', '!=', 'contains', 'beginsWith', 'endsWith', 'in', 'notIn', 'notNull', 'null'];
    case 'int':
    case 'double':
    case 'timestamp':
      return ['=', '!=', '<', '<=', '>', '>=', 'in', 'notIn', 'notNull', 'null'];
    case 'bool':
      return ['=', '!=', 'notNull', 'null'];
    case 'list':
      return ['contains', 'notNull', 'null'];
  }
}

// ---------------------------------------------------------------------------------------------
// Rules -> CEL

/** Writes a group as CEL. An empty group is `true` (it lets every ticket through). */
export function ruleGroupToCel(group: RuleGroup, fields: readonly RuleField[] = []): string {
  const types = new Map(fields.map((f) => [f.name, f.type]));
  const text = groupText(group, types, true);
  return text === '' ? 'true' : text;
}

function groupText(group: RuleGroup, types: Map<string, RuleFieldType>, isTop: boolean): string {
  const parts = group.rules
    .map((r) => (isGroup(r) ? groupText(r, types, false) : ruleText(r, types)))
    .filter((p) => p !== '');
  if (parts.length === 0) return group.not ? 'false' : '';
  const joiner = group.combinator === 'or' ? ' || ' : ' && ';
  const body = parts.join(joiner);
  if (group.not) return `!(${body})`;
  return parts.length > 1 && !isTop ? `(${body})` : body;
}

function ruleText(rule: Rule, types: Map<string, RuleFieldType>): string {
  const field = rule.field;
  if (!isPath(field)) return '';
  const type = types.get(field);
  const v = rule.value;
  switch (rule.operator as RuleOperator) {
    case 'notNull':
      return `has(${field})`;
    case 'null':
      return `!has(${field})`;
    case 'contains':
      return `${field}.contains(${literal(v, type === 'list' ? undefined : 'string')})`;
    case 'beginsWith':
      return `${field}.startsWith(${literal(v, 'string')})`;
    case 'endsWith':
      return `${field}.endsWith(${literal(v, 'string')})`;
    case 'in':
      return `${field} in ${listLiteral(v, type)}`;
    case 'notIn':
      return `!(${field} in ${listLiteral(v, type)})`;
    case '=':
      return `${field} == ${literal(v, type)}`;
    case '!=':
    case '<':
    case '<=':
    case '>':
    case '>=':
      return `${field} ${rule.operator} ${literal(v, type)}`;
    default:
      return '';
  }
}

/** A rule's list value: an array as it is, "a, b" split at commas, one value as a list of one. */
export function listItems(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string')
    return v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  return v === null || v === undefined ? [] : [v];
}

function listLiteral(v: unknown, type: RuleFieldType | undefined): string {
  return `[${listItems(v)
    .map((i) => literal(i, type))
    .join(', ')}]`;
}

/** A CEL literal for a value, typed by its field (numbers for int and double, quoted text, bools). */
export function literal(v: unknown, type: RuleFieldType | undefined): string {
  if (type === 'timestamp') return `timestamp(${quote(String(v ?? ''))})`;
  if (type === 'bool') return v === true || v === 'true' ? 'true' : 'false';
  if (type === 'int' || type === 'double') {
    const n = typeof v === 'number' ? v : Number(String(v ?? '').trim());
    if (Number.isFinite(n) && String(v ?? '').trim() !== '') {
      if (type === 'double' && Number.isInteger(n)) return `${n}.0`;
      return type === 'int' ? String(Math.trunc(n)) : String(n);
    }
    return quote(String(v ?? ''));
  }
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return String(v);
  if (v === null || v === undefined) return "''";
  return quote(String(v));
}

const quote = (s: string): string =>
  `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}'`;

const isPath = (s: string): boolean => /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(s);

// ---------------------------------------------------------------------------------------------
// CEL -> rules

export type CelReading = { isReadable: true; group: RuleGroup } | { isReadable: false; reason: string };

type Token =
  | { kind: 'ident'; text: string; at: number }
  | { kind: 'string'; value: string; at: number }
  | { kind: 'number'; value: number; text: string; at: number }
  | { kind: 'op'; text: string; at: number };

class Unreadable extends Error {}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const at = i;
    if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < text.length && /[A-Za-z0-9_]/.test(text[j] as string)) j++;
      tokens.push({ kind: 'ident', text: text.slice(i, j), at });
      i = j;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(text[i + 1] ?? '') && isValueStart(tokens))) {
      const m = /^-?(?:[0-9]+\.[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+(?:[eE][+-]?[0-9]+)?)u?/.exec(text.slice(i));
      if (!m) throw new Unreadable(`the number at column ${i + 1}`);
      const raw = m[0].replace(/u$/, '');
      tokens.push({ kind: 'number', value: Number(raw), text: raw, at });
      i += m[0].length;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let value = '';
      for (;;) {
        if (j >= text.length) throw new Unreadable(`the text that starts at column ${i + 1} never ends`);
        const d = text[j] as string;
        if (d === c) break;
        if (d === '\\') {
          const e = text[j + 1];
          value += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : (e ?? '');
          j += 2;
          continue;
        }
        value += d;
        j++;
      }
      tokens.push({ kind: 'string', value, at });
      i = j + 1;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (['==', '!=', '<=', '>=', '&&', '||'].includes(two)) {
      tokens.push({ kind: 'op', text: two, at });
      i += 2;
      continue;
    }
    if ('<>!()[],.'.includes(c)) {
      tokens.push({ kind: 'op', text: c, at });
      i++;
      continue;
    }
    throw new Unreadable(`"${c}" at column ${i + 1}`);
  }
  return tokens;
}

/** A minus sign starts a number only where a value may start (not after a value: `a-1`). */
function isValueStart(tokens: Token[]): boolean {
  const last = tokens.at(-1);
  return !last || (last.kind === 'op' && last.text !== ')' && last.text !== ']');
}

type Literal = string | number | boolean;

/** Reads CEL text back into a group the builder can show, or says what it cannot show. */
export function celToRuleGroup(text: string): CelReading {
  if (text.trim() === '' || text.trim() === 'true')
    return { isReadable: true, group: { combinator: 'and', rules: [] } };
  try {
    const p = new Parser(tokenize(text));
    const node = p.or();
    p.end();
    const group = toGroup(node);
    return { isReadable: true, group };
  } catch (e) {
    if (e instanceof Unreadable)
      return {
        isReadable: false,
        reason: e.message,
      };
    throw e;
  }
}

type Node =
  | { kind: 'and' | 'or'; items: Node[] }
  | { kind: 'not'; item: Node }
  | { kind: 'rule'; rule: Rule };

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }
  private isOp(text: string): boolean {
    const t = this.peek();
    return t?.kind === 'op' && t.text === text;
  }
  private expectOp(text: string): void {
    if (!this.isOp(text)) throw new Unreadable(this.where(`"${text}" expected`));
    this.i++;
  }
  private where(what: string): string {
    const t = this.peek();
    return t ? `${what} at column ${t.at + 1}` : `${what} at the end`;
  }
  end(): void {
    if (this.peek()) throw new Unreadable(this.where('more than the rule builder can show'));
  }

  or(): Node {
    const items = [this.and()];
    while (this.isOp('||')) {
      this.i++;
      items.push(this.and());
    }
    return items.length === 1 ? (items[0] as Node) : { kind: 'or', items };
  }

  and(): Node {
    const items = [this.unary()];
    while (this.isOp('&&')) {
      this.i++;
      items.push(this.unary());
    }
    return items.length === 1 ? (items[0] as Node) : { kind: 'and', items };
  }

  unary(): Node {
    if (this.isOp('!')) {
      this.i++;
      const inner = this.unary();
      // !has(x) and !(x in [...]) are rules of their own
      if (inner.kind === 'rule' && inner.rule.operator === 'notNull')
        return { kind: 'rule', rule: { ...inner.rule, operator: 'null' } };
      if (inner.kind === 'rule' && inner.rule.operator === 'in')
        return { kind: 'rule', rule: { ...inner.rule, operator: 'notIn' } };
      return { kind: 'not', item: inner };
    }
    if (this.isOp('(')) {
      this.i++;
      const inner = this.or();
      this.expectOp(')');
      return inner;
    }
    return this.comparison();
  }

  comparison(): Node {
    const t = this.peek();
    if (t?.kind === 'ident' && t.text === 'has' && this.tokens[this.i + 1]?.kind === 'op') {
      this.i++;
      this.expectOp('(');
      const field = this.path();
      this.expectOp(')');
      return { kind: 'rule', rule: { field, operator: 'notNull', value: null } };
    }
    const call = this.tokens[this.i + 1];
    if (t?.kind === 'ident' && call?.kind === 'op' && call.text === '(')
      throw new Unreadable(
        `the function "${t.text}" at column ${t.at + 1}, which the rule builder does not offer`,
      );
    const field = this.path();
    if (this.isOp('.')) {
      this.i++;
      const method = this.peek();
      const names: Record<string, RuleOperator> = {
        contains: 'contains',
        startsWith: 'beginsWith',
        endsWith: 'endsWith',
      };
      if (method?.kind !== 'ident' || !names[method.text])
        throw new Unreadable(this.where('a function the rule builder does not offer'));
      this.i++;
      this.expectOp('(');
      const value = this.literal();
      this.expectOp(')');
      return { kind: 'rule', rule: { field, operator: names[method.text] as RuleOperator, value } };
    }
    const op = this.peek();
    if (op?.kind === 'ident' && op.text === 'in') {
      this.i++;
      this.expectOp('[');
      const values: (string | number)[] = [];
      if (!this.isOp(']'))
        for (;;) {
          const v = this.literal();
          if (typeof v === 'boolean') throw new Unreadable(this.where('a list of true/false'));
          values.push(v);
          if (this.isOp(',')) {
            this.i++;
            continue;
          }
          break;
        }
      this.expectOp(']');
      return { kind: 'rule', rule: { field, operator: 'in', value: values } };
    }
    if (op?.kind === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(op.text)) {
      this.i++;
      const value = this.literal();
      return { kind: 'rule', rule: { field, operator: op.text === '==' ? '=' : op.text, value } };
    }
    // a bare field: a true/false field tested for true
    return { kind: 'rule', rule: { field, operator: '=', value: true } };
  }

  path(): string {
    const parts: string[] = [];
    for (;;) {
      const t = this.peek();
      if (t?.kind !== 'ident' || ['true', 'false', 'null', 'in'].includes(t.text))
        throw new Unreadable(this.where('a field expected'));
      parts.push(t.text);
      this.i++;
      const dot = this.peek();
      const next = this.tokens[this.i + 1];
      const after = this.tokens[this.i + 2];
      // a method call (x.contains(...)) ends the path
      if (
        dot?.kind === 'op' &&
        dot.text === '.' &&
        next?.kind === 'ident' &&
        !(after?.kind === 'op' && after.text === '(')
      ) {
        this.i++;
        continue;
      }
      return parts.join('.');
    }
  }

  literal(): Literal {
    const t = this.peek();
    if (!t) throw new Unreadable(this.where('a value expected'));
    if (t.kind === 'string' || t.kind === 'number') {
      this.i++;
      return t.value;
    }
    if (t.kind === 'ident' && (t.text === 'true' || t.text === 'false')) {
      this.i++;
      return t.text === 'true';
    }
    if (t.kind === 'ident' && t.text === 'timestamp') {
      this.i++;
      this.expectOp('(');
      const inner = this.peek();
      if (inner?.kind !== 'string') throw new Unreadable(this.where('a date in quotes expected'));
      this.i++;
      this.expectOp(')');
      return inner.value;
    }
    throw new Unreadable(
      this.where('a value the rule builder can show expected (text, a number, true or false)'),
    );
  }
}

function toGroup(node: Node): RuleGroup {
  switch (node.kind) {
    case 'rule':
      return { combinator: 'and', rules: [node.rule] };
    case 'not': {
      const inner = toGroup(node.item);
      return inner.not ? { combinator: 'and', rules: [inner] } : { ...inner, not: true };
    }
    case 'and':
    case 'or':
      return {
        combinator: node.kind,
        rules: node.items.map((item) => (item.kind === 'rule' ? item.rule : toGroup(item))),
      };
  }
}
