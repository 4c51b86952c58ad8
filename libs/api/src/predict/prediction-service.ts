import { HttpException, HttpStatus, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import type { PredictResponse } from '@tern/contracts';
import type { TrainedModel } from '@tern/db';
import { loadClassifier, type LoadedClassifier } from '@tern/ml';
import { resolveBase } from '@tern/pipeline';
import type { ApiContext } from '../api-context';
import { RateLimiter } from './rate-limiter';

export type ModelRef = { modelId: string } | { datasetId: string };

/**
 * Predictions for REST and gRPC. Loaded classifiers are kept in a small LRU cache by model id
 * (a version never changes), so only the first request of a model pays for loading it.
 */
export class PredictionService {
  private readonly cache = new Map<string, Promise<LoadedClassifier>>();
  private readonly limiter: RateLimiter;

  constructor(private readonly ctx: ApiContext) {
    this.limiter = new RateLimiter(ctx.config.predict.requestsPerMinute);
  }

  /** Each image or embedding costs one request of the caller's per-minute budget. */
  checkRate(caller: string, cost: number): void {
    const wait = this.limiter.take(caller, cost);
    if (wait > 0) throw new HttpException({ message: `rate limit: ${this.ctx.config.predict.requestsPerMinute} predictions per minute; retry in ${wait} s`, retryAfter: wait }, HttpStatus.TOO_MANY_REQUESTS);
  }

  async resolve(ref: ModelRef): Promise<TrainedModel> {
    if ('modelId' in ref) {
      const model = await this.ctx.prisma.trainedModel.findUnique({ where: { id: ref.modelId } });
      if (!model) throw new NotFoundException(`model ${ref.modelId} does not exist`);
      return model;
    }
    const alias = await this.ctx.prisma.modelAlias.findUnique({ where: { datasetId_alias: { datasetId: ref.datasetId, alias: 'production' } }, include: { model: true } });
    if (!alias) throw new NotFoundException(`dataset ${ref.datasetId} has no production model (train one, or set the alias)`);
    return alias.model;
  }

  private classifier(model: TrainedModel): Promise<LoadedClassifier> {
    let loading = this.cache.get(model.id);
    if (loading) {
      this.cache.delete(model.id);
      this.cache.set(model.id, loading); // most recently used last
      return loading;
    }
    loading = this.ctx.artifacts.localPath(model.artifactUri).then((dir) => loadClassifier(dir, (id) => resolveBase(this.ctx.prisma, id)));
    loading.catch(() => this.cache.delete(model.id));
    this.cache.set(model.id, loading);
    while (this.cache.size > this.ctx.config.predict.cachedModels) {
      const [oldest, evicted] = this.cache.entries().next().value as [string, Promise<LoadedClassifier>];
      this.cache.delete(oldest);
      void evicted.then((c) => c.dispose()).catch(() => undefined);
    }
    return loading;
  }

  async predictImages(ref: ModelRef, images: { id: string; bytes: Uint8Array }[], topK: number): Promise<PredictResponse> {
    const model = await this.resolve(ref);
    const classifier = await this.classifier(model);
    const results = await classifier.predictImages(images.map((i) => ({ id: i.id, contentHash: '', read: async () => i.bytes })), topK);
    return { modelId: model.id, modelVersion: model.version, predictions: results.map((r) => ('error' in r ? { id: r.id, error: r.error } : { id: r.id, top: r.top })) };
  }

  async predictEmbeddings(ref: ModelRef, embeddings: number[][], topK: number): Promise<PredictResponse> {
    const model = await this.resolve(ref);
    const classifier = await this.classifier(model);
    const size = classifier.metadata.embeddingSize;
    const bad = embeddings.findIndex((e) => e.length !== size);
    if (bad >= 0) throw new UnprocessableEntityException(`embeddings[${bad}] has ${embeddings[bad]!.length} values; model ${model.id} takes ${size} (${classifier.metadata.baseModel.id}/${classifier.metadata.baseModel.layer})`);
    const results = await classifier.predictEmbeddings(embeddings.map((e) => Float32Array.from(e)), topK);
    return { modelId: model.id, modelVersion: model.version, predictions: results };
  }

  dispose(): void {
    for (const loading of this.cache.values()) void loading.then((c) => c.dispose()).catch(() => undefined);
    this.cache.clear();
  }
}
