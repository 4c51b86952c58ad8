import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { ImageSource } from '@tern/ml';

/** A stored sample as an image source: read only if its embedding is not cached (the hash is known). */
export function sampleSource(sample: { id: string; contentHash: string; storageUri: string }): ImageSource {
  return {
    id: sample.id,
    contentHash: sample.contentHash,
    read: async () => {
      if (!sample.storageUri.startsWith('file://')) throw new Error(`sample ${sample.id}: unsupported storage ${sample.storageUri.split(':')[0]} (only file:// for now)`);
      return new Uint8Array(await readFile(fileURLToPath(sample.storageUri)));
    },
  };
}
