import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { findLayer, preprocessingKey, type BaseModelDescriptor } from '../base-models/descriptor';
import { availableCores } from '../util/cores';
import type { Embedder } from './embedder';

interface Pending {
  resolve: (v: Float32Array[]) => void;
  reject: (e: Error) => void;
}

/**
 * Runs the base in `size` worker threads, each with its own TF.js backend and its share of the
 * cores, so that decoding and inference of different batches overlap. Batches go to the least
 * busy worker; pixels and results move as transferred buffers, not copies.
 */
export async function createWorkerPoolEmbedder(descriptor: BaseModelDescriptor, layerId?: string, size = availableCores(), backend?: string): Promise<Embedder & { close(): Promise<void> }> {
  const layer = findLayer(descriptor, layerId);
  const script = path.join(__dirname, `embedding-worker${path.extname(__filename)}`);
  const workers: { worker: Worker; busy: number; pending: Map<number, Pending> }[] = [];
  let nextId = 0;
  const ready: Promise<void>[] = [];
  // The cores are shared out: a pool of two on two cores runs single-threaded wasm in each.
  const wasmThreads = Math.max(1, Math.floor(availableCores() / size));
  for (let i = 0; i < size; i++) {
    // Sources run through tsx's require hook in development and tests (Node 20 does not pass
    // `--import` hooks on to workers); a compiled build loads the .js worker directly.
    const data = { workerData: { descriptor, layerId: layer.id, backend, wasmThreads } };
    const worker = script.endsWith('.ts') ? new Worker(`require('tsx/cjs'); require(${JSON.stringify(script)});`, { ...data, eval: true }) : new Worker(script, data);
    const slot = { worker, busy: 0, pending: new Map<number, Pending>() };
    ready.push(
      new Promise((resolve, reject) => {
        worker.once('message', (m: { ready?: boolean; error?: string }) => (m.ready ? resolve() : reject(new Error(`embedding worker failed to start: ${m.error}`))));
        worker.once('error', reject);
      }),
    );
    worker.on('message', (m: { id?: number; vectors?: Float32Array[]; error?: string }) => {
      if (m.id === undefined) return;
      const p = slot.pending.get(m.id);
      slot.pending.delete(m.id);
      slot.busy--;
      if (m.error) p?.reject(new Error(m.error));
      else p?.resolve(m.vectors ?? []);
    });
    worker.on('error', (error) => slot.pending.forEach((p) => p.reject(error)));
    workers.push(slot);
  }
  await Promise.all(ready);
  return {
    descriptor,
    layer,
    preprocessingKey: preprocessingKey(descriptor),
    concurrency: size,
    embedBatch(pixels) {
      const slot = workers.reduce((a, b) => (b.busy < a.busy ? b : a));
      const id = nextId++;
      slot.busy++;
      return new Promise((resolve, reject) => {
        slot.pending.set(id, { resolve, reject });
        slot.worker.postMessage({ id, pixels }, pixels.map((p) => p.buffer as ArrayBuffer));
      });
    },
    async close() {
      await Promise.all(workers.map((w) => w.worker.terminate()));
    },
  };
}
