import { type InstanceState, isLive } from './instance-state.ts';

/**
 * What must hold of every stored instance state. Returns the broken rules (empty when sound):
 * no token is lost (each open parallel frame accounts for all its branches) or duplicated, every
 * live token waits on something that exists, and nothing waits for a token that is gone.
 */
export function checkInstanceInvariants(s: InstanceState): string[] {
  const problems: string[] = [];
  const tokens = Object.entries(s.tokens);
  const live = tokens.map(([, t]) => t).filter(isLive);
  for (const [id, t] of tokens) if (t.id !== id) problems.push(`token stored as "${id}" has id "${t.id}"`);
  for (const t of live)
    if (t.status === 'active') problems.push(`token ${t.id} is still active after the event`);

  if (s.status === 'completed' || s.status === 'cancelled') {
    if (live.length > 0)
      problems.push(`${s.status} instance has live tokens: ${live.map((t) => t.id).join(', ')}`);
    if (Object.keys(s.tasks).length > 0) problems.push(`${s.status} instance has open tasks`);
    if (Object.keys(s.timers).length > 0) problems.push(`${s.status} instance has timers`);
    if (Object.keys(s.frames).length > 0) problems.push(`${s.status} instance has open parallel frames`);
    return problems;
  }
  if (live.length === 0) problems.push(`${s.status} instance has no live token: a token was lost`);
  // one token to begin with; a split into n adds n - 1, each arrival at its join takes one away
  const expected = 1 + Object.values(s.frames).reduce((sum, f) => sum + f.branches - 1 - f.arrived.length, 0);
  if (live.length !== expected)
    problems.push(`${live.length} live tokens where the open parallel frames account for ${expected}`);
  if (s.status === 'waiting' && live.some((t) => t.status !== 'waiting'))
    problems.push('instance says waiting but a token is not');
  if (s.status === 'failed' && !live.some((t) => t.status === 'failed'))
    problems.push('instance says failed but no token failed');

  const tasksByToken = new Map<string, number>();
  for (const t of live) {
    for (const f of t.frames) if (!s.frames[f]) problems.push(`token ${t.id} is inside closed frame ${f}`);
    if (t.status !== 'waiting') continue;
    const w = t.wait;
    if (!w) problems.push(`waiting token ${t.id} waits on nothing`);
    else if (w.kind === 'task') {
      const task = s.tasks[w.taskId];
      if (!task || task.tokenId !== t.id)
        problems.push(`token ${t.id} waits on task ${w.taskId}, which is not its open task`);
    } else if (w.kind === 'timer') {
      const timer = s.timers[w.timerId];
      if (!timer || timer.version !== w.version || timer.tokenId !== t.id)
        problems.push(`token ${t.id} waits on timer ${w.timerId} v${w.version}, which is not scheduled`);
    }
  }
  for (const task of Object.values(s.tasks)) {
    const t = s.tokens[task.tokenId];
    if (t?.status !== 'waiting' || t.wait?.kind !== 'task' || t.wait.taskId !== task.taskId)
      problems.push(`task ${task.taskId} belongs to no token waiting on it`);
    tasksByToken.set(task.tokenId, (tasksByToken.get(task.tokenId) ?? 0) + 1);
  }
  for (const [tokenId, n] of tasksByToken) if (n > 1) problems.push(`token ${tokenId} has ${n} open tasks`);
  for (const timer of Object.values(s.timers)) {
    const t = s.tokens[timer.tokenId];
    if (t?.status !== 'waiting') problems.push(`timer ${timer.timerId} belongs to no waiting token`);
  }

  // each open frame accounts for exactly its branches: live tokens directly in it, frames nested
  // in it (one branch each), and branches already arrived at its join
  for (const f of Object.values(s.frames)) {
    const direct = live.filter((t) => t.frames.at(-1) === f.id).length;
    const nested = Object.values(s.frames).filter((g) => g.parentFrameId === f.id).length;
    const units = direct + nested + f.arrived.length;
    if (units !== f.branches)
      problems.push(
        `frame ${f.id} of split ${f.splitNodeId} has ${f.branches} branches but accounts for ${units} (${direct} live, ${nested} nested, ${f.arrived.length} arrived)`,
      );
    for (const id of f.arrived) {
      const t = s.tokens[id];
      if (t?.status !== 'done' || t.endedBy !== 'join')
        problems.push(`token ${id} arrived at a join but is ${t?.status}`);
    }
  }
  return problems;
}
