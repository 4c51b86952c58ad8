import { Body, ConflictException, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { createDatasetSchema, deleteDatasetQuerySchema, paginationSchema, updateDatasetSchema } from '@tern/contracts';
import { API_CONTEXT, type ApiContext } from '../api-context';
import { idParam } from '../http/ids';
import { parseInput } from '../http/validation';
import { removeUnreferencedFiles } from '../samples/sample-files';
import { datasetDetail, datasetSummaries, liveDataset } from './dataset-queries';

@Controller('v1/datasets')
export class DatasetsController {
  constructor(@Inject(API_CONTEXT) private readonly ctx: ApiContext) {}

  @Get()
  list(@Query() query: unknown) {
    const { page, pageSize } = parseInput(paginationSchema, query, 'query');
    return datasetSummaries(this.ctx.prisma, page, pageSize);
  }

  @Post()
  async create(@Body() body: unknown) {
    const input = parseInput(createDatasetSchema, body, 'dataset');
    if (await this.ctx.prisma.dataset.findUnique({ where: { name: input.name } })) throw new ConflictException(`a dataset named "${input.name}" already exists`);
    const created = await this.ctx.prisma.dataset.create({ data: { name: input.name, ...(input.description ? { description: input.description } : {}) } });
    return datasetDetail(this.ctx.prisma, created.id);
  }

  @Get(':id')
  get(@Param('id') id: string) {
    return datasetDetail(this.ctx.prisma, idParam(id, 'dataset id'));
  }

  @Patch(':id')
  async update(@Param('id') id: string, @Body() body: unknown) {
    const datasetId = idParam(id, 'dataset id');
    const input = parseInput(updateDatasetSchema, body, 'dataset update');
    await liveDataset(this.ctx.prisma, datasetId);
    if (input.name && (await this.ctx.prisma.dataset.findFirst({ where: { name: input.name, id: { not: datasetId } } }))) throw new ConflictException(`a dataset named "${input.name}" already exists`);
    await this.ctx.prisma.dataset.update({ where: { id: datasetId }, data: { ...(input.name ? { name: input.name } : {}), ...(input.description !== undefined ? { description: input.description } : {}) } });
    return datasetDetail(this.ctx.prisma, datasetId);
  }

  /** Deletes the samples; models stay (the dataset row is kept, renamed) unless deleteModels=true. */
  @Delete(':id')
  @HttpCode(200)
  async remove(@Param('id') id: string, @Query() query: unknown) {
    const datasetId = idParam(id, 'dataset id');
    const { deleteModels } = parseInput(deleteDatasetQuerySchema, query, 'query');
    const dataset = await liveDataset(this.ctx.prisma, datasetId);
    const hashes = (await this.ctx.prisma.sample.findMany({ where: { datasetId }, select: { contentHash: true } })).map((s) => s.contentHash);
    const models = await this.ctx.prisma.trainedModel.findMany({ where: { datasetId }, select: { id: true, artifactUri: true } });
    await this.ctx.prisma.$transaction(async (tx) => {
      await tx.sample.deleteMany({ where: { datasetId } });
      await tx.datasetClass.deleteMany({ where: { datasetId } });
      if (deleteModels === 'true') await tx.trainedModel.deleteMany({ where: { datasetId } });
      await tx.dataset.update({ where: { id: datasetId }, data: { deletedAt: new Date(), name: `${dataset.name} (deleted ${datasetId})` } });
    });
    if (deleteModels === 'true') for (const m of models) await this.ctx.artifacts.remove(m.artifactUri).catch(() => undefined);
    await removeUnreferencedFiles(this.ctx.prisma, this.ctx.samples, hashes);
    return { id: datasetId, deleted: true, samplesDeleted: hashes.length, modelsDeleted: deleteModels === 'true' ? models.length : 0, modelsKept: deleteModels === 'true' ? 0 : models.length };
  }
}
