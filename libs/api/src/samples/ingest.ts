import { createHash, randomUUID } from 'node:crypto';
import { classNameSchema, type UploadReport } from '@tern/contracts';
import type { PrismaClient } from '@tern/db';
import { decodeImage, ImageDecodeError } from '@tern/ml';
import type { IncomingImage } from './labelled-files';
import type { SampleFileStore } from './sample-store';

type Split = 'train' | 'validation' | 'test';
const mediaTypes: Record<string, string> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif' };

interface Checked {
  name: string;
  label: string;
  bytes: Uint8Array;
  contentHash: string;
  mediaType: string;
  width: number;
  height: number;
}

/**
 * Adds images to a dataset. Each file is checked by decoding it (the extension is not trusted),
 * deduplicated by content hash (within the upload and against the dataset) and reported. Rows go
 * in one transaction; files this call wrote are removed again if it fails, so a failed upload
 * leaves nothing behind.
 */
export async function ingestImages(prisma: PrismaClient, store: SampleFileStore, datasetId: string, images: IncomingImage[], opts: { split?: Split; source: string; maxFileBytes: number }): Promise<UploadReport> {
  const report: UploadReport = { accepted: [], duplicates: [], rejected: [] };
  const checked: Checked[] = [];
  const seen = new Map<string, string>();
  for (const image of images) {
    if (!image.label) {
      report.rejected.push({ name: image.name, reason: 'no label: send a label field, put files in class folders, or add a filename,label CSV' });
      continue;
    }
    const label = classNameSchema.safeParse(image.label);
    if (!label.success) {
      report.rejected.push({ name: image.name, reason: `invalid label "${image.label.slice(0, 100)}" (1-100 characters, no slashes)` });
      continue;
    }
    if (image.bytes.byteLength > opts.maxFileBytes) {
      report.rejected.push({ name: image.name, reason: `file is ${image.bytes.byteLength} bytes, over the ${opts.maxFileBytes}-byte limit` });
      continue;
    }
    try {
      const decoded = await decodeImage(image.bytes, image.name, { width: 8, height: 8 }, { maxBytes: opts.maxFileBytes, maxPixels: 40_000_000 });
      const contentHash = createHash('sha256').update(image.bytes).digest('hex');
      const earlier = seen.get(contentHash);
      if (earlier) {
        report.duplicates.push({ name: image.name, existingSampleId: null, reason: `same image as ${earlier} in this upload` });
        continue;
      }
      seen.set(contentHash, image.name);
      checked.push({ name: image.name, label: label.data, bytes: image.bytes, contentHash, mediaType: mediaTypes[decoded.format]!, width: decoded.originalWidth, height: decoded.originalHeight });
    } catch (error) {
      report.rejected.push({ name: image.name, reason: error instanceof ImageDecodeError ? error.reason : (error as Error).message });
    }
  }
  const existing = await prisma.sample.findMany({ where: { datasetId, contentHash: { in: checked.map((c) => c.contentHash) } }, select: { id: true, contentHash: true } });
  const existingByHash = new Map(existing.map((s) => [s.contentHash, s.id]));
  const fresh = checked.filter((c) => {
    const id = existingByHash.get(c.contentHash);
    if (id) report.duplicates.push({ name: c.name, existingSampleId: id, reason: 'already in this dataset' });
    return !id;
  });
  if (fresh.length === 0) return report;

  const written: string[] = [];
  try {
    const uris = fresh.map((c) => {
      const { uri, created } = store.put(c.contentHash, c.bytes);
      if (created) written.push(c.contentHash);
      return uri;
    });
    const ids = fresh.map(() => randomUUID());
    await prisma.$transaction(async (tx) => {
      const labels = [...new Set(fresh.map((c) => c.label))];
      await tx.datasetClass.createMany({ data: labels.map((name) => ({ datasetId, name })), skipDuplicates: true });
      const classes = await tx.datasetClass.findMany({ where: { datasetId, name: { in: labels } }, select: { id: true, name: true } });
      const classId = new Map(classes.map((c) => [c.name, c.id]));
      await tx.sample.createMany({
        data: fresh.map((c, i) => ({ id: ids[i]!, datasetId, classId: classId.get(c.label)!, contentHash: c.contentHash, mediaType: c.mediaType, sizeBytes: c.bytes.byteLength, width: c.width, height: c.height, storageUri: uris[i]!, originalName: c.name.slice(0, 500), split: opts.split ?? 'train', source: opts.source })),
      });
      await tx.dataset.update({ where: { id: datasetId }, data: { updatedAt: new Date() } });
    }, { timeout: 60_000 });
    fresh.forEach((c, i) => report.accepted.push({ sampleId: ids[i]!, name: c.name, label: c.label, contentHash: c.contentHash }));
    return report;
  } catch (error) {
    for (const hash of written) store.remove(hash);
    throw error;
  }
}
