import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';

/** Registers `kernelFunc` in place of a backend's kernel, keeping its name and backend. */
export function replaceKernel(original: tf.KernelConfig, kernelFunc: (args: Parameters<KernelFunc>[0]) => TensorInfo | TensorInfo[]): void {
  tf.unregisterKernel(original.kernelName, original.backendName);
  tf.registerKernel({ ...original, kernelFunc: kernelFunc as KernelFunc });
}
