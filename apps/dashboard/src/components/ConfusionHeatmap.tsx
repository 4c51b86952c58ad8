'use client';
import { useMemo } from 'react';
import { confusionCells } from '@/lib/confusion';
import { Chart } from './Chart';

/** Confusion matrix as a heatmap: rows are true classes, colour is the share of that class predicted as each column. */
export function ConfusionHeatmap({ matrix, labels }: { matrix: number[][]; labels: string[] }) {
  const option = useMemo(() => {
    const cells = confusionCells(matrix);
    return {
      tooltip: { formatter: (p: { data: [number, number, number, number] }) => `true ${labels[p.data[1]]} → predicted ${labels[p.data[0]]}: ${p.data[3]} (${Math.round(p.data[2] * 100)}%)` },
      grid: { left: 120, right: 24, top: 16, bottom: 90 },
      xAxis: { type: 'category', data: labels, name: 'predicted class', nameLocation: 'middle', nameGap: 70, axisLabel: { rotate: 30, interval: 0 } },
      yAxis: { type: 'category', data: labels, name: 'true class', nameLocation: 'middle', nameGap: 100, inverse: true, axisLabel: { interval: 0 } },
      visualMap: { min: 0, max: 1, show: false, inRange: { color: ['#f4f7fb', '#1d4ed8'] } },
      series: [{ type: 'heatmap', data: cells, label: { show: true, formatter: (p: { data: [number, number, number, number] }) => String(p.data[3]) } }],
    };
  }, [matrix, labels]);
  const correct = matrix.reduce((sum, row, i) => sum + (row[i] ?? 0), 0);
  const total = matrix.flat().reduce((a, b) => a + b, 0);
  return <Chart option={option} height={Math.max(260, 60 + labels.length * 44)} label={`Confusion matrix of ${labels.length} classes: ${correct} of ${total} test images on the diagonal`} testId="confusion-matrix" />;
}
