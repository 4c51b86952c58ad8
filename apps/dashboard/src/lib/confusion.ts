/** Heatmap cells [predicted, actual, share of the actual row, count] for a confusion matrix. */
export function confusionCells(matrix: number[][]): { cells: [number, number, number, number][]; max: number } {
  const cells: [number, number, number, number][] = [];
  matrix.forEach((row, actual) => {
    const total = row.reduce((a, b) => a + b, 0);
    row.forEach((count, predicted) => cells.push([predicted, actual, total ? Math.round((count / total) * 1000) / 1000 : 0, count]));
  });
  return { cells, max: 1 };
}

export interface ClassMetric {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** Reads the per-class metrics and the confusion matrix from a model's stored evaluation, whatever its key names. */
export function readEvaluation(metrics: unknown, labels: string[]): { accuracy: number | null; perClass: ClassMetric[]; confusion: number[][] | null } {
  const m = (metrics ?? {}) as Record<string, unknown>;
  const confusion = (m['confusion'] ?? m['confusionMatrix'] ?? null) as number[][] | null;
  const raw = (m['perClass'] ?? m['classes'] ?? []) as Record<string, unknown>[];
  const perClass = raw.map((c, i) => ({ label: String(c['label'] ?? c['className'] ?? labels[i] ?? i), precision: Number(c['precision'] ?? 0), recall: Number(c['recall'] ?? 0), f1: Number(c['f1'] ?? 0), support: Number(c['support'] ?? 0) }));
  return { accuracy: typeof m['accuracy'] === 'number' ? m['accuracy'] : null, perClass, confusion };
}
