import * as tf from '@tensorflow/tfjs';
import { delegateMissingKernels } from './delegate-kernels';
import { useUntransposedMatMul } from './untransposed-matmul';

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

/** Fastest first. The native ones are optional dependencies: absent where libtensorflow could not be fetched. */
export const backendPreference: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

export interface ActiveBackend {
  name: BackendName;
  /** The TF.js backend id (`tensorflow` for both native packages). */
  tfBackend: string;
  /** Why the faster ones were not used. */
  skipped: { name: BackendName; reason: string }[];
}

let active: ActiveBackend | undefined;

const nativePackages: Partial<Record<BackendName, string>> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

async function tryBackend(name: BackendName): Promise<string> {
  const pkg = nativePackages[name];
  if (pkg) {
    // Loading the native addon registers the `tensorflow` backend. Optional: may be absent.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(pkg);
    if (!(await tf.setBackend('tensorflow'))) throw new Error(`${pkg} loaded but its backend did not initialise`);
    return 'tensorflow';
  }
  if (name === 'wasm') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@tensorflow/tfjs-backend-wasm');
    if (!(await tf.setBackend('wasm'))) throw new Error('wasm backend did not initialise');
    delegateMissingKernels('wasm', 'cpu');
    useUntransposedMatMul('wasm');
    return 'wasm';
  }
  if (!(await tf.setBackend('cpu'))) throw new Error('cpu backend did not initialise');
  return 'cpu';
}

/**
 * Picks the fastest TF.js backend that works here, or exactly `forced` (TERN_TF_BACKEND).
 * Called once per process; later calls return the same answer.
 */
export async function initBackend(forced?: BackendName): Promise<ActiveBackend> {
  if (active && (!forced || forced === active.name)) return active;
  const candidates = forced ? [forced] : backendPreference;
  const skipped: ActiveBackend['skipped'] = [];
  for (const name of candidates) {
    try {
      const tfBackend = await tryBackend(name);
      await tf.ready();
      active = { name, tfBackend, skipped };
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
