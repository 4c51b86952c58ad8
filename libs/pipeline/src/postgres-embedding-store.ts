import { decodeVector, encodeVector, type BaseModel, type PrismaClient } from '@tern/db';
import { preprocessingKey, type BaseModelDescriptor, type EmbeddingKey, type EmbeddingStore } from '@tern/ml';

/**
 * Registers (or finds) a base model's row; embeddings reference it by (name, version). A user's
 * model registered through the api also records where its files are (`registration`), so that
 * workers can load it.
 */
export async function ensureBaseModelRow(prisma: PrismaClient, d: BaseModelDescriptor, weightsHash: string, registration?: { source: 'upload' | 'url'; artifactUri: string }): Promise<BaseModel> {
  const layer = d.layers.find((l) => l.id === d.defaultLayer)!;
  return prisma.baseModel.upsert({
    where: { name_version: { name: d.id, version: d.version } },
    update: {},
    create: {
      name: d.id,
      version: d.version,
      displayName: d.displayName,
      source: registration?.source ?? (d.source.kind === 'bundled-nsfwjs' ? 'bundled' : d.source.kind),
      format: d.format,
      inputHeight: d.inputSize.height,
      inputWidth: d.inputSize.width,
      preprocessing: { ...d.preprocessing, key: preprocessingKey(d) },
      embeddingLayer: layer.id,
      embeddingSize: layer.size,
      // The node too: graph models are addressed by node name when loaded again.
      extractableLayers: d.layers.map((l) => ({ id: l.id, node: l.node, size: l.size, description: l.description })),
      weightsHash,
      fineTunable: d.fineTunable,
      ...(registration ? { artifactUri: registration.artifactUri } : {}),
    },
  });
}

/**
 * The embedding cache in Postgres. The unique key (base, version, layer, preprocessing,
 * content hash) makes concurrent writers safe: the first vector stored wins, later inserts
 * of the same key are skipped, so an embedding is never stored twice.
 */
export class PostgresEmbeddingStore implements EmbeddingStore {
  constructor(
    private readonly prisma: PrismaClient,
    /** Rows per query: keeps `IN (...)` lists and insert statements a sane size. */
    private readonly chunkSize = 500,
  ) {}

  async getMany(key: EmbeddingKey, contentHashes: readonly string[]): Promise<Map<string, Float32Array>> {
    const found = new Map<string, Float32Array>();
    for (let i = 0; i < contentHashes.length; i += this.chunkSize) {
      const rows = await this.prisma.embedding.findMany({
        where: { ...this.where(key), contentHash: { in: contentHashes.slice(i, i + this.chunkSize) as string[] } },
        select: { contentHash: true, vector: true, dim: true },
      });
      for (const row of rows) found.set(row.contentHash, decodeVector(row.vector, row.dim));
    }
    return found;
  }

  async putMany(key: EmbeddingKey, entries: readonly { contentHash: string; vector: Float32Array }[]): Promise<void> {
    for (let i = 0; i < entries.length; i += this.chunkSize) {
      await this.prisma.embedding.createMany({
        data: entries.slice(i, i + this.chunkSize).map((e) => ({ ...this.where(key), contentHash: e.contentHash, dim: e.vector.length, vector: encodeVector(e.vector) })),
        skipDuplicates: true,
      });
    }
  }

  async count(key: EmbeddingKey): Promise<number> {
    return this.prisma.embedding.count({ where: this.where(key) });
  }

  private where(key: EmbeddingKey) {
    return { baseModelName: key.baseModelId, baseModelVersion: key.baseModelVersion, layer: key.layer, preprocessing: key.preprocessing };
  }
}
