import type { LabelledImage } from '../datasets/labelled-images';
import { decodeImage } from '../images/decode-image';
import type { PixelSet } from '../finetune/fine-tune';

/** Decodes images at `size` for the stages that need pixels (fine-tuning, from-scratch); bad ones are skipped and reported. */
export async function decodeForTraining(items: readonly LabelledImage[], classNames: readonly string[], size: { width: number; height: number }): Promise<PixelSet & { failed: { id: string; reason: string }[] }> {
  const out: PixelSet & { failed: { id: string; reason: string }[] } = { pixels: [], labels: [], failed: [] };
  for (const item of items) {
    try {
      const decoded = await decodeImage(await item.source.read(), item.source.id, size);
      out.pixels.push(decoded.pixels);
      out.labels.push(classNames.indexOf(item.label));
    } catch (error) {
      out.failed.push({ id: item.source.id, reason: (error as Error).message });
    }
  }
  return out;
}
