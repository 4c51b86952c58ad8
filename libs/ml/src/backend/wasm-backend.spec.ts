import * as tf from '@tensorflow/tfjs';
import { initBackend, parseBackendName } from './select-backend';

describe('backend selection', () => {
  it('falls back past the native backends that are not installed here and reports why', async () => {
    const backend = await initBackend();
    expect(['tensorflow-gpu', 'tensorflow', 'wasm']).toContain(backend.name);
    expect(tf.getBackend()).toBe(backend.tfBackend);
    if (backend.name === 'wasm') expect(backend.skipped.map((s) => s.name)).toEqual(['tensorflow-gpu', 'tensorflow']);
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
});
