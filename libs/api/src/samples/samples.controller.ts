import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { BadRequestException, Body, HttpException, HttpStatus, Controller, Delete, Get, HttpCode, Inject, NotFoundException, Param, Patch, Post, Query, Req, Res, StreamableFile, UnprocessableEntityException } from '@nestjs/common';
import { autoSplitSchema, bulkUpdateSamplesSchema, sampleQuerySchema, updateSampleSchema, uploadFieldsSchema, type UploadReport } from '@tern/contracts';
import type { PrismaClient } from '@tern/db';
import { API_CONTEXT, type ApiContext } from '../api-context';
import { liveDataset } from '../datasets/dataset-queries';
import { found, idParam } from '../http/ids';
import { readMultipart } from '../http/multipart';
import { parseInput } from '../http/validation';
import { ArchiveError, unpackArchive } from './archive';
import { stratifiedAssignment } from './auto-split';
import { ingestImages } from './ingest';
import { labelArchiveEntries, parseLabelCsv, type IncomingImage } from './labelled-files';
import { removeUnreferencedFiles } from './sample-files';

async function classIdFor(prisma: PrismaClient, datasetId: string, label: string | null | undefined): Promise<string | null | undefined> {
  if (label === undefined) return undefined;
  if (label === null) return null;
  const cls = await prisma.datasetClass.upsert({ where: { datasetId_name: { datasetId, name: label } }, create: { datasetId, name: label }, update: {} });
  return cls.id;
}

const sampleView = (s: { id: string; contentHash: string; mediaType: string; sizeBytes: number; width: number | null; height: number | null; originalName: string | null; split: string; source: string; createdAt: Date; class: { name: string } | null }) => ({
  id: s.id,
  label: s.class?.name ?? null,
  split: s.split,
  contentHash: s.contentHash,
  mediaType: s.mediaType,
  sizeBytes: s.sizeBytes,
  width: s.width,
  height: s.height,
  originalName: s.originalName,
  source: s.source,
  createdAt: s.createdAt.toISOString(),
  imageUrl: `/v1/samples/${s.id}/image`,
});

@Controller('v1')
export class SamplesController {
  constructor(@Inject(API_CONTEXT) private readonly ctx: ApiContext) {}

  /**
   * multipart/form-data: `files` (images, labelled by the `label` field or the CSV), `archive`
   * (zip/tar/tar.gz, folder-per-class or with the CSV), `csv` (filename,label), `split`.
   */
  @Post('datasets/:id/samples')
  async upload(@Param('id') id: string, @Req() req: unknown, @Res({ passthrough: true }) res: unknown): Promise<UploadReport> {
    const datasetId = idParam(id, 'dataset id');
    await liveDataset(this.ctx.prisma, datasetId);
    const limits = this.ctx.config.uploads;
    const { files, fields } = await readMultipart(req, res, { fileFields: { files: limits.maxFiles + 2, archive: 1, csv: 1 }, maxFileBytes: Math.max(limits.maxFileBytes, limits.maxArchiveBytes), maxFiles: limits.maxFiles + 2 });
    const input = parseInput(uploadFieldsSchema, fields, 'upload fields');
    const images = files['files'] ?? [];
    if (images.length > limits.maxFiles) throw new HttpException(`${images.length} files in one request; the limit is ${limits.maxFiles} (send an archive for more)`, HttpStatus.PAYLOAD_TOO_LARGE);
    const oversized = images.find((f) => f.size > limits.maxFileBytes);
    if (oversized) throw new HttpException(`file "${oversized.originalname}" is ${oversized.size} bytes, over the ${limits.maxFileBytes}-byte limit per image`, HttpStatus.PAYLOAD_TOO_LARGE);
    const archive = files['archive']?.[0];
    if (images.length === 0 && !archive) throw new BadRequestException('no images: send image files in the "files" field or an archive in the "archive" field');
    let csv: Map<string, string> | undefined;
    try {
      if (files['csv']?.[0]) csv = parseLabelCsv(files['csv'][0].buffer.toString('utf8'));
    } catch (error) {
      throw new BadRequestException((error as Error).message);
    }
    const incoming: IncomingImage[] = images.map((f) => ({ name: f.originalname, label: input.label ?? csv?.get(f.originalname) ?? null, bytes: f.buffer }));
    if (archive) {
      try {
        const entries = await unpackArchive(archive.buffer, archive.originalname, { maxEntries: limits.maxArchiveEntries, maxUnpackedBytes: limits.maxUnpackedBytes, maxEntryBytes: limits.maxFileBytes });
        const csvInside = entries.find((e) => /\.csv$/i.test(e.path));
        const labels = csv ?? (csvInside ? parseLabelCsv(Buffer.from(csvInside.bytes).toString('utf8')) : undefined);
        incoming.push(...labelArchiveEntries(entries, labels).map((e) => (input.label && !e.label ? { ...e, label: input.label } : e)));
      } catch (error) {
        if (error instanceof ArchiveError) throw new BadRequestException(`archive ${archive.originalname} rejected: ${error.message}`);
        throw error;
      }
    }
    const report = await ingestImages(this.ctx.prisma, this.ctx.samples, datasetId, incoming, { ...(input.split ? { split: input.split } : {}), source: archive ? 'archive' : 'upload', maxFileBytes: limits.maxFileBytes });
    if (report.accepted.length === 0 && report.rejected.length > 0) {
      throw new UnprocessableEntityException({ message: `no image accepted: ${report.rejected.slice(0, 5).map((r) => `${r.name}: ${r.reason}`).join('; ')}`, details: report });
    }
    return report;
  }

  @Get('datasets/:id/samples')
  async list(@Param('id') id: string, @Query() query: unknown) {
    const datasetId = idParam(id, 'dataset id');
    const q = parseInput(sampleQuerySchema, query, 'query');
    await liveDataset(this.ctx.prisma, datasetId);
    const where = { datasetId, ...(q.split ? { split: q.split } : {}), ...(q.label ? { class: { name: q.label } } : {}) };
    const [total, rows] = await Promise.all([this.ctx.prisma.sample.count({ where }), this.ctx.prisma.sample.findMany({ where, include: { class: { select: { name: true } } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], skip: (q.page - 1) * q.pageSize, take: q.pageSize })]);
    return { items: rows.map(sampleView), page: q.page, pageSize: q.pageSize, total };
  }

  @Get('samples/:id/image')
  async image(@Param('id') id: string, @Res({ passthrough: true }) res: { setHeader(name: string, value: string): void }) {
    const sample = found(await this.ctx.prisma.sample.findUnique({ where: { id: idParam(id, 'sample id') } }), 'sample', id);
    if (!sample.storageUri.startsWith('file://')) throw new NotFoundException(`sample ${id} is stored where the api cannot read it`);
    res.setHeader('Content-Type', sample.mediaType);
    res.setHeader('Cache-Control', 'private, max-age=86400, immutable');
    return new StreamableFile(await readFile(fileURLToPath(sample.storageUri)));
  }

  @Patch('samples/:id')
  async update(@Param('id') id: string, @Body() body: unknown) {
    const sampleId = idParam(id, 'sample id');
    const input = parseInput(updateSampleSchema, body, 'sample update');
    const sample = found(await this.ctx.prisma.sample.findUnique({ where: { id: sampleId } }), 'sample', sampleId);
    const classId = await classIdFor(this.ctx.prisma, sample.datasetId, input.label);
    const updated = await this.ctx.prisma.sample.update({ where: { id: sampleId }, data: { ...(classId !== undefined ? { classId } : {}), ...(input.split ? { split: input.split } : {}) }, include: { class: { select: { name: true } } } });
    return sampleView(updated);
  }

  @Delete('samples/:id')
  @HttpCode(200)
  async remove(@Param('id') id: string) {
    const sampleId = idParam(id, 'sample id');
    const sample = found(await this.ctx.prisma.sample.findUnique({ where: { id: sampleId } }), 'sample', sampleId);
    await this.ctx.prisma.sample.delete({ where: { id: sampleId } });
    await removeUnreferencedFiles(this.ctx.prisma, this.ctx.samples, [sample.contentHash]);
    return { id: sampleId, deleted: true };
  }

  /** Relabel, move or delete many samples of one dataset at once. */
  @Post('datasets/:id/samples/bulk')
  @HttpCode(200)
  async bulk(@Param('id') id: string, @Body() body: unknown) {
    const datasetId = idParam(id, 'dataset id');
    const input = parseInput(bulkUpdateSamplesSchema, body, 'bulk update');
    await liveDataset(this.ctx.prisma, datasetId);
    const where = { datasetId, id: { in: input.sampleIds } };
    const matching = await this.ctx.prisma.sample.findMany({ where, select: { id: true, contentHash: true } });
    const missing = input.sampleIds.filter((s) => !matching.some((m) => m.id === s));
    if (missing.length > 0) throw new NotFoundException(`samples not in dataset ${datasetId}: ${missing.slice(0, 10).join(', ')}`);
    if (input.delete) {
      await this.ctx.prisma.sample.deleteMany({ where });
      await removeUnreferencedFiles(this.ctx.prisma, this.ctx.samples, matching.map((m) => m.contentHash));
      return { updated: 0, deleted: matching.length };
    }
    const classId = await classIdFor(this.ctx.prisma, datasetId, input.label);
    const result = await this.ctx.prisma.sample.updateMany({ where, data: { ...(classId !== undefined ? { classId } : {}), ...(input.split ? { split: input.split } : {}) } });
    return { updated: result.count, deleted: 0 };
  }

  /** Automatic stratified train/validation/test split: the same images and seed give the same split. */
  @Post('datasets/:id/split')
  @HttpCode(200)
  async split(@Param('id') id: string, @Body() body: unknown) {
    const datasetId = idParam(id, 'dataset id');
    const input = parseInput(autoSplitSchema, body, 'split');
    await liveDataset(this.ctx.prisma, datasetId);
    const samples = await this.ctx.prisma.sample.findMany({ where: { datasetId }, select: { id: true, classId: true, contentHash: true } });
    const assignment = stratifiedAssignment(samples, input);
    await this.ctx.prisma.$transaction(async (tx) => {
      for (const split of ['train', 'validation', 'test'] as const) {
        const ids = [...assignment].filter(([, s]) => s === split).map(([sampleId]) => sampleId);
        if (ids.length) await tx.sample.updateMany({ where: { id: { in: ids } }, data: { split } });
      }
    });
    const counts = { train: 0, validation: 0, test: 0 };
    for (const s of assignment.values()) counts[s]++;
    return { datasetId, seed: input.seed, splits: counts };
  }
}
