import type { Evaluation } from '../evaluation/evaluate';

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Per-class precision/recall/F1 with accuracy and top-k underneath. */
export function evaluationTable(evaluation: Evaluation): string {
  const rows = evaluation.perClass.map((c) => [c.label, pct(c.precision), pct(c.recall), pct(c.f1), String(c.support)]);
  const summary = [`accuracy ${pct(evaluation.accuracy)} on ${evaluation.count} test images`, `macro-F1 ${pct(evaluation.macroF1)}`, ...Object.entries(evaluation.topK).filter(([k]) => k !== '1').map(([k, v]) => `top-${k} ${pct(v)}`)];
  return `${table(['class', 'precision', 'recall', 'F1', 'support'], rows)}\n${summary.join(' · ')}`;
}

export interface ComparisonRow {
  model: string;
  evaluation: Evaluation;
  durationMs: number;
}

/** One line per approach, so a user sees what transfer learning bought them. */
export function comparisonTable(rows: ComparisonRow[], chance: number): string {
  return table(
    ['model', 'test accuracy', 'macro-F1', 'train time'],
    [...rows.map((r) => [r.model, pct(r.evaluation.accuracy), pct(r.evaluation.macroF1), `${(r.durationMs / 1000).toFixed(1)} s`]), ['chance (uniform guess)', pct(chance), '', '']],
  );
}

export function confusionTable(evaluation: Evaluation): string {
  const labels = evaluation.perClass.map((c) => c.label);
  return table(['actual \\ predicted', ...labels], evaluation.confusion.map((row, i) => [labels[i]!, ...row.map(String)]));
}
