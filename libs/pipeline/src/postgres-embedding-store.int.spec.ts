import { createPrismaClient, type PrismaClient } from '@tern/db';
import { testDatabaseUrl } from '@tern/db/testing';
import { bundledBaseModel, createFeatureExtractor, embeddingKeyOf, extractEmbeddings, initBackend, loadBase, type FeatureExtractor } from '@tern/ml';
import { emojiSubset } from '@tern/ml/testing';
import { ensureBaseModelRow, PostgresEmbeddingStore } from './postgres-embedding-store';

describe('the embedding cache in Postgres (real images, real database)', () => {
  let prisma: PrismaClient;
  let extractor: FeatureExtractor;

  beforeAll(async () => {
    await initBackend('wasm');
    prisma = createPrismaClient({ url: testDatabaseUrl() });
    const base = await loadBase(bundledBaseModel('mobilenet_v2_mid'));
    extractor = createFeatureExtractor(base, 'block_13');
    await ensureBaseModelRow(prisma, base.descriptor, base.weightsHash);
    await ensureBaseModelRow(prisma, base.descriptor, base.weightsHash); // idempotent
    await prisma.embedding.deleteMany({ where: { baseModelName: 'mobilenet_v2_mid', layer: 'block_13' } });
  }, 60_000);
  afterAll(async () => {
    await prisma.$disconnect();
  });

  it('computes each embedding once across stores and concurrent runs, and serves it back exactly', async () => {
    const images = emojiSubset(['Travel & Places'], 6, 21).items.map((i) => i.source);
    // Two extractor instances on the same images at once: the unique key keeps one row per image.
    const [a, b] = await Promise.all([
      extractEmbeddings(images, extractor, new PostgresEmbeddingStore(prisma), { batchSize: 3 }),
      extractEmbeddings(images, extractor, new PostgresEmbeddingStore(prisma), { batchSize: 3 }),
    ]);
    expect(a.failed).toEqual([]);
    expect(a.computed + a.reused).toBe(6);
    expect(b.computed + b.reused).toBe(6);
    const store = new PostgresEmbeddingStore(prisma);
    expect(await store.count(embeddingKeyOf(extractor))).toBe(6);

    const again = await extractEmbeddings(images, extractor, store);
    expect(again).toMatchObject({ computed: 0, reused: 6 });
    expect(Array.from(again.vectors.get(images[0]!.id)!)).toEqual(Array.from(a.vectors.get(images[0]!.id)!));
  }, 120_000);
});
