import { randomBytes, randomUUID } from 'node:crypto';
import { createPrismaClient, decodeVector, encodeVector, type PrismaClient } from './index';
import { testDatabaseUrl } from './testing';

const hash = () => randomBytes(32).toString('hex');

describe('embedding cache table', () => {
  let prisma: PrismaClient;
  const baseName = `test_base_${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    prisma = createPrismaClient({ url: testDatabaseUrl() });
    await prisma.baseModel.create({
      data: {
        name: baseName,
        version: '1',
        displayName: 'Test base',
        source: 'bundled',
        format: 'graph',
        inputHeight: 224,
        inputWidth: 224,
        preprocessing: { scale: '0..1' },
        embeddingLayer: 'pool',
        embeddingSize: 4,
        extractableLayers: [{ name: 'pool', size: 4 }],
        weightsHash: hash(),
      },
    });
  });
  afterAll(async () => {
    await prisma.baseModel.deleteMany({ where: { name: baseName } });
    await prisma.$disconnect();
  });

  const key = (contentHash: string) => ({ baseModelName: baseName, baseModelVersion: '1', layer: 'pool', preprocessing: 'rgb-224-0..1', contentHash });

  it('keeps one vector per (base, version, layer, preprocessing, image) and round-trips float32 bytes', async () => {
    const contentHash = hash();
    const vector = [0.5, -1.25, 3, 1e-7];
    const first = await prisma.embedding.createMany({ data: [{ ...key(contentHash), dim: 4, vector: encodeVector(vector) }], skipDuplicates: true });
    const again = await prisma.embedding.createMany({ data: [{ ...key(contentHash), dim: 4, vector: encodeVector([9, 9, 9, 9]) }], skipDuplicates: true });
    expect(first.count).toBe(1);
    expect(again.count).toBe(0);

    const rows = await prisma.embedding.findMany({ where: key(contentHash) });
    expect(rows).toHaveLength(1);
    expect(Array.from(decodeVector(rows[0]!.vector, 4))).toEqual(Array.from(Float32Array.from(vector)));

    // Another layer of the same image is a different cache entry.
    await prisma.embedding.create({ data: { ...key(contentHash), layer: 'block_16', dim: 4, vector: encodeVector(vector) } });
    expect(await prisma.embedding.count({ where: { baseModelName: baseName, contentHash } })).toBe(2);
  });

  it('rejects a vector whose byte length does not match its dimension, leaving stored rows intact', async () => {
    const contentHash = hash();
    await prisma.embedding.create({ data: { ...key(contentHash), dim: 4, vector: encodeVector([1, 2, 3, 4]) } });
    await expect(prisma.embedding.create({ data: { ...key(hash()), dim: 4, vector: encodeVector([1, 2, 3]) } })).rejects.toThrow(/embeddings_vector_length/);
    await expect(prisma.embedding.create({ data: { ...key('not-a-hash'), dim: 1, vector: encodeVector([1]) } })).rejects.toThrow(/content_hash/);
    const kept = await prisma.embedding.findFirstOrThrow({ where: key(contentHash) });
    expect(Array.from(decodeVector(kept.vector))).toEqual([1, 2, 3, 4]);
  });
});
