// One base model in a worker thread: receives batches of pixels, returns embeddings.
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend, parseBackendName } from '../backend/select-backend';
import type { BaseModelDescriptor } from '../base-models/descriptor';
import { createFeatureExtractor, loadBase } from '../base-models/feature-extractor';
import { embedPixels } from './embedder';

const { descriptor, layerId, backend, wasmThreads } = workerData as { descriptor: BaseModelDescriptor; layerId: string; backend?: string; wasmThreads: number };

async function start(): Promise<void> {
  await initBackend(parseBackendName(backend), { wasmThreads });
  const extractor = createFeatureExtractor(await loadBase(descriptor), layerId);
  const { width, height } = descriptor.inputSize;
  parentPort!.on('message', (m: { id: number; pixels: Uint8Array[] }) => {
    embedPixels(extractor, m.pixels, height, width)
      .then((vectors) => parentPort!.postMessage({ id: m.id, vectors }, vectors.map((v) => v.buffer as ArrayBuffer)))
      .catch((error: Error) => parentPort!.postMessage({ id: m.id, error: error.message }));
  });
  parentPort!.postMessage({ ready: true });
}

start().catch((error: Error) => parentPort!.postMessage({ ready: false, error: error.message }));
