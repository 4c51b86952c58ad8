import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadEmojiDataset } from './emoji-dataset';
import { loadFashionMnist } from './fashion-mnist-dataset';
import { loadCsvDataset, loadFolderDataset } from './folder-dataset';
import { assignSplits, itemsOf } from './labelled-images';
import { decodeImage } from '../images/decode-image';

const emoji = loadEmojiDataset(['Flags', 'Food & Drink']);

describe('dataset loaders', () => {
  it('labels Twemoji by emoji.json category and splits by emoji, stratified and seeded', () => {
    expect(emoji.classNames).toEqual(['Flags', 'Food & Drink']);
    expect(emoji.items.length).toBeGreaterThan(300);
    const a = assignSplits(emoji, { validation: 0.2, test: 0.2 }, 9);
    const b = assignSplits(emoji, { validation: 0.2, test: 0.2 }, 9);
    expect(a.items.map((i) => i.split)).toEqual(b.items.map((i) => i.split));
    const groupsIn = (split: 'train' | 'test') => new Set(itemsOf(a, split).map((i) => i.group));
    const overlap = [...groupsIn('test')].filter((g) => groupsIn('train').has(g));
    expect(overlap).toEqual([]);
    for (const label of a.classNames) {
      const share = itemsOf(a, 'test').filter((i) => i.label === label).length / a.items.filter((i) => i.label === label).length;
      expect(share).toBeGreaterThan(0.15);
      expect(share).toBeLessThan(0.25);
    }
  });

  it('reads folder-per-class and CSV layouts, naming what is wrong', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tern-folder-'));
    for (const [label, item] of [['flags', emoji.items[0]!], ['food', emoji.items.find((i) => i.label === 'Food & Drink')!]] as const) {
      mkdirSync(path.join(dir, label));
      copyFileSync(item.source.id, path.join(dir, label, 'one.png'));
      writeFileSync(path.join(dir, label, 'notes.txt'), 'ignored');
    }
    const folder = loadFolderDataset(dir);
    expect(folder.classNames).toEqual(['flags', 'food']);
    expect(folder.items.map((i) => i.label)).toEqual(['flags', 'food']);
    mkdirSync(path.join(dir, 'empty'));
    expect(() => loadFolderDataset(dir)).toThrow(/class folder\(s\) without images: empty/);

    writeFileSync(path.join(dir, 'labels.csv'), 'path,label\nflags/one.png,flag\n"food/one.png",food\n');
    expect(loadCsvDataset(path.join(dir, 'labels.csv')).items.map((i) => i.label)).toEqual(['flag', 'food']);
    writeFileSync(path.join(dir, 'bad.csv'), 'flags/one.png,flag\nmissing.png,food\n');
    expect(() => loadCsvDataset(path.join(dir, 'bad.csv'))).toThrow(/bad.csv:2: image missing.png not found/);
  });

  it('reads Fashion-MNIST from the Debian package with its own test split', async () => {
    const set = loadFashionMnist(3, 2);
    expect(set.classNames).toHaveLength(10);
    expect(set.items.filter((i) => i.split === 'test')).toHaveLength(20);
    expect(set.items.filter((i) => !i.split)).toHaveLength(30);
    const decoded = await decodeImage(await set.items[0]!.source.read(), set.items[0]!.source.id, { width: 28, height: 28 });
    expect(decoded.format).toBe('png');
    expect(Math.max(...decoded.pixels)).toBeGreaterThan(100);
  });
});
