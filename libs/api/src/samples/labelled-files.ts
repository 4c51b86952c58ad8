import type { ArchiveEntry } from './archive';

export interface IncomingImage {
  /** What the user sees in the report: file name or archive path. */
  name: string;
  label: string | null;
  bytes: Uint8Array;
}

/** Parses a filename,label CSV (header optional, quotes allowed); the error names the line. */
export function parseLabelCsv(text: string): Map<string, string> {
  const labels = new Map<string, string>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    const cells = line.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
    if (cells.length !== 2 || !cells[0] || !cells[1]) throw new Error(`labels CSV line ${i + 1}: expected "filename,label", got "${line.slice(0, 80)}"`);
    if (i === 0 && /^(file(name)?|path|image)$/i.test(cells[0]) && /^(label|class)$/i.test(cells[1])) return;
    labels.set(cells[0], cells[1]);
  });
  return labels;
}

const baseName = (p: string) => p.split('/').pop()!;

/**
 * Labels archive entries: by the CSV (matched on the full path, then the file name) when one is
 * given, else by folder: `<class>/<file>` or `<root>/<class>/<file>`.
 */
export function labelArchiveEntries(entries: ArchiveEntry[], csv?: Map<string, string>): IncomingImage[] {
  const files = entries.filter((e) => !/\.csv$/i.test(e.path));
  if (csv) return files.map((e) => ({ name: e.path, label: csv.get(e.path) ?? csv.get(baseName(e.path)) ?? null, bytes: e.bytes }));
  const depths = new Set(files.map((e) => e.path.split('/').length));
  // A single top folder wrapping the class folders (how zip tools usually pack a folder) is skipped.
  const roots = new Set(files.map((e) => e.path.split('/')[0]));
  const skipRoot = roots.size === 1 && [...depths].every((d) => d >= 3);
  return files.map((e) => {
    const parts = e.path.split('/').slice(skipRoot ? 1 : 0);
    return { name: e.path, label: parts.length >= 2 ? parts[parts.length - 2]! : null, bytes: e.bytes };
  });
}
