import * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import { replaceKernel } from './replace-kernel';

/** The wasm backend's own allocation and heap views: internal, stable across tfjs-backend-wasm 4.x. */
export interface WasmHeap {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
  incRef(dataId: object): void;
  disposeData(dataId: object): boolean;
}

const wrapped = new Set<string>();

/**
 * Two wasm kernels that training calls on every batch were slow for reasons other than
 * arithmetic. Measured here on 8192×1792 embeddings, 256-row batches:
 *  - Slice read the whole input out of the wasm heap (`readSync` copies it) before taking its
 *    rows: ~22 ms for one batch;
 *  - GatherV2 ran a generic per-element loop: ~52 ms for one batch of shuffled rows.
 * These replacements copy whole rows through views of the heap: well under a millisecond. Only
 * the common cases are replaced (numeric data; for gather, rows along axis 0 without batch
 * dimensions); everything else goes to the original kernels. A test compares both with cpu.
 * Identity (tf.clone, and every input the gradient tape saves) copied its input; it now shares
 * the input's memory as the cpu backend's does: tensors are immutable, and the backend counts
 * references (its Reshape shares memory the same way). That was ~0.8 ms of a head-training step.
 */
export function useHeapViewKernels(backendName: string): boolean {
  if (wrapped.has(backendName)) return true;
  const slice = tf.getKernel('Slice', backendName);
  const gather = tf.getKernel('GatherV2', backendName);
  const identity = tf.getKernel('Identity', backendName);
  if (!slice || !gather || !identity) return false;
  replaceKernel(identity, (args) => {
    const x = args.inputs['x']!;
    if (x.dtype === 'string') return identity.kernelFunc(args);
    (args.backend as unknown as WasmHeap).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  });
  replaceKernel(slice, (args) => {
    const { inputs, attrs, backend } = args;
    const x = inputs['x']!;
    if (x.dtype === 'string') return slice.kernelFunc(args);
    const [begin, size] = tf.slice_util.parseSliceParams(x as tf.TensorInfo as tf.Tensor, attrs!['begin'] as number | number[], attrs!['size'] as number | number[] | undefined) as [number[], number[]];
    const wasm = backend as unknown as WasmHeap;
    // Output first: allocating may grow the heap, and views are taken after that.
    const out = wasm.makeOutput(size, x.dtype);
    copyRegion(wasm.typedArrayFromHeap(x), x.shape, begin, size, wasm.typedArrayFromHeap(out));
    return out;
  });
  replaceKernel(gather, (args) => {
    const { inputs, attrs, backend } = args;
    const x = inputs['x']!;
    const indices = inputs['indices']!;
    const axis = tf.util.parseAxisParam(attrs!['axis'] as number, x.shape)[0];
    if (x.dtype === 'string' || indices.dtype !== 'int32' || axis !== 0 || ((attrs!['batchDims'] as number | undefined) ?? 0) !== 0 || x.shape.length === 0) return gather.kernelFunc(args);
    const wasm = backend as unknown as WasmHeap;
    const rows = x.shape[0]!;
    const rowSize = tf.util.sizeFromShape(x.shape.slice(1));
    const out = wasm.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
    const source = wasm.typedArrayFromHeap(x);
    const target = wasm.typedArrayFromHeap(out);
    const picked = wasm.typedArrayFromHeap(indices);
    for (let i = 0; i < picked.length; i++) {
      const row = picked[i]!;
      if (!(row >= 0 && row < rows)) {
        wasm.disposeData(out.dataId);
        throw new Error(`GatherV2: the index value ${row} is not in [0, ${rows - 1}]`);
      }
      target.set(source.subarray(row * rowSize, (row + 1) * rowSize), i * rowSize);
    }
    return out;
  });
  wrapped.add(backendName);
  return true;
}

/** Copies the box `begin`..`begin+size` of a row-major array, one contiguous run at a time. */
export function copyRegion<T extends Float32Array | Int32Array | Uint8Array>(source: T, shape: readonly number[], begin: readonly number[], size: readonly number[], target: T): void {
  const rank = shape.length;
  if (size.some((s) => s === 0)) return;
  if (rank === 0) {
    target[0] = source[0]!;
    return;
  }
  const strides = new Array<number>(rank);
  strides[rank - 1] = 1;
  for (let d = rank - 2; d >= 0; d--) strides[d] = strides[d + 1]! * shape[d + 1]!;
  // Trailing dimensions taken whole merge into one run with the first partial dimension.
  let inner = rank - 1;
  while (inner > 0 && begin[inner] === 0 && size[inner] === shape[inner]) inner--;
  const run = size[inner]! * strides[inner]!;
  const outer = size.slice(0, inner);
  const index = new Array<number>(inner).fill(0);
  let written = 0;
  for (;;) {
    let offset = begin[inner]! * strides[inner]!;
    for (let d = 0; d < inner; d++) offset += (begin[d]! + index[d]!) * strides[d]!;
    target.set(source.subarray(offset, offset + run), written);
    written += run;
    let d = inner - 1;
    while (d >= 0 && ++index[d]! === outer[d]!) index[d--] = 0;
    if (d < 0) break;
  }
}
