import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { io } from '@tensorflow/tfjs';
import type { BaseModelSource } from './descriptor';

/** A model file set that is missing, malformed or inconsistent. */
export class ModelArtifactError extends Error {
  constructor(
    readonly location: string,
    reason: string,
  ) {
    super(`${location}: ${reason}`);
    this.name = 'ModelArtifactError';
  }
}

export interface LoadedArtifacts {
  artifacts: io.ModelArtifacts;
  /** sha256 over topology and weights: identifies the exact model in caches and registries. */
  weightsHash: string;
  format: 'layers' | 'graph';
}

interface ModelJson {
  format?: string;
  modelTopology?: unknown;
  weightsManifest?: { paths: string[]; weights: io.WeightsManifestEntry[] }[];
  userDefinedMetadata?: Record<string, unknown>;
}

function nsfwjsModelsDir(): string {
  let dir = path.dirname(require.resolve('nsfwjs'));
  while (!existsSync(path.join(dir, 'package.json')) || !readFileSync(path.join(dir, 'package.json'), 'utf8').includes('"name": "nsfwjs"')) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot locate the nsfwjs package (npm ci installs it)');
    dir = parent;
  }
  return path.join(dir, 'dist', 'models');
}

/** nsfwjs ships each model as JS modules: one exporting the model JSON, one per base64 weight shard. */
function loadBundled(directory: string): { json: ModelJson; shards: Buffer[]; location: string } {
  const dir = path.join(nsfwjsModelsDir(), directory);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const json = require(path.join(dir, 'model.min.js')) as ModelJson;
  const paths = (json.weightsManifest ?? []).flatMap((g) => g.paths);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const shards = paths.map((p) => Buffer.from(require(path.join(dir, `${p}.min.js`)) as string, 'base64'));
  return { json, shards, location: dir };
}

function loadFromPath(modelJsonPath: string): { json: ModelJson; shards: Buffer[]; location: string } {
  if (!existsSync(modelJsonPath)) throw new ModelArtifactError(modelJsonPath, 'model.json not found');
  const json = parseModelJson(readFileSync(modelJsonPath, 'utf8'), modelJsonPath);
  const dir = path.dirname(modelJsonPath);
  const shards = (json.weightsManifest ?? []).flatMap((g) => g.paths).map((p) => {
    const file = path.resolve(dir, p);
    if (!file.startsWith(path.resolve(dir) + path.sep)) throw new ModelArtifactError(modelJsonPath, `weight path ${p} leaves the model directory`);
    if (!existsSync(file)) throw new ModelArtifactError(modelJsonPath, `weight shard ${p} not found next to model.json`);
    return readFileSync(file);
  });
  return { json, shards, location: modelJsonPath };
}

async function loadFromUrl(modelJsonUrl: string, fetchImpl: typeof fetch): Promise<{ json: ModelJson; shards: Buffer[]; location: string }> {
  const res = await fetchImpl(modelJsonUrl);
  if (!res.ok) throw new ModelArtifactError(modelJsonUrl, `HTTP ${res.status} fetching model.json`);
  const json = parseModelJson(await res.text(), modelJsonUrl);
  const shards: Buffer[] = [];
  for (const p of (json.weightsManifest ?? []).flatMap((g) => g.paths)) {
    const url = new URL(p, modelJsonUrl).toString();
    const shard = await fetchImpl(url);
    if (!shard.ok) throw new ModelArtifactError(modelJsonUrl, `HTTP ${shard.status} fetching weight shard ${p}`);
    shards.push(Buffer.from(await shard.arrayBuffer()));
  }
  return { json, shards, location: modelJsonUrl };
}

function parseModelJson(text: string, location: string): ModelJson {
  let json: ModelJson;
  try {
    json = JSON.parse(text) as ModelJson;
  } catch (error) {
    throw new ModelArtifactError(location, `model.json is not valid JSON (${(error as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || !json.modelTopology) throw new ModelArtifactError(location, 'model.json has no modelTopology: not a TF.js model');
  if (!Array.isArray(json.weightsManifest)) throw new ModelArtifactError(location, 'model.json has no weightsManifest');
  return json;
}

const bytesPerDtype: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

function expectedBytes(spec: io.WeightsManifestEntry): number {
  const count = spec.shape.reduce((a, b) => a * b, 1);
  const dtype = spec.quantization?.dtype ?? spec.dtype;
  const size = bytesPerDtype[dtype];
  if (size === undefined) throw new Error(`unsupported weight dtype ${dtype}`);
  return count * size;
}

/** Reads a model's files from wherever `source` says, checks them and returns TF.js artifacts. */
export async function loadArtifacts(source: BaseModelSource, fetchImpl: typeof fetch = fetch): Promise<LoadedArtifacts> {
  const { json, shards, location } =
    source.kind === 'bundled-nsfwjs' ? loadBundled(source.directory) : source.kind === 'path' ? loadFromPath(source.modelJsonPath) : await loadFromUrl(source.modelJsonUrl, fetchImpl);
  const weightSpecs = (json.weightsManifest ?? []).flatMap((g) => g.weights);
  const weightData = Buffer.concat(shards);
  let want: number;
  try {
    want = weightSpecs.reduce((sum, s) => sum + expectedBytes(s), 0);
  } catch (error) {
    throw new ModelArtifactError(location, (error as Error).message);
  }
  if (want !== weightData.byteLength) throw new ModelArtifactError(location, `weights are ${weightData.byteLength} bytes but the manifest describes ${want}: truncated or mismatched shards`);
  const format = json.format === 'graph-model' ? 'graph' : 'layers';
  const weightsHash = createHash('sha256').update(JSON.stringify(json.modelTopology)).update(weightData).digest('hex');
  return {
    format,
    weightsHash,
    artifacts: {
      modelTopology: json.modelTopology as io.ModelArtifacts['modelTopology'],
      weightSpecs,
      weightData: weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.byteLength) as ArrayBuffer,
      ...(json.format ? { format: json.format } : {}),
      ...(json.userDefinedMetadata ? { userDefinedMetadata: json.userDefinedMetadata as Record<string, object> } : {}),
    },
  };
}
