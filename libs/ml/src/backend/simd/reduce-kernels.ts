import * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import { replaceKernel } from '../replace-kernel';
import type { SimdKernels } from './simd-kernels';

const wrapped = new Set<string>();

/**
 * Where a reduction over `axes` of `shape` can run as one sum over the middle of an
 * [outer, reduce, inner] view: the reduced axes are consecutive and the last axis is kept.
 * Otherwise undefined (the original kernel handles it, fast when the last axis is reduced).
 */
export function middleReduction(shape: readonly number[], axes: number | number[] | null | undefined): { outer: number; reduce: number; inner: number; outShape: (keepDims: boolean) => number[] } | undefined {
  const rank = shape.length;
  // No axis (null or undefined) means all axes, the last one included.
  if (rank < 2 || axes === undefined || axes === null) return undefined;
  const sorted = [...new Set((Array.isArray(axes) ? axes : [axes]).map((a) => (a < 0 ? a + rank : a)))].sort((a, b) => a - b);
  const first = sorted[0]!;
  const last = sorted[sorted.length - 1]!;
  if (first < 0 || last >= rank - 1 || last - first + 1 !== sorted.length) return undefined;
  const size = (from: number, to: number) => shape.slice(from, to).reduce((a, b) => a * b, 1);
  return {
    outer: size(0, first),
    reduce: size(first, last + 1),
    inner: size(last + 1, rank),
    outShape: (keepDims) => (keepDims ? shape.map((d, i) => (i >= first && i <= last ? 1 : d)) : shape.filter((_, i) => i < first || i > last)),
  };
}

/**
 * The wasm Sum and Mean move reduced axes last with their own slow transpose before summing:
 * 3.6 ms for the bias gradient of a 784×1280 fine-tuning batch and 3.1 ms for pooling a
 * 16×7×7×1280 one. Float32 reductions over consecutive axes that keep the last one run in the SIMD
 * module instead (one pass over the rows); anything else goes to the original kernels.
 */
export function useSimdReductions(backendName: string, kernels: SimdKernels): boolean {
  if (wrapped.has(backendName)) return true;
  const originals = ['Sum', 'Mean'].map((name) => tf.getKernel(name, backendName));
  if (originals.some((k) => !k)) return false;
  for (const original of originals as tf.KernelConfig[]) {
    const mean = original.kernelName === 'Mean';
    replaceKernel(original, (args): TensorInfo | TensorInfo[] => {
      const x = args.inputs['x']!;
      const view = middleReduction(x.shape, args.attrs!['axis'] as number | number[] | null | undefined);
      if (!view || x.dtype !== 'float32' || view.outer * view.reduce * view.inner === 0) return original.kernelFunc(args);
      return kernels.sumMiddle(x, view.outer, view.reduce, view.inner, mean ? 1 / view.reduce : 1, view.outShape(Boolean(args.attrs!['keepDims'])));
    });
  }
  wrapped.add(backendName);
  return true;
}
