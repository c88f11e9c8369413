import type { ToHost, ToParent } from './protocol.ts';

/**
 * How messages go over the IPC channel. Calls and successful results are nearly all the traffic:
 * a run of them travels as one flat list (structured clone then writes no property names per
 * call); every other message goes as it is, in order.
 */
export type WireToHost = ToHost | { t: 'calls'; c: (string | number)[] };
export type WireToParent = ToParent | { t: 'oks'; r: (string | number)[] };

type Call = Extract<ToHost, { t: 'call' }>;
const CALL_FIELDS = 9;

export function packToHost(batch: ToHost[]): WireToHost[] {
  const out: WireToHost[] = [];
  let run: (string | number)[] | undefined;
  for (const m of batch) {
    if (m.t !== 'call') {
      run = undefined;
      out.push(m);
      continue;
    }
    if (!run) {
      run = [];
      out.push({ t: 'calls', c: run });
    }
    run.push(
      m.cid,
      m.pluginId,
      m.handler,
      m.argsJson,
      m.callId,
      m.ticketId,
      m.ticketAccess,
      m.wallMs,
      m.sharedId,
    );
  }
  return out;
}

export function unpackToHost(wire: WireToHost[], each: (m: ToHost) => void): void {
  for (const m of wire) {
    if (m.t !== 'calls') {
      each(m);
      continue;
    }
    const c = m.c;
    for (let i = 0; i + CALL_FIELDS <= c.length; i += CALL_FIELDS)
      each({
        t: 'call',
        cid: c[i] as number,
        pluginId: c[i + 1] as string,
        handler: c[i + 2] as string,
        argsJson: c[i + 3] as string,
        callId: c[i + 4] as string,
        ticketId: c[i + 5] as string,
        ticketAccess: c[i + 6] as Call['ticketAccess'],
        wallMs: c[i + 7] as number,
        sharedId: c[i + 8] as number,
      });
  }
}

export function packToParent(batch: ToParent[]): WireToParent[] {
  const out: WireToParent[] = [];
  let run: (string | number)[] | undefined;
  for (const m of batch) {
    if (m.t !== 'result' || !m.ok) {
      run = undefined;
      out.push(m);
      continue;
    }
    if (!run) {
      run = [];
      out.push({ t: 'oks', r: run });
    }
    run.push(m.cid, m.json);
  }
  return out;
}

export function unpackToParent(wire: WireToParent[], each: (m: ToParent) => void): void {
  for (const m of wire) {
    if (m.t !== 'oks') {
      each(m);
      continue;
    }
    const r = m.r;
    for (let i = 0; i + 2 <= r.length; i += 2)
      each({ t: 'result', cid: r[i] as number, ok: true, json: r[i + 1] as string });
  }
}
