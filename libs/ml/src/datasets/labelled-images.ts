import type { ImageSource } from '../extraction/extract-embeddings';
import { seededRandom, shuffled } from '../util/seeded-random';

export type SplitName = 'train' | 'validation' | 'test';

export interface LabelledImage {
  source: ImageSource;
  label: string;
  /** Images sharing a group (e.g. variants of one emoji) always land in the same split. */
  group?: string;
  split?: SplitName;
}

export interface LabelledImageSet {
  name: string;
  classNames: string[];
  items: LabelledImage[];
  /** Licence or provenance note shown with any result. */
  note?: string;
}

/**
 * Assigns each class's groups to train/validation/test by the given fractions (seeded),
 * keeping at least one group per class in train. Items that already have a split keep it.
 */
export function assignSplits(set: LabelledImageSet, fractions: { validation: number; test: number }, seed: number): LabelledImageSet {
  const random = seededRandom(seed);
  const items = set.items.map((i) => ({ ...i }));
  for (const label of set.classNames) {
    const unassigned = items.filter((i) => i.label === label && !i.split);
    const groups = shuffled([...new Set(unassigned.map((i) => i.group ?? i.source.id))].sort(), random);
    // A zero fraction means none (e.g. a dataset that brings its own test split); otherwise at least one.
    const nTest = groups.length >= 3 && fractions.test > 0 ? Math.max(1, Math.round(groups.length * fractions.test)) : 0;
    const nVal = groups.length - nTest >= 2 && fractions.validation > 0 ? Math.max(1, Math.round(groups.length * fractions.validation)) : 0;
    const splitOf = new Map<string, SplitName>();
    groups.forEach((g, idx) => splitOf.set(g, idx < nTest ? 'test' : idx < nTest + nVal ? 'validation' : 'train'));
    for (const item of unassigned) item.split = splitOf.get(item.group ?? item.source.id) ?? 'train';
  }
  return { ...set, items };
}

export function itemsOf(set: LabelledImageSet, split: SplitName): LabelledImage[] {
  return set.items.filter((i) => i.split === split);
}

/** Keeps at most `perClass` items of each class (seeded choice). */
export function limitPerClass(set: LabelledImageSet, perClass: number, seed: number): LabelledImageSet {
  const random = seededRandom(seed);
  const items = set.classNames.flatMap((label) => shuffled(set.items.filter((i) => i.label === label), random).slice(0, perClass));
  return { ...set, items };
}
