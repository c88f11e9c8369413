import { pathToFileURL } from 'node:url';
import { APPLIANCES, FAULTS } from './appliance-faults.ts';
import { login, sampleSequential, withBenchServer } from './bench-server.ts';

const ARTICLES = Number(process.env.BENCH_KB_ARTICLES ?? 100_000);
const SAMPLES = 300;
const STEPS = [
  '检查电源和插座',
  '清洗滤网',
  '更换密封圈',
  '联系售后上门',
  '重置设备',
  '检查水压',
  '更新固件',
  '更换遥控器电池',
];

/** What an agent or customer types: ticket titles and reply openings, in Chinese and English. */
const TYPED = [
  '客户反映家里空调开了不制冷',
  '冰箱噪音大，晚上睡不着',
  '洗衣机显示故障码 E3',
  '热水器漏',
  '电视屏幕闪烁怎么处理',
  '净水器不出水',
  '扫地机器人无法开机',
  'kettle leaks at the base',
  '微波炉',
  '遥控',
];

/**
 * Suggestions while typing (kbSuggestions) with 100,000 published articles, over HTTP GraphQL,
 * measured sequentially beside the plainest query in the same run (the server's floor).
 */
export function run(log: (line: string) => void = console.log) {
  return withBenchServer(
    async ({ url, pool }) => {
      const started = performance.now();
      await pool.query(
        `insert into kb_article (category_path, visibility, draft_title, draft_body, published_version, title, body, published_at)
       select '家电/' || p, case when g % 3 = 0 then 'internal' else 'public' end, t, b, 1, t, b, now()
         from (select g, ($2::text[])[1 + g % 12] as p,
                      ($2::text[])[1 + g % 12] || ($3::text[])[1 + (g / 12) % 14] || '怎么办（' || g || '）' as t,
                      '如果' || ($2::text[])[1 + g % 12] || ($3::text[])[1 + (g / 12) % 14] || '，请先' || ($4::text[])[1 + g % 8]
                        || '，然后' || ($4::text[])[1 + (g / 8) % 8] || '。Article ' || g || ' about model M' || (g % 500) as b
                 from generate_series(1, $1::int) g) x`,
        [ARTICLES, APPLIANCES, FAULTS, STEPS],
      );
      await pool.query('analyze kb_article');
      const loadSeconds = (performance.now() - started) / 1000;
      log(`  loaded ${ARTICLES.toLocaleString()} articles in ${loadSeconds.toFixed(0)} s`);
      const agent = await login(url, 'agent.a@docket.local');
      const measure = async (bodies: string[]) => {
        const { p50, p95, answers } = await sampleSequential(url, bodies, agent, SAMPLES);
        const hits = answers.reduce((n, a) => n + (a.data?.kbSuggestions?.length ?? 0), 0) / answers.length;
        return { p50, p95, hits };
      };
      const floor = await measure([JSON.stringify({ query: '{ __typename }' })]);
      const suggestions = await measure(
        TYPED.map((text) =>
          JSON.stringify({
            query: 'query($t: String!) { kbSuggestions(text: $t) { rank article { id title } } }',
            variables: { t: text },
          }),
        ),
      );
      return { articles: ARTICLES, loadSeconds, floor, suggestions };
    },
    { poolSize: 2 },
  );
}

export function report(r: Awaited<ReturnType<typeof run>>): string[] {
  return [
    `Knowledge-base suggestions while typing over HTTP GraphQL, ${r.articles.toLocaleString()} published articles on PostgreSQL:`,
    `  { __typename } (the server's floor, same run)   p50 ${r.floor.p50.toFixed(1)} ms   p95 ${r.floor.p95.toFixed(1)} ms`,
    `  kbSuggestions, ${TYPED.length} typed texts (${r.suggestions.hits.toFixed(1)} hits each)   p50 ${r.suggestions.p50.toFixed(1)} ms   p95 ${r.suggestions.p95.toFixed(1)} ms   ${r.suggestions.p95 <= 50 ? 'meets' : 'MISSES'} p95 <= 50 ms (${(r.suggestions.p95 / r.floor.p95).toFixed(1)}x the floor)`,
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  console.log(report(await run()).join('\n'));
}
