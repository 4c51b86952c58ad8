import os from 'node:os';
import workerThreads from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { availableCores } from '../util/cores';

/**
 * TF.js ships a multi-threaded wasm build (XNNPACK on a pthread pool) but refuses it in Node
 * (tfjs issue 3830): its Emscripten glue starts each pthread from a `blob:` URL, which Node's
 * Worker cannot load, and the backend caps the pool at half the logical cores (it assumes two
 * hyper-threads per core), which is one thread on a 2-vCPU machine. This module removes both
 * obstacles without touching the package's files:
 *  - a Worker subclass runs the package's own pthread script (from `wasm-out/`) by `eval`,
 *    loading the Emscripten module from its file path instead of a Blob;
 *  - while the backend initialises, `os.cpus()` reports twice the requested threads so that the
 *    cap equals the request.
 * Measured on this 2-core machine: matrix products and convolutions ran 1.9–2.0× faster with two
 * threads. Anything unexpected (another TF.js version whose glue differs) leaves the
 * single-threaded build in place, with the reason.
 */

const threadedScript = '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js';
const threadedWorker = '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js';
// The statement in the pthread script that loads the Emscripten module from a URL or a Blob.
const moduleLoader =
  'if(typeof e.data.urlOrBlob=="string"){importScripts(e.data.urlOrBlob)}else{var objectUrl=URL.createObjectURL(e.data.urlOrBlob);importScripts(objectUrl);URL.revokeObjectURL(objectUrl)}';

let pthreadSource: string | undefined;

/** The package's pthread script, rewritten to load the Emscripten module from disk. */
function nodePthreadSource(): string {
  if (pthreadSource) return pthreadSource;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { wasmWorkerContents } = require(threadedWorker) as { wasmWorkerContents: string };
  if (!wasmWorkerContents.includes(moduleLoader)) throw new Error('the wasm pthread script of this TF.js version is not the one this loader knows');
  // The package escapes newlines the same way before turning the script into a Blob.
  pthreadSource = wasmWorkerContents.replace(/\n/g, '\\n').replace(moduleLoader, `importScripts(${JSON.stringify(require.resolve(threadedScript))});`);
  return pthreadSource;
}

let workerPatched = false;

/** Emscripten reads `worker_threads.Worker` when the module is created; blob: URLs are its pthreads. */
function patchWorkerForBlobUrls(): void {
  if (workerPatched) return;
  const source = nodePthreadSource();
  const NodeWorker = workerThreads.Worker;
  class PthreadAwareWorker extends NodeWorker {
    constructor(filename: string | URL, options?: workerThreads.WorkerOptions) {
      if (typeof filename === 'string' && filename.startsWith('blob:')) super(source, { ...options, eval: true });
      else super(filename, options);
    }
  }
  (workerThreads as { Worker: typeof NodeWorker }).Worker = PthreadAwareWorker;
  workerPatched = true;
}

/**
 * Asks the wasm backend (not yet initialised) for `threads` threads and runs `init`, which must
 * set the backend. Returns why threads could not be enabled, or undefined when they were.
 */
export async function withWasmThreads<T>(threads: number, init: () => Promise<T>): Promise<{ result: T; problem?: string }> {
  if (threads <= 1) return { result: await init() };
  try {
    patchWorkerForBlobUrls();
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require('@tensorflow/tfjs-backend-wasm') as { setThreadsCount(n: number): void }).setThreadsCount(threads);
  } catch (error) {
    return { result: await init(), problem: (error as Error).message };
  }
  const realCpus = os.cpus;
  const reported = realCpus();
  os.cpus = () => Array.from({ length: 2 * threads }, (_, i) => reported[i % Math.max(1, reported.length)]!);
  try {
    const result = await init();
    trimPthreads();
    return { result };
  } finally {
    os.cpus = realCpus;
  }
}

/**
 * Emscripten starts 8 workers up front, each with its own copy of the JS runtime; the thread
 * pool uses `threads - 1` of them (the calling thread is the other), created once, at start-up.
 * The spare ones are stopped. The pool's own pthreads wait for work for the life of the
 * process and Emscripten keeps them referenced: unreferenced, a service or a test run can exit.
 */
function trimPthreads(): void {
  const backend = tf.findBackend('wasm') as unknown as { wasm?: { PThread?: { runningWorkers: workerThreads.Worker[]; unusedWorkers: workerThreads.Worker[] } } } | undefined;
  const pthread = backend?.wasm?.PThread;
  if (!pthread) return;
  for (const worker of pthread.unusedWorkers.splice(0)) void worker.terminate();
  for (const worker of pthread.runningWorkers) worker.unref();
}

/** Threads the wasm backend actually runs (1 for the single-threaded builds). */
export function wasmThreadCount(): number {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const wasm = require('@tensorflow/tfjs-backend-wasm') as { getThreadsCount(): number };
  try {
    return wasm.getThreadsCount();
  } catch {
    return 1;
  }
}

/** TERN_WASM_THREADS, or every core this process may use. */
export function defaultWasmThreads(value = process.env['TERN_WASM_THREADS']): number {
  if (value === undefined || value === '') return Math.min(8, availableCores());
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 8) throw new Error(`TERN_WASM_THREADS must be a whole number from 1 to 8 (got "${value}")`);
  return n;
}
