import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ImageSource } from '../extraction/extract-embeddings';
import type { LabelledImage, LabelledImageSet } from './labelled-images';

const imageExtensions = new Set(['.png', '.jpg', '.jpeg', '.webp', '.gif']);

export function fileSource(file: string): ImageSource {
  return { id: file, read: async () => new Uint8Array(await readFile(file)) };
}

/** `dir/<class>/<image>`: each sub-folder is a class. Other files are ignored. */
export function loadFolderDataset(dir: string): LabelledImageSet {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`${dir} is not a directory`);
  const classNames = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
    .map((d) => d.name)
    .sort();
  const items: LabelledImage[] = [];
  for (const label of classNames) {
    for (const file of readdirSync(path.join(dir, label)).sort()) {
      if (imageExtensions.has(path.extname(file).toLowerCase())) items.push({ source: fileSource(path.join(dir, label, file)), label });
    }
  }
  if (classNames.length === 0) throw new Error(`${dir} has no class folders (expected ${dir}/<class>/<image>)`);
  const empty = classNames.filter((c) => !items.some((i) => i.label === c));
  if (empty.length > 0) throw new Error(`class folder(s) without images: ${empty.join(', ')}`);
  return { name: path.basename(path.resolve(dir)), classNames, items };
}

/** A CSV of `path,label` (header optional); relative paths are relative to the CSV file. */
export function loadCsvDataset(csvFile: string): LabelledImageSet {
  if (!existsSync(csvFile)) throw new Error(`${csvFile} not found`);
  const base = path.dirname(csvFile);
  const items: LabelledImage[] = [];
  const lines = readFileSync(csvFile, 'utf8').split(/\r?\n/);
  lines.forEach((line, index) => {
    const trimmed = line.trim();
    if (!trimmed || (index === 0 && /^"?(path|file|filename)"?\s*,/i.test(trimmed))) return;
    const match = /^("([^"]*)"|[^,]*),\s*("([^"]*)"|[^,]*)\s*$/.exec(trimmed);
    if (!match) throw new Error(`${csvFile}:${index + 1}: expected "path,label", got "${trimmed}"`);
    const file = (match[2] ?? match[1] ?? '').trim();
    const label = (match[4] ?? match[3] ?? '').trim();
    if (!file || !label) throw new Error(`${csvFile}:${index + 1}: path and label are both required`);
    const full = path.resolve(base, file);
    if (!existsSync(full)) throw new Error(`${csvFile}:${index + 1}: image ${file} not found`);
    items.push({ source: fileSource(full), label });
  });
  const classNames = [...new Set(items.map((i) => i.label))].sort();
  return { name: path.basename(csvFile, path.extname(csvFile)), classNames, items };
}
