import { fileURLToPath } from 'node:url';
import type { PrismaClient } from '@tern/db';
import { bundledBaseModels, describeCustomModel, findLayer, type BaseModelDescriptor, type Preprocessing } from '@tern/ml';

const described = new Map<string, Promise<BaseModelDescriptor>>();

/**
 * The descriptor of a base model by id: a bundled one, or the newest user-registered one (a row
 * the api wrote on POST /v1/base-models, whose files are described again here so that workers
 * and the api agree on layers and weights hash). Unknown ids say what to do.
 */
export async function resolveBase(prisma: PrismaClient, id: string): Promise<BaseModelDescriptor> {
  const bundled = bundledBaseModels.find((d) => d.id === id);
  if (bundled) return bundled;
  const row = await prisma.baseModel.findFirst({ where: { name: id, source: { in: ['upload', 'url'] } }, orderBy: { createdAt: 'desc' } });
  if (!row?.artifactUri) throw new Error(`unknown base model "${id}" (bundled: ${bundledBaseModels.map((d) => d.id).join(', ')}; register your own with POST /v1/base-models)`);
  const cacheKey = `${row.name}@${row.version}`;
  let descriptor = described.get(cacheKey);
  if (!descriptor) {
    const layers = row.extractableLayers as { id: string; node?: string }[];
    const embedding = layers.find((l) => l.id === row.embeddingLayer);
    const source = row.artifactUri.startsWith('file:') ? { kind: 'path' as const, modelJsonPath: fileURLToPath(row.artifactUri) } : { kind: 'url' as const, modelJsonUrl: row.artifactUri };
    descriptor = describeCustomModel(source, {
      id: row.name,
      displayName: row.displayName,
      preprocessing: { colorSpace: 'rgb', scale: (row.preprocessing as unknown as Preprocessing).scale },
      // Graph models are addressed by node name; layers models by layer name (the id).
      layer: row.format === 'graph' ? (embedding?.node ?? row.embeddingLayer) : row.embeddingLayer,
      embeddingSize: row.embeddingSize,
      inputSize: { width: row.inputWidth, height: row.inputHeight },
    });
    described.set(cacheKey, descriptor);
    descriptor.catch(() => described.delete(cacheKey));
  }
  const d = await descriptor;
  if (d.version !== row.version) throw new Error(`base model ${id}: its files changed since registration (weights ${d.version}, registered ${row.version}); register it again`);
  return d;
}

/**
 * Why a job cannot run on this base and layer (unknown base or layer, or fine-tuning an
 * extraction-only base), or undefined when it can. The api checks before queueing; the
 * orchestrator checks again, for requests that came straight from Kafka.
 */
export async function baseProblem(prisma: PrismaClient, baseModelId: string, layerId: string | undefined, fineTune: boolean): Promise<string | undefined> {
  try {
    const descriptor = await resolveBase(prisma, baseModelId);
    findLayer(descriptor, layerId);
    if (fineTune && !descriptor.fineTunable) return `base model ${descriptor.id} cannot be fine-tuned (extraction only); use a fine-tunable base such as mobilenet_v2 or omit fineTune`;
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
