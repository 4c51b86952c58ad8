'use client';
import { useMemo } from 'react';
import type { CurvePoint } from '@/lib/job-progress';
import { Chart } from './Chart';

const stageNames: Record<string, string> = { head: 'Head', fine_tune: 'Fine-tuning' };

/** Loss and accuracy per epoch, train and validation, for each training stage. */
export function TrainingCurves({ curves }: { curves: Record<string, CurvePoint[]> }) {
  const stages = Object.keys(curves);
  if (stages.length === 0) return <p className="muted">Curves appear here after the first epoch.</p>;
  return (
    <div className="grid-2">
      {stages.map((stage) => (
        <StageCurves key={stage} stage={stage} points={curves[stage]!} />
      ))}
    </div>
  );
}

function StageCurves({ stage, points }: { stage: string; points: CurvePoint[] }) {
  const name = stageNames[stage] ?? stage;
  const option = useMemo(
    () => ({
      title: { text: `${name}: loss and accuracy`, textStyle: { fontSize: 13 } },
      tooltip: { trigger: 'axis' },
      legend: { bottom: 0 },
      grid: { left: 48, right: 48, top: 40, bottom: 56 },
      xAxis: { type: 'category', name: 'epoch', data: points.map((p) => p.epoch + 1) },
      yAxis: [
        { type: 'value', name: 'loss', min: 0 },
        { type: 'value', name: 'accuracy', min: 0, max: 1 },
      ],
      series: [
        { name: 'train loss', type: 'line', data: points.map((p) => round(p.loss)), showSymbol: false },
        { name: 'val loss', type: 'line', data: points.map((p) => round(p.valLoss)), showSymbol: false, lineStyle: { type: 'dashed' } },
        { name: 'train acc', type: 'line', yAxisIndex: 1, data: points.map((p) => round(p.accuracy)), showSymbol: false },
        { name: 'val acc', type: 'line', yAxisIndex: 1, data: points.map((p) => round(p.valAccuracy)), showSymbol: false, lineStyle: { type: 'dashed' } },
      ],
    }),
    [name, points],
  );
  return <Chart option={option} label={`${name} training curves: ${points.length} epochs, last validation accuracy ${pct(points.at(-1)?.valAccuracy)}`} testId={`curves-${stage}`} />;
}

const round = (v: number | null) => (v === null ? null : Math.round(v * 10000) / 10000);
const pct = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : `${(v * 100).toFixed(0)}%`);
