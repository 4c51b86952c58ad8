import type { PrismaClient } from '@tern/db';
import type { SampleFileStore } from './sample-store';

/** Image files are shared by content hash across datasets: remove only those no sample uses any more. */
export async function removeUnreferencedFiles(prisma: PrismaClient, store: SampleFileStore, hashes: string[]): Promise<number> {
  if (hashes.length === 0) return 0;
  const still = new Set((await prisma.sample.findMany({ where: { contentHash: { in: hashes } }, select: { contentHash: true } })).map((s) => s.contentHash));
  const gone = [...new Set(hashes)].filter((h) => !still.has(h));
  for (const h of gone) store.remove(h);
  return gone.length;
}
