import type { UploadReport } from '@tern/contracts';

/** One line for the user after an upload, plus rows for the per-file table (problems first). */
export function summarizeUpload(report: UploadReport): { headline: string; tone: 'ok' | 'warn' | 'error'; rows: { name: string; outcome: 'added' | 'duplicate' | 'rejected'; detail: string }[] } {
  const added = report.accepted.length;
  const dup = report.duplicates.length;
  const bad = report.rejected.length;
  const parts = [`${added} image${added === 1 ? '' : 's'} added`];
  if (dup) parts.push(`${dup} duplicate${dup === 1 ? '' : 's'} skipped`);
  if (bad) parts.push(`${bad} rejected`);
  return {
    headline: parts.join(', '),
    tone: bad && !added ? 'error' : bad || dup ? 'warn' : 'ok',
    rows: [
      ...report.rejected.map((r) => ({ name: r.name, outcome: 'rejected' as const, detail: r.reason })),
      ...report.duplicates.map((d) => ({ name: d.name, outcome: 'duplicate' as const, detail: d.reason })),
      ...report.accepted.map((a) => ({ name: a.name, outcome: 'added' as const, detail: a.label ?? '' })),
    ],
  };
}

export const isArchive = (name: string) => /\.(zip|tar|tgz|tar\.gz)$/i.test(name);
export const isCsv = (name: string) => /\.csv$/i.test(name);
