/**
 * The sentence a person reads for a timeline entry that changed fields (`updated`) or handed a
 * step on (`task.transferred`), in English or Chinese. Pure: names of people, teams and org units
 * come from the caller (`names`), which reads them once for many entries.
 */

export type ChangeLocale = 'en' | 'zh-CN';

/** The language a text the server writes reads in, from the `locale` a caller asked for ("zh", "zh-TW" -> zh-CN). */
export const changeLocaleOf = (locale: string | null | undefined): ChangeLocale =>
  locale?.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';

type Diff = Record<string, { from?: unknown; to?: unknown } | undefined>;

/** The name of a user, team or org unit by id, when the caller knows it. */
export type NameOf = (kind: 'user' | 'team' | 'orgUnit', id: number) => string | undefined;

const FIELD_NAMES: Record<string, Record<ChangeLocale, string>> = {
  title: { en: 'title', 'zh-CN': '标题' },
  description: { en: 'description', 'zh-CN': '描述' },
  priority: { en: 'priority', 'zh-CN': '优先级' },
  status: { en: 'status', 'zh-CN': '状态' },
  statusName: { en: 'named status', 'zh-CN': '细分状态' },
  assigneeId: { en: 'assignee', 'zh-CN': '处理人' },
  teamId: { en: 'team', 'zh-CN': '团队' },
  orgUnitId: { en: 'org unit', 'zh-CN': '组织' },
  formData: { en: 'form data', 'zh-CN': '表单数据' },
  ccUserIds: { en: 'CC list', 'zh-CN': '抄送' },
};

const VALUE_NAMES: Record<string, Record<ChangeLocale, string>> = {
  urgent: { en: 'urgent', 'zh-CN': '紧急' },
  high: { en: 'high', 'zh-CN': '高' },
  normal: { en: 'normal', 'zh-CN': '普通' },
  low: { en: 'low', 'zh-CN': '低' },
  new: { en: 'new', 'zh-CN': '新建' },
  open: { en: 'open', 'zh-CN': '处理中' },
  pending: { en: 'pending', 'zh-CN': '待客户回复' },
  on_hold: { en: 'on hold', 'zh-CN': '挂起' },
  solved: { en: 'solved', 'zh-CN': '已解决' },
  closed: { en: 'closed', 'zh-CN': '已关闭' },
};

const REF_KINDS: Record<string, 'user' | 'team' | 'orgUnit'> = {
  assigneeId: 'user',
  teamId: 'team',
  orgUnitId: 'orgUnit',
  ccUserIds: 'user',
};

const NOBODY: Record<ChangeLocale, string> = { en: 'nobody', 'zh-CN': '无' };

/** The ids of people, teams and org units a diff names, for the caller to read their names. */
export function namesNeeded(diff: unknown): { kind: 'user' | 'team' | 'orgUnit'; id: number }[] {
  if (!diff || typeof diff !== 'object') return [];
  const out: { kind: 'user' | 'team' | 'orgUnit'; id: number }[] = [];
  for (const [field, change] of Object.entries(diff as Diff)) {
    const kind = REF_KINDS[field];
    if (!kind || !change) continue;
    for (const v of [change.from, change.to]) {
      if (typeof v === 'number') out.push({ kind, id: v });
      else if (Array.isArray(v)) for (const id of v) if (typeof id === 'number') out.push({ kind, id });
    }
  }
  return out;
}

const numbersOf = (v: unknown): number[] =>
  Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : [];

/** "Added Li Lei and Han Mei to the CC list; removed Wang Fang." */
function ccSentence(diff: Diff, locale: ChangeLocale, nameOf: NameOf): string {
  const from = numbersOf(diff.ccUserIds?.from);
  const to = numbersOf(diff.ccUserIds?.to);
  const names = (ids: number[]) => {
    const each = ids.map((id) => nameOf('user', id) ?? `#${id}`);
    if (locale === 'zh-CN') return each.join('、');
    return each.length > 1 ? `${each.slice(0, -1).join(', ')} and ${each.at(-1)}` : (each[0] ?? '');
  };
  const added = to.filter((id) => !from.includes(id));
  const removed = from.filter((id) => !to.includes(id));
  const clauses: string[] = [];
  if (locale === 'en') {
    if (added.length) clauses.push(`Added ${names(added)} to the CC list`);
    if (removed.length)
      clauses.push(`${added.length ? 'removed' : 'Removed'} ${names(removed)} from the CC list`);
    return clauses.length ? `${clauses.join('; ')}.` : 'Left the CC list as it was.';
  }
  if (added.length) clauses.push(`将 ${names(added)} 加入抄送`);
  if (removed.length) clauses.push(`将 ${names(removed)} 移出抄送`);
  return clauses.length ? `${clauses.join('；')}。` : '抄送名单未变。';
}

function valueText(field: string, value: unknown, locale: ChangeLocale, nameOf: NameOf): string {
  if (value === null || value === undefined || value === '') return NOBODY[locale];
  const kind = REF_KINDS[field];
  if (kind && typeof value === 'number') return nameOf(kind, value) ?? `#${value}`;
  if (typeof value === 'string') {
    const known = VALUE_NAMES[value]?.[locale];
    const text = known ?? value;
    return text.length > 60 ? `${text.slice(0, 57)}…` : text;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return locale === 'en' ? 'a new value' : '新值';
}

/** One clause per changed field: "priority from normal to urgent". */
function fieldClauses(diff: Diff, locale: ChangeLocale, nameOf: NameOf): string[] {
  const clauses: string[] = [];
  for (const [field, change] of Object.entries(diff)) {
    if (!change || typeof change !== 'object' || !('to' in change || 'from' in change)) continue;
    const name = FIELD_NAMES[field]?.[locale] ?? field;
    if (field === 'formData' || field === 'description') {
      clauses.push(locale === 'en' ? `the ${name}` : name);
      continue;
    }
    const from = valueText(field, change.from, locale, nameOf);
    const to = valueText(field, change.to, locale, nameOf);
    clauses.push(locale === 'en' ? `${name} from ${from} to ${to}` : `${name}由「${from}」改为「${to}」`);
  }
  return clauses;
}

type Holder = {
  userName?: string;
  teamName?: string;
  roleName?: string;
  orgUnitName?: string;
};

function holderText(h: Holder | undefined, locale: ChangeLocale): string {
  if (!h) return NOBODY[locale];
  const queue = h.teamName ?? h.roleName ?? h.orgUnitName;
  if (h.userName && queue) return locale === 'en' ? `${h.userName} (${queue})` : `${h.userName}（${queue}）`;
  return h.userName ?? queue ?? NOBODY[locale];
}

const METRIC_NAMES: Record<string, Record<ChangeLocale, string>> = {
  first_response: { en: 'First response', 'zh-CN': '首次响应' },
  next_response: { en: 'Next response', 'zh-CN': '下次响应' },
  periodic_update: { en: 'Periodic update', 'zh-CN': '定期更新' },
  resolution: { en: 'Resolution', 'zh-CN': '解决' },
};

/** "1 小时 30 分钟", "45 秒". */
function durationZh(seconds: unknown): string {
  if (typeof seconds !== 'number') return '无';
  const s = Math.round(Math.abs(seconds));
  if (s < 60) return `${s} 秒`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return [h ? `${h} 小时` : '', m ? `${m} 分钟` : '', rest && !h ? `${rest} 秒` : '']
    .filter(Boolean)
    .join(' ');
}

/** "2026-11-30 18:53 UTC". */
function instantZh(at: unknown): string {
  const d = typeof at === 'string' ? new Date(at) : null;
  return d && !Number.isNaN(d.getTime()) ? `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC` : '无';
}

/**
 * An SLA entry (`sla.started`, `sla.breached`, …) in Chinese, from its diff ({metric: {from, to}}).
 * Its English sentence is the entry's own body, written with it.
 */
function slaSentenceZh(kind: string, diff: Diff): string | null {
  const [metric, change] = Object.entries(diff)[0] ?? [];
  if (!metric || !change) return null;
  const label = METRIC_NAMES[metric]?.['zh-CN'] ?? metric;
  const to = (change.to ?? {}) as Record<string, unknown>;
  const from = (change.from ?? {}) as Record<string, unknown>;
  const priority = (v: unknown) => (typeof v === 'string' ? (VALUE_NAMES[v]?.['zh-CN'] ?? v) : '');
  switch (kind) {
    case 'sla.started':
      return to.targetSeconds == null
        ? `${label}计时开始（无目标）。`
        : `${label}计时开始：目标 ${durationZh(to.targetSeconds)}，截止于 ${instantZh(to.dueAt)}。`;
    case 'sla.paused':
      return `${label}计时暂停，已用 ${durationZh(to.consumedSeconds)}。`;
    case 'sla.resumed':
      return `${label}计时恢复${to.dueAt ? `，现截止于 ${instantZh(to.dueAt)}` : ''}。`;
    case 'sla.retargeted':
      return `${label}目标调整：${priority(from.priority)} ${durationZh(from.targetSeconds)} → ${priority(to.priority)} ${durationZh(to.targetSeconds)}；截止时间 ${instantZh(from.dueAt)} → ${instantZh(to.dueAt)}。`;
    case 'sla.breached':
      return `${label}已超时：截止时间为 ${instantZh(to.breachedAt)}。`;
    case 'sla.met':
      return `${label}已达成，用时 ${durationZh(to.consumedSeconds)}。`;
    case 'sla.stopped':
      return `${label}计时停止，已用 ${durationZh(to.consumedSeconds)}。`;
    default:
      return null;
  }
}

/**
 * A notice sent through an outside target (`notification.delivered` or `.failed`) in Chinese, from
 * its diff: the target's name then, how many recipients it reached and why the others were not.
 * Its English sentence is the entry's own body, written with it.
 */
function noticeSentenceZh(diff: Diff): string | null {
  const key = typeof diff.target?.to === 'string' ? diff.target.to : null;
  if (!key) return null;
  const results = diff.results?.to;
  if (!Array.isArray(results)) {
    // Not sent at all: the target named is not installed.
    const subject = typeof diff.subject?.to === 'string' ? `“${diff.subject.to}”` : '通知';
    return `${subject}未能通过 ${key} 发送：未安装该通知渠道。`;
  }
  const titles = (diff.targetTitle?.to ?? {}) as Record<string, unknown>;
  const title = [titles['zh-CN'], titles.en].find((t): t is string => typeof t === 'string') ?? key;
  const list = results as { recipient?: unknown; isDelivered?: unknown; error?: unknown }[];
  const failed = list.filter((r) => r.isDelivered !== true);
  const reasons = failed.map(
    (r) => `${String(r.recipient)}：${typeof r.error === 'string' ? r.error : '发送失败'}`,
  );
  return `${title}：共 ${list.length} 人，送达 ${list.length - failed.length} 人${reasons.length ? `；${reasons.join('；')}` : ''}。`;
}

/** An attachment a channel did not keep as a file, and why (a `files.refused` entry's diff lists them). */
export type RefusedFile = {
  name: string;
  contentType: string;
  size: number;
  /** type: not among the accepted types; content: its bytes are not its type; size: over the limit; empty. */
  reason: 'type' | 'content' | 'size' | 'empty';
  /** The largest file accepted, in bytes (reason size). */
  limit?: number;
};

/** One line per attachment that was not kept (a `files.refused` entry, from its diff's `refused.to`). */
export function refusedFilesSentence(diff: unknown, locale: ChangeLocale): string | null {
  const list = (diff as { refused?: { to?: unknown } } | null)?.refused?.to;
  if (!Array.isArray(list) || list.length === 0) return null;
  return (list as RefusedFile[])
    .map((f) => {
      const name = String(f.name);
      const type = String(f.contentType);
      if (locale === 'zh-CN') {
        const why =
          f.reason === 'type'
            ? `不接受 ${type} 类型的文件`
            : f.reason === 'content'
              ? `其内容不是 ${type}`
              : f.reason === 'size'
                ? `文件大小 ${f.size} 字节，超过上限 ${f.limit ?? '?'} 字节`
                : '文件为空';
        return `附件“${name}”未保存：${why}。`;
      }
      const why =
        f.reason === 'type'
          ? `files of type ${type} are not accepted`
          : f.reason === 'content'
            ? `its content is not ${type}`
            : f.reason === 'size'
              ? `it has ${f.size} bytes; a file may have at most ${f.limit ?? '?'}`
              : 'it is empty';
      return `The attachment "${name}" was not kept: ${why}.`;
    })
    .join('\n');
}

/**
 * The entry's sentence: for `updated`, what changed ("Changed priority from normal to urgent.");
 * for `task.transferred`, from whom to whom and why; for `cc.changed`, who joined and left the CC
 * list; for an SLA entry or a notice sent through an outside target in Chinese, what its clock did
 * or whom it reached (in English its body says it); for `files.refused`, which attachments were not kept and why.
 * Null for other kinds.
 */
export function describeChange(
  entry: { kind: string; diff: unknown; body?: string | null },
  locale: ChangeLocale,
  nameOf: NameOf = () => undefined,
): string | null {
  const diff = (entry.diff && typeof entry.diff === 'object' ? entry.diff : {}) as Diff;
  if (entry.kind === 'task.transferred') {
    const holder = diff.holder as { from?: Holder; to?: Holder } | undefined;
    const from = holderText(holder?.from, locale);
    const to = holderText(holder?.to, locale);
    const why = entry.body ? (locale === 'en' ? `: ${entry.body}` : `，原因：${entry.body}`) : '';
    return locale === 'en' ? `Transferred from ${from} to ${to}${why}.` : `从 ${from} 转办给 ${to}${why}。`;
  }
  if (entry.kind === 'cc.changed') return ccSentence(diff, locale, nameOf);
  if (entry.kind === 'files.refused') return refusedFilesSentence(diff, locale);
  if (entry.kind.startsWith('sla.')) return locale === 'zh-CN' ? slaSentenceZh(entry.kind, diff) : null;
  if (entry.kind.startsWith('notification.')) return locale === 'zh-CN' ? noticeSentenceZh(diff) : null;
  if (entry.kind !== 'updated') return null;
  const clauses = fieldClauses(diff, locale, nameOf);
  if (clauses.length === 0) return locale === 'en' ? 'Changed the ticket.' : '修改了工单。';
  return locale === 'en' ? `Changed ${clauses.join('; ')}.` : `将${clauses.join('；')}。`;
}
