import * as tf from '@tensorflow/tfjs';
import os from 'node:os';
import { backendLogFields, initBackend, parseBackendName } from './select-backend';
import { middleReduction } from './simd/reduce-kernels';
import { loadSimdKernels } from './simd/simd-kernels';
import { defaultWasmThreads } from './wasm-threads';

/** Runs `build` on backend `name` and reads its outputs back, counting the tensors it leaves behind. */
async function outputsOn(name: string, build: () => tf.Tensor[]) {
  await tf.setBackend(name);
  const before = tf.memory().numTensors;
  const outputs = tf.tidy(build);
  const result = await Promise.all(outputs.map(async (o) => ({ shape: o.shape, dtype: o.dtype, data: Array.from(await o.data()) })));
  tf.dispose(outputs);
  return { result, leaked: tf.memory().numTensors - before };
}

describe('backend selection', () => {
  it('falls back past the native backends that are not installed here and reports why', async () => {
    const backend = await initBackend();
    expect(['tensorflow-gpu', 'tensorflow', 'wasm']).toContain(backend.name);
    expect(tf.getBackend()).toBe(backend.tfBackend);
    if (backend.name === 'wasm') expect(backend.skipped.map((s) => s.name)).toEqual(['tensorflow-gpu', 'tensorflow']);
    // What the services log: problems appear only when there are some.
    expect(backendLogFields(backend)).toEqual({ backend: backend.name, threads: backend.threads });
    expect(backendLogFields({ ...backend, threads: 1, threadsProblem: 'asked for 2 threads, the backend started 1' })).toEqual({ backend: backend.name, threads: 1, threadsProblem: 'asked for 2 threads, the backend started 1' });
  });

  it('validates a forced backend name', () => {
    expect(parseBackendName('cpu')).toBe('cpu');
    expect(parseBackendName('')).toBeUndefined();
    expect(() => parseBackendName('tpu')).toThrow(/TERN_TF_BACKEND must be one of .* \(got "tpu"\)/);
  });

  it('trains conv and depthwise conv layers on wasm, with gradients equal to the cpu backend', async () => {
    await initBackend('wasm');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    const gradientsOn = async (backend: string) => {
      await tf.setBackend(backend);
      const x = tf.tensor4d(Array.from({ length: 2 * 6 * 6 * 3 }, (_, i) => Math.sin(i)), [2, 6, 6, 3]);
      const kernel = tf.tensor4d(Array.from({ length: 3 * 3 * 3 * 4 }, (_, i) => Math.cos(i) / 10), [3, 3, 3, 4]);
      const depthwise = tf.tensor4d(Array.from({ length: 3 * 3 * 4 }, (_, i) => Math.cos(i * 3) / 10), [3, 3, 4, 1]);
      const grads = tf.grads((k: tf.Tensor, d: tf.Tensor) => tf.depthwiseConv2d(tf.conv2d(x, k as tf.Tensor4D, 1, 'same'), d as tf.Tensor4D, 1, 'same').square().sum());
      const [gk, gd] = grads([kernel, depthwise]);
      const values = [Array.from(await gk!.data()), Array.from(await gd!.data())];
      tf.dispose([x, kernel, depthwise, gk!, gd!]);
      return values;
    };
    const onWasm = await gradientsOn('wasm');
    const onCpu = await gradientsOn('cpu');
    await tf.setBackend('wasm');
    onWasm.flat().forEach((v, i) => expect(v).toBeCloseTo(onCpu.flat()[i]!, 4));

    // And a model with trainable conv layers fits on wasm: the loss goes down.
    const model = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }), tf.layers.depthwiseConv2d({ kernelSize: 3, depthwiseInitializer: tf.initializers.glorotUniform({ seed: 2 }) }), tf.layers.flatten(), tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) })] });
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    const xs = tf.tensor4d(Array.from({ length: 8 * 8 * 8 * 3 }, (_, i) => ((i * 7919) % 13) / 13), [8, 8, 8, 3]);
    const ys = tf.oneHot(tf.tensor1d([0, 1, 0, 1, 0, 1, 0, 1], 'int32'), 2);
    const history = await model.fit(xs, ys, { epochs: 15, batchSize: 8, shuffle: false, verbose: 0 });
    const losses = history.history['loss'] as number[];
    expect(tf.getBackend()).toBe('wasm');
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]!);
    tf.dispose([xs, ys]);
    model.dispose();
  }, 60_000);

  it('computes transposed matrix products on wasm exactly as cpu does, batched too, without leaking tensors', async () => {
    await initBackend('wasm');
    const cases: [number[], number[], boolean, boolean][] = [
      [[5, 3], [5, 4], true, false],
      [[3, 5], [4, 5], false, true],
      [[5, 3], [4, 5], true, true],
      [[2, 5, 3], [2, 5, 4], true, false],
      [[3, 5], [5, 4], false, false],
    ];
    const productOn = async (backend: string, [sa, sb, ta, tb]: (typeof cases)[number]) => {
      await tf.setBackend(backend);
      const size = (s: number[]) => s.reduce((x, y) => x * y, 1);
      const a = tf.tensor(Array.from({ length: size(sa) }, (_, i) => Math.sin(i + 1)), sa);
      const b = tf.tensor(Array.from({ length: size(sb) }, (_, i) => Math.cos(i * 2)), sb);
      const before = tf.memory().numTensors;
      const product = tf.matMul(a, b, ta, tb);
      const values = { shape: product.shape, data: Array.from(await product.data()) };
      product.dispose();
      const leaked = tf.memory().numTensors - before;
      tf.dispose([a, b]);
      return { ...values, leaked };
    };
    for (const c of cases) {
      const wasm = await productOn('wasm', c);
      const cpu = await productOn('cpu', c);
      expect(wasm.shape).toEqual(cpu.shape);
      expect(wasm.leaked).toBe(0);
      wasm.data.forEach((v, i) => expect(v).toBeCloseTo(cpu.data[i]!, 5));
    }
    await tf.setBackend('wasm');
    // Gradients of a dense layer use these products: equal to cpu as well.
    const denseGrad = async (backend: string) => {
      await tf.setBackend(backend);
      const x = tf.tensor2d(Array.from({ length: 6 * 7 }, (_, i) => Math.sin(i)), [6, 7]);
      const w = tf.tensor2d(Array.from({ length: 7 * 3 }, (_, i) => Math.cos(i) / 3), [7, 3]);
      const [gx, gw] = tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.matMul(xx, ww).relu().square().sum())([x, w]);
      const out = [Array.from(await gx!.data()), Array.from(await gw!.data())].flat();
      tf.dispose([x, w, gx!, gw!]);
      return out;
    };
    const gWasm = await denseGrad('wasm');
    const gCpu = await denseGrad('cpu');
    await tf.setBackend('wasm');
    gWasm.forEach((v, i) => expect(v).toBeCloseTo(gCpu[i]!, 4));
  });

  it('runs wasm on every core: threads started, products equal to cpu, env var validated', async () => {
    const backend = await initBackend('wasm');
    const cores = Math.min(8, os.availableParallelism());
    expect(backend.threads).toBe(cores);
    expect(backend.threadsProblem).toBeUndefined();
    // The pool's threads really compute: a product large enough to be split matches cpu.
    const a = Array.from({ length: 64 * 96 }, (_, i) => Math.sin(i));
    const b = Array.from({ length: 96 * 80 }, (_, i) => Math.cos(i / 3));
    const on = async (name: string) => {
      await tf.setBackend(name);
      const p = tf.matMul(tf.tensor2d(a, [64, 96]), tf.tensor2d(b, [96, 80]));
      const data = Array.from(await p.data());
      tf.dispose(p);
      return data;
    };
    const wasm = await on('wasm');
    const cpu = await on('cpu');
    await tf.setBackend('wasm');
    wasm.forEach((v, i) => expect(v).toBeCloseTo(cpu[i]!, 3));
    expect(defaultWasmThreads('3')).toBe(3);
    expect(defaultWasmThreads(undefined)).toBe(cores);
    for (const bad of ['0', '9', '1.5', 'many']) expect(() => defaultWasmThreads(bad)).toThrow(`TERN_WASM_THREADS must be a whole number from 1 to 8 (got "${bad}")`);
  });

  it('slices and gathers through heap views exactly as cpu does, and rejects an index out of range', async () => {
    await initBackend('wasm');
    const values = Array.from({ length: 4 * 5 * 3 * 2 }, (_, i) => i * 0.5 - 7);
    const run = async (name: string) => {
      await tf.setBackend(name);
      const x = tf.tensor4d(values, [4, 5, 3, 2]);
      const before = tf.memory().numTensors;
      const outputs = [
        x.slice([1, 0, 0, 0], [2, 5, 3, 2]), // whole rows: one run
        x.slice([0, 1, 1, 0], [3, 2, 2, 2]), // a box inside
        x.slice([2, 4, 2, 1], [1, 1, 1, 1]),
        tf.tensor1d([1, 2, 3, 4, 5]).slice(1, 3),
        tf.gather(x, tf.tensor1d([3, 0, 3], 'int32')),
        tf.gather(tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], 'int32'), tf.tensor2d([[2, 0], [1, 1]], [2, 2], 'int32')),
        tf.gather(x, tf.tensor1d([1, 0], 'int32'), 1), // another axis: the original kernel
      ];
      const result = await Promise.all(outputs.map(async (o) => ({ shape: o.shape, data: Array.from(await o.data()) })));
      tf.dispose(outputs);
      const leaked = tf.memory().numTensors - before;
      const outOfRange = (() => {
        try {
          tf.gather(x, tf.tensor1d([4], 'int32'));
          return '';
        } catch (error) {
          return (error as Error).message;
        }
      })();
      x.dispose();
      return { result, leaked, outOfRange };
    };
    const wasm = await run('wasm');
    const cpu = await run('cpu');
    await tf.setBackend('wasm');
    expect(wasm.result).toEqual(cpu.result);
    expect(wasm.outOfRange).toMatch(/index value 4 is not in \[0, 3\]/);
  });

  it('transposes in the SIMD module exactly as cpu does, for any shape, and leaves other permutations to the original kernel', async () => {
    const backend = await initBackend('wasm');
    expect(backend.simdKernelsProblem).toBeUndefined();
    const matrix = (rows: number, cols: number) => tf.tensor2d(Array.from({ length: rows * cols }, (_, i) => i * 0.25 - 3), [rows, cols]);
    const build = () => [
      // multiples of 4, leftover rows, leftover columns, both, a single value, a band of 16 rows and more
      ...[[8, 12], [7, 12], [8, 10], [7, 9], [1, 1], [1, 6], [6, 1], [37, 21]].map(([r, c]) => tf.transpose(matrix(r!, c!))),
      tf.transpose(tf.tensor3d(Array.from({ length: 3 * 5 * 6 }, (_, i) => i), [3, 5, 6]), [0, 2, 1]), // a batch of matrices
      tf.transpose(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32')),
      tf.transpose(tf.tensor3d(Array.from({ length: 24 }, (_, i) => i), [2, 3, 4]), [2, 0, 1]), // another permutation
      tf.transpose(tf.tensor2d([true, false, true, true], [2, 2], 'bool')),
      tf.matMul(matrix(9, 7), matrix(9, 5), true, false), // the product backpropagation uses
    ];
    const wasm = await outputsOn('wasm', build);
    const cpu = await outputsOn('cpu', build);
    await tf.setBackend('wasm');
    expect(wasm.result).toEqual(cpu.result);
    expect(wasm.leaked).toBe(0);
  });

  it('sums and averages over leading or middle axes in the SIMD module as cpu does, and leaves other reductions to the original kernels', async () => {
    await initBackend('wasm');
    // Values with fractions that float32 adds exactly, so that any summation order agrees.
    const values = (shape: number[]) => tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => ((i * 7) % 23) * 0.25 - 2.5), shape);
    const build = () => [
      tf.sum(values([784, 37]), 0), // a bias gradient: 16-column blocks, then 4, then single columns
      tf.sum(values([5, 16]), 0, true),
      tf.mean(values([3, 7, 7, 21]), [1, 2]), // global average pooling
      tf.mean(values([3, 7, 7, 21]), [-3, -2], true),
      tf.sum(values([2, 3, 4, 5]), [0, 1]),
      tf.sum(values([1, 1, 3]), [0, 1]),
      tf.sum(values([4, 6]), 1), // the last axis: the original kernel
      tf.sum(values([2, 3, 4]), [0, 2]), // not consecutive: the original kernel
      tf.mean(values([4, 6])), // all axes
      tf.sum(tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], 'int32'), 0), // int32: the original kernel
    ];
    const wasm = await outputsOn('wasm', build);
    const cpu = await outputsOn('cpu', build);
    await tf.setBackend('wasm');
    expect(wasm.result.map((r) => r.shape)).toEqual(cpu.result.map((r) => r.shape));
    wasm.result.forEach((r, i) => {
      expect(r.dtype).toBe(cpu.result[i]!.dtype);
      r.data.forEach((v, j) => expect(v).toBeCloseTo(cpu.result[i]!.data[j]!, 4));
    });
    expect(wasm.leaked).toBe(0);
  });

  it('names the axes a middle reduction is made of, and refuses the others', () => {
    expect(middleReduction([16, 7, 7, 1280], [1, 2])).toMatchObject({ outer: 16, reduce: 49, inner: 1280 });
    expect(middleReduction([16, 7, 7, 1280], [2, 1, -3])!.outShape(true)).toEqual([16, 1, 1, 1280]);
    expect(middleReduction([784, 1280], 0)!.outShape(false)).toEqual([1280]);
    expect(middleReduction([784, 1280], 1)).toBeUndefined();
    expect(middleReduction([2, 3, 4], [0, 2])).toBeUndefined();
    expect(middleReduction([2, 3, 4], null)).toBeUndefined();
    expect(middleReduction([5], 0)).toBeUndefined();
  });

  it('clones without copying: a clone shares memory and outlives its original', async () => {
    await initBackend('wasm');
    const original = tf.tensor1d([1.5, -2, 3]);
    const buffers = tf.memory().numDataBuffers;
    const clone = original.clone();
    expect(tf.memory().numDataBuffers).toBe(buffers);
    original.dispose();
    expect(Array.from(await clone.data())).toEqual([1.5, -2, 3]);
    clone.dispose();
    expect(tf.memory().numDataBuffers).toBe(buffers - 1);
  });

  it('loads the SIMD module on a shared (threaded) or plain (single-threaded) memory, and says why not elsewhere', () => {
    // WebAssembly's types come with the DOM lib, which this project leaves out.
    const { Memory } = (globalThis as unknown as { WebAssembly: { Memory: new (limits: { initial: number; maximum?: number; shared?: boolean }) => object } }).WebAssembly;
    const fakeBackend = (shared: boolean) => ({
      wasm: shared ? { wasmMemory: new Memory({ initial: 1, maximum: 16, shared: true }) } : { asm: { memory: new Memory({ initial: 1 }) } },
      dataIdMap: new Map(),
      makeOutput: () => undefined,
    });
    expect(loadSimdKernels(fakeBackend(true)).kernels).toBeDefined();
    expect(loadSimdKernels(fakeBackend(false)).kernels).toBeDefined();
    expect(loadSimdKernels({}).problem).toBe('not the wasm backend, or its internals changed');
  });
});
