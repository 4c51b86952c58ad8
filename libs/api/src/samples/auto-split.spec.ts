import { stratifiedAssignment } from './auto-split';

const samples = (cls: string, n: number) => Array.from({ length: n }, (_, i) => ({ id: `${cls}-${String(i).padStart(3, '0')}`, classId: cls, contentHash: `hash-${cls}-${String((i * 37) % n).padStart(3, '0')}` }));

describe('automatic stratified split', () => {
  it('splits each class by the fractions, reproducibly for a seed, differently for another', () => {
    const all = [...samples('a', 100), ...samples('b', 20)];
    const split = stratifiedAssignment(all, { seed: 7, validationFraction: 0.15, testFraction: 0.15 });
    const count = (cls: string, s: string) => all.filter((x) => x.classId === cls && split.get(x.id) === s).length;
    expect([count('a', 'train'), count('a', 'validation'), count('a', 'test')]).toEqual([70, 15, 15]);
    expect([count('b', 'train'), count('b', 'validation'), count('b', 'test')]).toEqual([14, 3, 3]);
    expect(stratifiedAssignment([...all].reverse(), { seed: 7, validationFraction: 0.15, testFraction: 0.15 })).toEqual(split);
    const other = stratifiedAssignment(all, { seed: 8, validationFraction: 0.15, testFraction: 0.15 });
    expect([...other].filter(([id, s]) => split.get(id) !== s).length).toBeGreaterThan(0);
  });

  it('gives the same images the same split in another dataset, where their ids differ', () => {
    const opts = { seed: 7, validationFraction: 0.15, testFraction: 0.15 };
    const first = [...samples('a', 60), ...samples('b', 30)];
    // The same content uploaded again: new ids, which sort the other way round.
    const second = first.map((s, k) => ({ ...s, id: `new-${String(first.length - k).padStart(3, '0')}` })).reverse();
    const splitOfContent = (all: typeof first) => {
      const assignment = stratifiedAssignment(all, opts);
      return new Map(all.map((s) => [s.contentHash, assignment.get(s.id)]));
    };
    expect(splitOfContent(second)).toEqual(splitOfContent(first));
  });

  it('keeps at least one training sample in a tiny class', () => {
    const split = stratifiedAssignment(samples('tiny', 2), { seed: 1, validationFraction: 0.5, testFraction: 0.5 });
    expect([...split.values()].filter((s) => s === 'train')).toHaveLength(1);
  });
});
