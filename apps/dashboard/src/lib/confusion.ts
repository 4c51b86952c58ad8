/** Heatmap cells [predicted, actual, share of the actual row, count] for a confusion matrix. */
export function confusionCells(matrix: number[][]): [number, number, number, number][] {
  const cells: [number, number, number, number][] = [];
  matrix.forEach((row, actual) => {
    const total = row.reduce((a, b) => a + b, 0);
    row.forEach((count, predicted) => cells.push([predicted, actual, total ? Math.round((count / total) * 1000) / 1000 : 0, count]));
  });
  return cells;
}

export interface ClassMetric {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** The test evaluation a model version stores (libs/ml's Evaluation); empty when it had no test split. */
interface StoredEvaluation {
  perClass?: ClassMetric[];
  confusion?: number[][];
}

/** The per-class metrics and confusion matrix of a model's stored evaluation. */
export function readEvaluation(metrics: unknown): { perClass: ClassMetric[]; confusion: number[][] | null } {
  const m = (metrics ?? {}) as StoredEvaluation;
  return { perClass: m.perClass ?? [], confusion: m.confusion ?? null };
}
