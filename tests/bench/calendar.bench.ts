/**
 * Business-calendar arithmetic: operations per second of addBusinessSeconds and
 * businessSecondsBetween over varied inputs on realistic calendars. Target: 200,000 ops/s each.
 *
 *   npx tsx tests/bench/calendar.bench.ts
 *
 * Prints the figures and whether each meets the target; exits 0 either way.
 */
import { pathToFileURL } from 'node:url';
import {
  addBusinessSeconds,
  type BusinessCalendar,
  businessSecondsBetween,
  type CalendarDefinition,
  createCalendar,
  type WorkInterval,
} from '@docket/core';

export const TARGET_OPS_PER_SECOND = 200_000;

export type CalendarBenchFigure = {
  calendar: string;
  operation: 'add' | 'between';
  /** First pass over the inputs on a fresh calendar, caches built on the way. */
  coldOpsPerSecond: number;
  /** Later passes, caches warm: the figure the target applies to. */
  opsPerSecond: number;
  meetsTarget: boolean;
};

export type CalendarBenchResult = {
  target: number;
  inputs: number;
  figures: CalendarBenchFigure[];
  meetsTarget: boolean;
};

const lunch: WorkInterval[] = [
  { start: '09:00', end: '12:00' },
  { start: '13:30', end: '18:00' },
];

/** A Chinese office: lunch break, 2026 public holidays and make-up working days (as we recall the notice). */
const shanghai: CalendarDefinition = {
  timeZone: 'Asia/Shanghai',
  weeklyHours: [[], lunch, lunch, lunch, lunch, lunch, []],
  holidays: [
    { date: '2026-01-01', until: '2026-01-03', name: 'New Year' },
    { date: '2026-02-15', until: '2026-02-23', name: 'Spring Festival' },
    { date: '2026-04-04', until: '2026-04-06', name: 'Qingming' },
    { date: '2026-05-01', until: '2026-05-05', name: 'Labour Day' },
    { date: '2026-06-19', until: '2026-06-21', name: 'Dragon Boat' },
    { date: '2026-09-25', until: '2026-09-27', name: 'Mid-Autumn' },
    { date: '2026-10-01', until: '2026-10-07', name: 'National Day' },
    { date: '2027-01-01', name: 'New Year' },
  ],
  extraWorkingDays: [
    { date: '2026-01-04' },
    { date: '2026-02-14' },
    { date: '2026-02-28' },
    { date: '2026-05-09' },
    { date: '2026-09-20' },
    { date: '2026-10-10' },
  ],
};

const office: WorkInterval[] = [{ start: '09:00', end: '17:00' }];

/** A New York office with the 2026 US federal holidays; its year crosses both DST changes. */
const newYork: CalendarDefinition = {
  timeZone: 'America/New_York',
  weeklyHours: [[], office, office, office, office, office, []],
  holidays: [
    '2026-01-01',
    '2026-01-19',
    '2026-02-16',
    '2026-05-25',
    '2026-06-19',
    '2026-07-03',
    '2026-09-07',
    '2026-10-12',
    '2026-11-11',
    '2026-11-26',
    '2026-12-25',
    '2027-01-01',
  ].map((date) => ({ date })),
};

/** Deterministic inputs (mulberry32), so runs compare. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Inputs = { instants: Date[]; seconds: number[]; others: Date[] };

function makeInputs(count: number): Inputs {
  const next = random(20_260_101);
  const yearStart = Date.UTC(2026, 0, 1);
  const year = 365 * 86_400_000;
  const instants: Date[] = [];
  const seconds: number[] = [];
  const others: Date[] = [];
  for (let i = 0; i < count; i++) {
    const from = yearStart + Math.floor(next() * year);
    instants.push(new Date(from));
    // Mostly SLA-sized targets: minutes to hours, some up to ten working days.
    const r = next();
    seconds.push(
      r < 0.4
        ? Math.floor(next() * 3600)
        : r < 0.8
          ? Math.floor(next() * 8 * 3600)
          : Math.floor(next() * 10 * 27_000),
    );
    // Spans up to 45 days, one in ten reversed.
    const span = Math.floor(next() * 45 * 86_400_000);
    others.push(new Date(next() < 0.1 ? from - span : from + span));
  }
  return { instants, seconds, others };
}

function measure(pass: () => number, count: number, minMs: number): number {
  let ops = 0;
  let sink = 0;
  const started = performance.now();
  let elapsed = 0;
  do {
    sink += pass();
    ops += count;
    elapsed = performance.now() - started;
  } while (elapsed < minMs);
  if (Number.isNaN(sink)) throw new Error('unreachable: keeps the results alive');
  return Math.round((ops / elapsed) * 1000);
}

/** Runs the benchmark and returns the figures (also printed unless quiet). */
export function run(
  options: { inputs?: number; minMs?: number; isQuiet?: boolean } = {},
): CalendarBenchResult {
  const count = options.inputs ?? 100_000;
  const minMs = options.minMs ?? 1000;
  const inputs = makeInputs(count);
  const figures: CalendarBenchFigure[] = [];
  for (const [name, definition] of [
    ['Asia/Shanghai office, lunch break, 2026 holidays + make-up days', shanghai],
    ['America/New_York office, 2026 federal holidays, DST', newYork],
  ] as const) {
    const passes = (calendar: BusinessCalendar) => ({
      add: () => {
        let sum = 0;
        for (let i = 0; i < count; i++)
          sum += addBusinessSeconds(calendar, inputs.instants[i]!, inputs.seconds[i]!).getTime();
        return sum;
      },
      between: () => {
        let sum = 0;
        for (let i = 0; i < count; i++)
          sum += businessSecondsBetween(calendar, inputs.instants[i]!, inputs.others[i]!);
        return sum;
      },
    });
    for (const operation of ['add', 'between'] as const) {
      const cold = passes(createCalendar(definition))[operation];
      const coldOpsPerSecond = measure(cold, count, 0);
      const warm = passes(createCalendar(definition))[operation];
      warm();
      const opsPerSecond = measure(warm, count, minMs);
      figures.push({
        calendar: name,
        operation,
        coldOpsPerSecond,
        opsPerSecond,
        meetsTarget: opsPerSecond >= TARGET_OPS_PER_SECOND,
      });
    }
  }
  const result: CalendarBenchResult = {
    target: TARGET_OPS_PER_SECOND,
    inputs: count,
    figures,
    meetsTarget: figures.every((f) => f.meetsTarget),
  };
  if (!options.isQuiet) print(result);
  return result;
}

function print(result: CalendarBenchResult): void {
  const fmt = (n: number) => n.toLocaleString('en-US').padStart(11);
  console.log(
    `Business calendar arithmetic — ${result.inputs.toLocaleString('en-US')} varied inputs per pass`,
  );
  console.log(`target: ${result.target.toLocaleString('en-US')} ops/s for add and between (warm caches)\n`);
  console.log(
    `${'operation'.padEnd(9)} ${'ops/s'.padStart(11)} ${'cold ops/s'.padStart(11)}  verdict  calendar`,
  );
  for (const f of result.figures)
    console.log(
      `${f.operation.padEnd(9)} ${fmt(f.opsPerSecond)} ${fmt(f.coldOpsPerSecond)}  ${f.meetsTarget ? 'MEETS  ' : 'MISSES '}  ${f.calendar}`,
    );
  console.log(
    `\n${result.meetsTarget ? 'PASS' : 'FAIL'}: ${result.meetsTarget ? 'every figure meets' : 'some figures miss'} the target of ${result.target.toLocaleString('en-US')} ops/s.`,
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) run();
