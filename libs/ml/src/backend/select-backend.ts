import * as tf from '@tensorflow/tfjs';
import { delegateMissingKernels } from './delegate-kernels';
import { useHeapViewKernels } from './heap-view-kernels';
import { loadSimdKernels } from './simd/simd-kernels';
import { useSimdTranspose } from './simd/transpose-kernel';
import { useSimdReductions } from './simd/reduce-kernels';
import { useUntransposedMatMul } from './untransposed-matmul';
import { defaultWasmThreads, wasmThreadCount, withWasmThreads } from './wasm-threads';

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

/** Fastest first. The native ones are optional dependencies: absent where libtensorflow could not be fetched. */
export const backendPreference: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

export interface ActiveBackend {
  name: BackendName;
  /** The TF.js backend id (`tensorflow` for both native packages). */
  tfBackend: string;
  /** Why the faster ones were not used. */
  skipped: { name: BackendName; reason: string }[];
  /** Threads of the wasm backend (1 elsewhere: the native backends manage their own). */
  threads: number;
  /** Why wasm runs fewer threads than asked for, if it does. */
  threadsProblem?: string;
  /** Why wasm runs without Tern's SIMD kernels (simd/kernels.wat), if it does: slower, same results. */
  simdKernelsProblem?: string;
}

export interface BackendOptions {
  /** Threads for the wasm backend; defaults to TERN_WASM_THREADS, else every core. */
  wasmThreads?: number;
}

/** The backend as log fields: its name and threads, and why it runs slower than it could (only when it does). */
export function backendLogFields(backend: ActiveBackend): Record<string, string | number> {
  return {
    backend: backend.name,
    threads: backend.threads,
    ...(backend.threadsProblem ? { threadsProblem: backend.threadsProblem } : {}),
    ...(backend.simdKernelsProblem ? { simdKernelsProblem: backend.simdKernelsProblem } : {}),
  };
}

/** The backend as reported with results, e.g. `wasm ×2 threads`. */
export function describeBackend(backend: ActiveBackend = activeBackend()): string {
  return backend.threads > 1 ? `${backend.name} ×${backend.threads} threads` : backend.name;
}

let active: ActiveBackend | undefined;

const nativePackages: Partial<Record<BackendName, string>> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

async function tryBackend(name: BackendName, options: BackendOptions): Promise<Omit<ActiveBackend, 'name' | 'skipped'>> {
  const pkg = nativePackages[name];
  if (pkg) {
    // Loading the native addon registers the `tensorflow` backend. Optional: may be absent.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(pkg);
    if (!(await tf.setBackend('tensorflow'))) throw new Error(`${pkg} loaded but its backend did not initialise`);
    return { tfBackend: 'tensorflow', threads: 1 };
  }
  if (name === 'wasm') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@tensorflow/tfjs-backend-wasm');
    const requested = options.wasmThreads ?? defaultWasmThreads();
    const { result: ok, problem } = await withWasmThreads(requested, () => tf.setBackend('wasm'));
    if (!ok) throw new Error('wasm backend did not initialise');
    delegateMissingKernels('wasm', 'cpu');
    useUntransposedMatMul('wasm');
    useHeapViewKernels('wasm');
    const simd = loadSimdKernels();
    if (simd.kernels) {
      useSimdTranspose('wasm', simd.kernels);
      useSimdReductions('wasm', simd.kernels);
    }
    const threads = wasmThreadCount();
    const threadsProblem = problem ?? (threads < requested ? `asked for ${requested} threads, the backend started ${threads}` : undefined);
    return { tfBackend: 'wasm', threads, ...(threadsProblem ? { threadsProblem } : {}), ...(simd.problem ? { simdKernelsProblem: simd.problem } : {}) };
  }
  if (!(await tf.setBackend('cpu'))) throw new Error('cpu backend did not initialise');
  return { tfBackend: 'cpu', threads: 1 };
}

/**
 * Picks the fastest TF.js backend that works here, or exactly `forced` (TERN_TF_BACKEND).
 * Called once per process; later calls return the same answer.
 */
export async function initBackend(forced?: BackendName, options: BackendOptions = {}): Promise<ActiveBackend> {
  if (active && (!forced || forced === active.name)) return active;
  const candidates = forced ? [forced] : backendPreference;
  const skipped: ActiveBackend['skipped'] = [];
  for (const name of candidates) {
    try {
      const started = await tryBackend(name, options);
      await tf.ready();
      active = { name, ...started, skipped };
      return active;
    } catch (error) {
      skipped.push({ name, reason: firstLine((error as Error).message) });
    }
  }
  throw new Error(`no TF.js backend could start: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}

export function activeBackend(): ActiveBackend {
  if (!active) throw new Error('initBackend() has not been called');
  return active;
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}

export function parseBackendName(value: string | undefined): BackendName | undefined {
  if (value === undefined || value === '') return undefined;
  if ((backendPreference as readonly string[]).includes(value)) return value as BackendName;
  throw new Error(`TERN_TF_BACKEND must be one of ${backendPreference.join(', ')} (got "${value}")`);
}
