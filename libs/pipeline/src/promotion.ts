import { fileURLToPath } from 'node:url';
import type { PrismaClient } from '@tern/db';
import { evaluatePredictions, loadClassifier, preprocessingKey } from '@tern/ml';
import { resolveBase } from './base-resolver';
import { PostgresEmbeddingStore } from './postgres-embedding-store';

export interface PromotionDecision {
  promoted: boolean;
  forced: boolean;
  previousModelId: string | null;
  previousScore: number | null;
  candidateScore: number | null;
  reason: string;
}

/**
 * Scores a model on the dataset's current test split from cached embeddings, so that two
 * models are compared on the same images even if the split changed since one was trained.
 */
async function scoreOnCurrentTestSplit(prisma: PrismaClient, modelId: string): Promise<number | null> {
  const model = await prisma.trainedModel.findUniqueOrThrow({ where: { id: modelId }, include: { baseModel: true } });
  const samples = await prisma.sample.findMany({ where: { datasetId: model.datasetId, split: 'test', classId: { not: null } }, include: { class: true } });
  const usable = samples.filter((s) => model.labels.includes(s.class!.name));
  if (usable.length === 0) return null;
  const descriptor = await resolveBase(prisma, model.baseModel.name);
  const key = { baseModelId: descriptor.id, baseModelVersion: model.baseModel.version, layer: model.embeddingLayer, preprocessing: preprocessingKey(descriptor) };
  const vectors = await new PostgresEmbeddingStore(prisma).getMany(key, usable.map((s) => s.contentHash));
  if (vectors.size < usable.length) return null;
  const classifier = await loadClassifier(fileURLToPath(model.artifactUri));
  try {
    const predictions = await classifier.predictEmbeddings(usable.map((s) => vectors.get(s.contentHash)!), model.labels.length);
    const probabilities = predictions.flatMap((p) => model.labels.map((label) => p.top.find((t) => t.label === label)!.probability));
    return evaluatePredictions(probabilities, usable.map((s) => model.labels.indexOf(s.class!.name)), model.labels).accuracy;
  } finally {
    classifier.dispose();
  }
}

/** Promotes `candidateId` to the dataset's `production` alias only if it beats the current one on the same test split (or if forced). */
export async function decidePromotion(prisma: PrismaClient, datasetId: string, candidateId: string, force: boolean): Promise<PromotionDecision> {
  const current = await prisma.modelAlias.findUnique({ where: { datasetId_alias: { datasetId, alias: 'production' } } });
  const candidateScore = await scoreOnCurrentTestSplit(prisma, candidateId);
  let previousScore: number | null = null;
  let reason: string;
  let promoted: boolean;
  if (!current) {
    promoted = true;
    reason = 'no production model yet';
  } else {
    previousScore = await scoreOnCurrentTestSplit(prisma, current.modelId);
    if (force) {
      promoted = true;
      reason = 'promotion forced by the request';
    } else if (candidateScore === null || previousScore === null) {
      promoted = false;
      reason = 'models could not be compared on the current test split (no test samples or embeddings)';
    } else {
      promoted = candidateScore > previousScore;
      reason = promoted ? `candidate ${candidateScore.toFixed(3)} beats production ${previousScore.toFixed(3)} on the same test split` : `candidate ${candidateScore.toFixed(3)} does not beat production ${previousScore.toFixed(3)} on the same test split`;
    }
  }
  if (promoted) {
    await prisma.modelAlias.upsert({ where: { datasetId_alias: { datasetId, alias: 'production' } }, update: { modelId: candidateId }, create: { datasetId, alias: 'production', modelId: candidateId } });
  }
  return { promoted, forced: force && Boolean(current), previousModelId: current?.modelId ?? null, previousScore, candidateScore, reason };
}
