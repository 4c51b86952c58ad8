import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import type { WasmHeap } from './heap-view-kernels';
import { replaceKernel } from './replace-kernel';

const wrapped = new Set<string>();

/**
 * The wasm backend's BatchMatMul is ~7× slower with transposeA/transposeB set (measured on this
 * machine: a 1792×32 · 32×128 product took 13 ms transposed vs 1.8 ms with the transpose
 * materialised first). Backpropagation through dense layers uses exactly those transposed
 * products, so head training and fine-tuning spent most of their time there. This wraps the
 * kernel: a transposed operand is transposed once by the backend's own Transpose kernel, then
 * the fast untransposed path runs. Results are identical; a test checks them against cpu.
 */
export function useUntransposedMatMul(backendName: string): boolean {
  if (wrapped.has(backendName)) return true;
  const original = tf.getKernel('BatchMatMul', backendName);
  if (!original || !tf.getKernel('Transpose', backendName)) return false;
  const kernelFunc = (({ inputs, attrs, backend }) => {
    const { transposeA, transposeB } = (attrs ?? {}) as NamedAttrMap & { transposeA?: boolean; transposeB?: boolean };
    if (!transposeA && !transposeB) return original.kernelFunc({ inputs, attrs: attrs ?? {}, backend });
    // Looked up on each call: the Transpose kernel may be replaced later (simd/transpose-kernel.ts).
    const transpose = tf.getKernel('Transpose', backendName)!;
    const swapLastTwo = (t: TensorInfo): TensorInfo => {
      const rank = t.shape.length;
      const perm = [...Array(rank).keys()];
      [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1]!, perm[rank - 2]!];
      return transpose.kernelFunc({ inputs: { x: t }, attrs: { perm }, backend }) as TensorInfo;
    };
    const temporaries: TensorInfo[] = [];
    const a = transposeA ? swapLastTwo(inputs['a']!) : inputs['a']!;
    const b = transposeB ? swapLastTwo(inputs['b']!) : inputs['b']!;
    if (transposeA) temporaries.push(a);
    if (transposeB) temporaries.push(b);
    try {
      return original.kernelFunc({ inputs: { a, b }, attrs: { ...attrs, transposeA: false, transposeB: false }, backend });
    } finally {
      for (const t of temporaries) (backend as unknown as WasmHeap).disposeData(t.dataId);
    }
  }) as KernelFunc;
  replaceKernel(original, kernelFunc);
  wrapped.add(backendName);
  return true;
}
