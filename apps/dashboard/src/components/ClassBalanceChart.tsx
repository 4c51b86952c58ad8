'use client';
import { useMemo } from 'react';
import { Chart } from './Chart';

interface ClassCounts {
  name: string;
  splits: { train: number; validation: number; test: number };
}

/** Images per class, stacked by split. */
export function ClassBalanceChart({ classes }: { classes: ClassCounts[] }) {
  const option = useMemo(
    () => ({
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      legend: { bottom: 0 },
      grid: { left: 120, right: 24, top: 8, bottom: 40 },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: classes.map((c) => c.name), inverse: true },
      series: (['train', 'validation', 'test'] as const).map((split) => ({ name: split, type: 'bar', stack: 'images', data: classes.map((c) => c.splits[split]) })),
    }),
    [classes],
  );
  return <Chart option={option} height={Math.max(160, 60 + classes.length * 32)} label={`Class balance: ${classes.map((c) => `${c.name} ${c.splits.train + c.splits.validation + c.splits.test}`).join(', ')}`} testId="class-balance" />;
}
