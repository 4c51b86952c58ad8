import { seededRandom } from '@tern/ml';

type Split = 'train' | 'validation' | 'test';

/**
 * Stratified split: within each class, a seeded shuffle then the first share to test, the next to
 * validation. Classes too small for a share keep at least one training sample. Samples are ordered
 * by content hash before the shuffle, so the same images with the same seed get the same split in
 * any dataset, whatever their ids (random) or upload order.
 */
export function stratifiedAssignment(samples: { id: string; classId: string | null; contentHash: string }[], opts: { seed: number; validationFraction: number; testFraction: number }): Map<string, Split> {
  const byClass = new Map<string, string[]>();
  const byContent = (a: { id: string; contentHash: string }, b: { id: string; contentHash: string }) => a.contentHash.localeCompare(b.contentHash) || a.id.localeCompare(b.id);
  for (const s of [...samples].sort(byContent)) {
    const key = s.classId ?? '(unlabelled)';
    byClass.set(key, [...(byClass.get(key) ?? []), s.id]);
  }
  const random = seededRandom(opts.seed);
  const out = new Map<string, Split>();
  for (const ids of byClass.values()) {
    for (let i = ids.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [ids[i], ids[j]] = [ids[j]!, ids[i]!];
    }
    const nTest = Math.min(Math.round(ids.length * opts.testFraction), Math.max(0, ids.length - 1));
    const nVal = Math.min(Math.round(ids.length * opts.validationFraction), Math.max(0, ids.length - 1 - nTest));
    ids.forEach((id, i) => out.set(id, i < nTest ? 'test' : i < nTest + nVal ? 'validation' : 'train'));
  }
  return out;
}
