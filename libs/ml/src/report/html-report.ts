import type { Evaluation } from '../evaluation/evaluate';
import type { EpochMetrics } from '../training/fit-loop';

export interface ReportInput {
  title: string;
  subtitle: string;
  notes: string[];
  stages: { name: string; history: EpochMetrics[]; evaluation: Evaluation }[];
  comparison: { model: string; accuracy: number }[];
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** A line chart of per-epoch curves as inline SVG. */
function curveChart(history: EpochMetrics[], keys: (keyof EpochMetrics)[], label: string): string {
  const w = 420, h = 220, pad = 36;
  const values = history.flatMap((e) => keys.map((k) => e[k] as number | undefined).filter((v): v is number => v !== undefined && Number.isFinite(v)));
  if (values.length === 0) return '';
  const max = Math.max(...values, 1e-9);
  const min = Math.min(0, ...values);
  const x = (i: number) => pad + (history.length <= 1 ? 0 : (i * (w - 2 * pad)) / (history.length - 1));
  const y = (v: number) => h - pad - ((v - min) * (h - 2 * pad)) / (max - min || 1);
  const colors = ['#2563eb', '#dc2626', '#16a34a', '#9333ea'];
  const lines = keys
    .map((k, ki) => {
      const pts = history.map((e, i) => [i, e[k] as number | undefined] as const).filter(([, v]) => v !== undefined);
      if (pts.length === 0) return '';
      return `<polyline fill="none" stroke="${colors[ki]}" stroke-width="2" points="${pts.map(([i, v]) => `${x(i).toFixed(1)},${y(v!).toFixed(1)}`).join(' ')}"/><text x="${w - pad}" y="${14 + ki * 14}" fill="${colors[ki]}" font-size="11" text-anchor="end">${esc(String(k))}</text>`;
    })
    .join('');
  return `<figure><svg viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(label)}"><line x1="${pad}" y1="${h - pad}" x2="${w - pad}" y2="${h - pad}" stroke="#999"/><line x1="${pad}" y1="${pad}" x2="${pad}" y2="${h - pad}" stroke="#999"/><text x="${pad - 4}" y="${y(max) + 4}" font-size="10" text-anchor="end">${max.toFixed(2)}</text><text x="${pad - 4}" y="${h - pad + 4}" font-size="10" text-anchor="end">${min.toFixed(2)}</text><text x="${w / 2}" y="${h - 8}" font-size="11" text-anchor="middle">epoch</text>${lines}</svg><figcaption>${esc(label)}</figcaption></figure>`;
}

function confusionHeatmap(e: Evaluation, label: string): string {
  const labels = e.perClass.map((c) => c.label);
  const max = Math.max(1, ...e.confusion.flat());
  const cells = e.confusion
    .map((row, i) => `<tr><th scope="row">${esc(labels[i]!)}</th>${row.map((v) => `<td style="background: rgba(37,99,235,${(v / max).toFixed(2)}); color:${v / max > 0.5 ? '#fff' : '#111'}">${v}</td>`).join('')}</tr>`)
    .join('');
  return `<figure><table class="cm"><caption>${esc(label)} (rows: actual, columns: predicted)</caption><tr><th></th>${labels.map((l) => `<th scope="col">${esc(l)}</th>`).join('')}</tr>${cells}</table></figure>`;
}

/** A self-contained HTML page: training curves, confusion matrices, per-class metrics, comparison. */
export function renderHtmlReport(input: ReportInput): string {
  const stages = input.stages
    .map(
      (s) => `<section><h2>${esc(s.name)}: ${(s.evaluation.accuracy * 100).toFixed(1)}% test accuracy</h2><div class="row">${curveChart(s.history, ['loss', 'valLoss'], `${s.name}: loss per epoch`)}${curveChart(s.history, ['accuracy', 'valAccuracy'], `${s.name}: accuracy per epoch`)}</div>${confusionHeatmap(s.evaluation, `${s.name}: confusion matrix`)}<table><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>${s.evaluation.perClass.map((c) => `<tr><td>${esc(c.label)}</td><td>${(c.precision * 100).toFixed(1)}%</td><td>${(c.recall * 100).toFixed(1)}%</td><td>${(c.f1 * 100).toFixed(1)}%</td><td>${c.support}</td></tr>`).join('')}</table></section>`,
    )
    .join('');
  const comparison = `<section><h2>What transfer learning bought</h2><table><tr><th>model</th><th>test accuracy</th></tr>${input.comparison.map((c) => `<tr><td>${esc(c.model)}</td><td>${(c.accuracy * 100).toFixed(1)}%</td></tr>`).join('')}</table></section>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(input.title)}</title><style>body{font-family:system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#111}table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:right}th[scope=row],td:first-child{text-align:left}.row{display:flex;flex-wrap:wrap;gap:1rem}figure{margin:.5rem 0}.cm td{min-width:2.5rem;text-align:center}.note{color:#555;font-size:.9rem}</style></head><body><h1>${esc(input.title)}</h1><p>${esc(input.subtitle)}</p>${input.notes.map((n) => `<p class="note">${esc(n)}</p>`).join('')}${comparison}${stages}</body></html>`;
}
