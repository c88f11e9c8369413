import { BarChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

// Only what the bar chart uses, so the chunk stays small; the page loads it after its table.
echarts.use([BarChart, GridComponent, TooltipComponent, LegendComponent, AriaComponent, SVGRenderer]);

export type ChartSeries = { name: string; values: number[] };

/**
 * Bars per group (one series per figure); clicking a bar calls onPick with the group's index.
 * Drawn as SVG, so each bar is an element a screen reader's description and a test can reach.
 */
export default function ReportChart({
  categories,
  series,
  onPick,
  label,
}: {
  categories: string[];
  series: ChartSeries[];
  onPick: (groupIndex: number) => void;
  label: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<ReturnType<typeof echarts.init> | null>(null);
  const pick = useRef(onPick);
  pick.current = onPick;

  useEffect(() => {
    if (!box.current) return;
    const c = echarts.init(box.current, null, { renderer: 'svg' });
    chart.current = c;
    c.on('click', (e) => {
      if (typeof e.dataIndex === 'number') pick.current(e.dataIndex);
    });
    const resize = new ResizeObserver(() => c.resize());
    resize.observe(box.current);
    return () => {
      resize.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(
      {
        aria: { enabled: true, label: { description: label } },
        animation: false,
        tooltip: { trigger: 'axis' },
        legend: { top: 0 },
        grid: { left: 40, right: 16, top: 36, bottom: 56 },
        xAxis: {
          type: 'category',
          data: categories,
          axisLabel: {
            interval: 0,
            rotate: categories.length > 6 ? 30 : 0,
            width: 120,
            overflow: 'truncate',
          },
        },
        yAxis: { type: 'value', minInterval: 1 },
        series: series.map((s) => ({ type: 'bar', name: s.name, data: s.values, cursor: 'pointer' })),
      },
      { notMerge: true },
    );
  }, [categories, series, label]);

  return <div ref={box} data-testid="report-chart" role="img" aria-label={label} style={{ height: 300 }} />;
}
