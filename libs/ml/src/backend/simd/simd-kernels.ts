import * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import type { WasmHeap } from '../heap-view-kernels';
import { plainMemoryKernels, sharedMemoryKernels } from './kernels-binary';

// WebAssembly is a Node global, but its types come with the DOM lib, which this project leaves out.
interface WasmMemory {
  readonly buffer: ArrayBufferLike;
}
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: unknown };
};

interface KernelExports {
  adam(w: number, g: number, m: number, v: number, out: number, n: number, beta1: number, beta2: number, learningRate: number, mScale: number, vScale: number, epsilon: number): void;
  transpose(src: number, dst: number, rows: number, cols: number): void;
  dropoutMask(out: number, n: number, seed: number, first: number, threshold: number, scale: number): void;
  reluBackward(x: number, dy: number, out: number, n: number, max: number): void;
  sumMiddle(src: number, dst: number, outer: number, reduce: number, inner: number, scale: number): void;
}

/** The wasm backend's internals used here: its Emscripten module's memory and each tensor's heap offset. */
interface WasmInternals extends WasmHeap {
  wasm: { wasmMemory?: WasmMemory; asm?: { memory?: WasmMemory } };
  dataIdMap: { get(dataId: object): { memoryOffset: number | null } | undefined };
}

/** Adam's hyper-parameters for one step, bias corrections included. */
export interface AdamStepParams {
  beta1: number;
  beta2: number;
  learningRate: number;
  /** 1 / (1 - beta1^t) */
  mScale: number;
  /** 1 / (1 - beta2^t) */
  vScale: number;
  epsilon: number;
}

/**
 * The kernels of kernels.wat, instantiated on the wasm backend's own memory so that they read and
 * write tensors in place, without copies. Outputs are allocated by the backend like any kernel's.
 */
export class SimdKernels {
  constructor(
    private readonly backend: WasmInternals,
    private readonly kernels: KernelExports,
  ) {}

  /** `x` with its last two axes swapped (any leading axes are a batch of matrices); 4-byte dtypes only. */
  transposeLastTwo(x: TensorInfo): TensorInfo {
    const rank = x.shape.length;
    const rows = x.shape[rank - 2]!;
    const cols = x.shape[rank - 1]!;
    const out = this.backend.makeOutput([...x.shape.slice(0, -2), cols, rows], x.dtype);
    // Offsets after allocating: the heap may have grown, but offsets stay valid.
    const [src, dst] = [this.offsetOf(x), this.offsetOf(out)];
    const matrixBytes = rows * cols * 4;
    const matrices = tf.util.sizeFromShape(x.shape.slice(0, -2));
    for (let i = 0; i < matrices; i++) this.kernels.transpose(src + i * matrixBytes, dst + i * matrixBytes, rows, cols);
    return out;
  }

  /**
   * One Adam step: `m` and `v` are updated in place (they must belong to the caller alone), the new
   * weights are returned as a fresh tensor (weights may share memory with clones of them).
   */
  adam(weights: TensorInfo, gradient: TensorInfo, m: TensorInfo, v: TensorInfo, p: AdamStepParams): TensorInfo {
    const size = tf.util.sizeFromShape(weights.shape);
    for (const t of [weights, gradient, m, v]) {
      if (t.dtype !== 'float32' || tf.util.sizeFromShape(t.shape) !== size) throw new Error(`adam: expected float32 tensors of ${size} values, got ${t.dtype} [${t.shape.join(', ')}]`);
    }
    const out = this.backend.makeOutput(weights.shape, 'float32');
    this.kernels.adam(this.offsetOf(weights), this.offsetOf(gradient), this.offsetOf(m), this.offsetOf(v), this.offsetOf(out), size, p.beta1, p.beta2, p.learningRate, p.mScale, p.vScale, p.epsilon);
    return out;
  }

  /** A dropout mask of `shape` from draws `first`… of stream `seed` (see kernels.wat and dropout.ts). */
  dropoutMask(shape: number[], seed: number, first: number, threshold: number, scale: number): TensorInfo {
    const out = this.backend.makeOutput(shape, 'float32');
    this.kernels.dropoutMask(this.offsetOf(out), tf.util.sizeFromShape(shape), seed | 0, first | 0, threshold | 0, scale);
    return out;
  }

  /** The gradient of a ReLU capped at `max` (Infinity: uncapped): `dy` where 0 < x ≤ max, else 0. */
  reluBackward(x: TensorInfo, dy: TensorInfo, max: number): TensorInfo {
    const size = tf.util.sizeFromShape(x.shape);
    if (x.dtype !== 'float32' || dy.dtype !== 'float32' || tf.util.sizeFromShape(dy.shape) !== size) throw new Error('reluBackward: expected float32 tensors of one size');
    const out = this.backend.makeOutput(x.shape, 'float32');
    this.kernels.reluBackward(this.offsetOf(x), this.offsetOf(dy), this.offsetOf(out), size, max);
    return out;
  }

  /**
   * `x` viewed as [outer, reduce, inner] summed over its middle axis and multiplied by `scale`
   * (1 / reduce for a mean), shaped `outShape`; float32 only.
   */
  sumMiddle(x: TensorInfo, outer: number, reduce: number, inner: number, scale: number, outShape: number[]): TensorInfo {
    if (x.dtype !== 'float32' || outer * reduce * inner !== tf.util.sizeFromShape(x.shape) || outer * inner !== tf.util.sizeFromShape(outShape)) {
      throw new Error(`sumMiddle: [${x.shape.join(', ')}] ${x.dtype} is not ${outer}×${reduce}×${inner} float32 values reducing to [${outShape.join(', ')}]`);
    }
    const out = this.backend.makeOutput(outShape, 'float32');
    this.kernels.sumMiddle(this.offsetOf(x), this.offsetOf(out), outer, reduce, inner, scale);
    return out;
  }

  private offsetOf(t: TensorInfo): number {
    const offset = this.backend.dataIdMap.get(t.dataId)?.memoryOffset;
    if (offset === null || offset === undefined) throw new Error('simd kernels: tensor is not in the wasm heap');
    return offset;
  }
}

const loaded = new WeakMap<object, { kernels?: SimdKernels; problem?: string }>();

/**
 * The SIMD kernels for the current wasm backend, or why there are none (another backend, a
 * memory this module cannot import, or no wasm SIMD in this runtime).
 */
export function loadSimdKernels(backend: object = tf.backend()): { kernels?: SimdKernels; problem?: string } {
  const known = loaded.get(backend);
  if (known) return known;
  const internals = backend as Partial<WasmInternals>;
  const memory = internals.wasm?.wasmMemory ?? internals.wasm?.asm?.memory;
  let result: { kernels?: SimdKernels; problem?: string };
  if (!memory || !internals.dataIdMap || !internals.makeOutput) {
    result = { problem: 'not the wasm backend, or its internals changed' };
  } else {
    // The threaded build's memory is shared, the single-threaded one's is not: an import must match.
    const shared = Object.prototype.toString.call(memory.buffer) === '[object SharedArrayBuffer]';
    try {
      const bytes = Buffer.from(shared ? sharedMemoryKernels : plainMemoryKernels, 'base64');
      const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
      result = { kernels: new SimdKernels(internals as WasmInternals, instance.exports as unknown as KernelExports) };
    } catch (error) {
      result = { problem: `SIMD kernels did not load: ${(error as Error).message}` };
    }
  }
  loaded.set(backend, result);
  return result;
}

/** The SIMD kernels when the current backend is wasm and they loaded; else undefined (TF.js' own kernels then). */
export function activeSimdKernels(): SimdKernels | undefined {
  return tf.getBackend() === 'wasm' ? loadSimdKernels().kernels : undefined;
}
