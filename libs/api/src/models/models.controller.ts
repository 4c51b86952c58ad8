import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Body, Controller, Get, Inject, NotFoundException, Param, Put, Res, StreamableFile, UnprocessableEntityException } from '@nestjs/common';
import { zipSync } from 'fflate';
import { setAliasSchema } from '@tern/contracts';
import { API_CONTEXT, type ApiContext } from '../api-context';
import { liveDataset } from '../datasets/dataset-queries';
import { found, idParam } from '../http/ids';
import { parseInput } from '../http/validation';

function filesUnder(dir: string, prefix = ''): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) Object.assign(out, filesUnder(full, `${prefix}${name}/`));
    else out[`${prefix}${name}`] = new Uint8Array(readFileSync(full));
  }
  return out;
}

@Controller('v1')
export class ModelsController {
  constructor(@Inject(API_CONTEXT) private readonly ctx: ApiContext) {}

  @Get('datasets/:id/models')
  async versions(@Param('id') id: string) {
    const datasetId = idParam(id, 'dataset id');
    const dataset = found(await this.ctx.prisma.dataset.findUnique({ where: { id: datasetId } }), 'dataset', datasetId);
    const models = await this.ctx.prisma.trainedModel.findMany({ where: { datasetId }, orderBy: { version: 'desc' }, include: { baseModel: true, aliases: true } });
    return {
      datasetId,
      datasetDeleted: dataset.deletedAt !== null,
      items: models.map((m) => ({ id: m.id, version: m.version, kind: m.kind, testAccuracy: m.testAccuracy, baseModelId: m.baseModel.name, baseModelVersion: m.baseModel.version, layer: m.embeddingLayer, labels: m.labels, aliases: m.aliases.map((a) => a.alias), jobId: m.jobId, parentModelId: m.parentModelId, createdAt: m.createdAt.toISOString() })),
    };
  }

  /** Everything about one version: evaluation (per class, confusion matrix), settings and per-epoch curves. */
  @Get('models/:id')
  async get(@Param('id') id: string) {
    const modelId = idParam(id, 'model id');
    const m = found(await this.ctx.prisma.trainedModel.findUnique({ where: { id: modelId }, include: { baseModel: true, aliases: true } }), 'model', modelId);
    const curves = await this.ctx.prisma.trainingMetric.findMany({ where: { OR: [{ modelId }, ...(m.jobId ? [{ jobId: m.jobId }] : [])] }, orderBy: [{ stage: 'asc' }, { epoch: 'asc' }] });
    return {
      id: m.id,
      datasetId: m.datasetId,
      version: m.version,
      kind: m.kind,
      labels: m.labels,
      testAccuracy: m.testAccuracy,
      metrics: m.metrics,
      config: m.config,
      baseModel: { id: m.baseModel.name, version: m.baseModel.version, layer: m.embeddingLayer, displayName: m.baseModel.displayName },
      aliases: m.aliases.map((a) => a.alias),
      jobId: m.jobId,
      parentModelId: m.parentModelId,
      createdAt: m.createdAt.toISOString(),
      curves: curves.map((c) => ({ stage: c.stage, epoch: c.epoch, loss: c.loss, accuracy: c.accuracy, valLoss: c.valLoss, valAccuracy: c.valAccuracy })),
      downloadUrl: `/v1/models/${m.id}/artifact`,
    };
  }

  /** The TF.js artifact as a zip: model/ (pixels in, tf.loadLayersModel), head/ (embeddings in), tern.json. */
  @Get('models/:id/artifact')
  async artifact(@Param('id') id: string, @Res({ passthrough: true }) res: { setHeader(name: string, value: string): void }) {
    const modelId = idParam(id, 'model id');
    const m = found(await this.ctx.prisma.trainedModel.findUnique({ where: { id: modelId } }), 'model', modelId);
    let dir: string;
    try {
      dir = await this.ctx.artifacts.localPath(m.artifactUri);
    } catch (error) {
      throw new NotFoundException(`the artifact of model ${modelId} is missing: ${(error as Error).message}`);
    }
    res.setHeader('Content-Type', 'application/zip');
    res.setHeader('Content-Disposition', `attachment; filename="tern-model-v${m.version}-${modelId.slice(0, 8)}.zip"`);
    return new StreamableFile(Buffer.from(zipSync(filesUnder(dir), { level: 6 })));
  }

  /** Points an alias (e.g. production) at a version of the same dataset. */
  @Put('datasets/:id/aliases/:alias')
  async setAlias(@Param('id') id: string, @Param('alias') alias: string, @Body() body: unknown) {
    const datasetId = idParam(id, 'dataset id');
    if (!/^[a-z][a-z0-9_-]{0,39}$/.test(alias)) throw new UnprocessableEntityException(`invalid alias "${alias.slice(0, 50)}" (lowercase letters, digits, _ -)`);
    const { modelId } = parseInput(setAliasSchema, body, 'alias');
    await liveDataset(this.ctx.prisma, datasetId);
    const model = await this.ctx.prisma.trainedModel.findUnique({ where: { id: modelId } });
    if (!model || model.datasetId !== datasetId) throw new NotFoundException(`model ${modelId} does not exist in dataset ${datasetId}`);
    const row = await this.ctx.prisma.modelAlias.upsert({ where: { datasetId_alias: { datasetId, alias } }, create: { datasetId, alias, modelId }, update: { modelId } });
    return { datasetId, alias, modelId: row.modelId, version: model.version, updatedAt: row.updatedAt.toISOString() };
  }
}
