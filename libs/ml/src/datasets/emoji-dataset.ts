import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileSource } from './folder-dataset';
import type { LabelledImageSet } from './labelled-images';

interface EmojiEntry {
  short_name: string;
  image: string;
  category: string;
  has_img_twitter: boolean;
}

export const defaultEmojiCategories = ['Animals & Nature', 'Food & Drink', 'Travel & Places', 'Smileys & Emotion'];

function packageDir(): string {
  return path.dirname(require.resolve('emoji-datasource-twitter/package.json'));
}

/**
 * 64-px Twemoji PNGs from the npm package `emoji-datasource-twitter` (images CC-BY-4.0),
 * labelled with their emoji.json category. One image per emoji (skin-tone variants are not
 * used), so splitting by image splits by emoji: a test emoji is never seen in training.
 */
export function loadEmojiDataset(categories: readonly string[] = defaultEmojiCategories): LabelledImageSet {
  const dir = packageDir();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const entries = require(path.join(dir, 'emoji.json')) as EmojiEntry[];
  const items = entries
    .filter((e) => e.has_img_twitter && categories.includes(e.category))
    .map((e) => ({ file: path.join(dir, 'img', 'twitter', '64', e.image), e }))
    .filter(({ file }) => existsSync(file))
    .sort((a, b) => a.e.image.localeCompare(b.e.image))
    .map(({ file, e }) => ({ source: fileSource(file), label: e.category, group: e.short_name }));
  return {
    name: 'twemoji-categories',
    classNames: [...categories].sort(),
    items,
    note: 'Twemoji graphics (c) Twitter/X and contributors, CC-BY-4.0, via npm emoji-datasource-twitter.',
  };
}
