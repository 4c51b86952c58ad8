import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';

/**
 * The wasm backend lacks some kernels, among them the gradients of convolutions
 * (Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropFilter/Input), so training a conv
 * layer on wasm fails. This registers, for every kernel the cpu backend has and wasm lacks,
 * a wasm kernel that copies its inputs to the cpu backend, runs the cpu kernel there and
 * copies the result back. Slow, but correct: hot paths avoid these kernels (see fine-tuning's
 * cut-point caching), and fine-tuning conv layers on wasm works instead of crashing.
 */
export function delegateMissingKernels(target: string, fallback = 'cpu'): string[] {
  // The cpu backend prints "install tfjs-node" on first use; here that use is deliberate.
  const fallbackBackend = tf.findBackend(fallback) as unknown as { firstUse?: boolean } | undefined;
  if (fallbackBackend && 'firstUse' in fallbackBackend) fallbackBackend.firstUse = false;
  const present = new Set(tf.getKernelsForBackend(target).map((k) => k.kernelName));
  const missing = tf.getKernelsForBackend(fallback).filter((k) => !present.has(k.kernelName));
  for (const kernel of missing) tf.registerKernel(delegatingKernel(kernel, target, fallback));
  return missing.map((k) => k.kernelName);
}

function delegatingKernel(kernel: KernelConfig, target: string, fallback: string): KernelConfig {
  const kernelFunc = (({ inputs, attrs }) => {
    const from = tf.findBackend(target);
    const to = tf.findBackend(fallback);
    if (!from || !to) throw new Error(`backends ${target}/${fallback} not registered`);
    const copied: Record<string, TensorInfo> = {};
    for (const [name, info] of Object.entries(inputs)) {
      if (!info) continue;
      const values = from.readSync(info.dataId) as tf.backend_util.BackendValues;
      copied[name] = { dataId: to.write(values, info.shape, info.dtype), shape: info.shape, dtype: info.dtype };
    }
    try {
      const result = kernel.kernelFunc({ inputs: copied, attrs: attrs ?? {}, backend: to });
      const outputs = Array.isArray(result) ? result : [result];
      const back = outputs.map((out) => {
        const values = to.readSync(out.dataId) as tf.backend_util.BackendValues;
        to.disposeData(out.dataId);
        return { dataId: from.write(values, out.shape, out.dtype), shape: out.shape, dtype: out.dtype };
      });
      return Array.isArray(result) ? back : back[0]!;
    } finally {
      for (const info of Object.values(copied)) to.disposeData(info.dataId);
    }
  }) as KernelFunc;
  return { kernelName: kernel.kernelName, backendName: target, kernelFunc };
}
