/** How pixels must be prepared for a base model. All bundled bases take RGB scaled to [0, 1]. */
export interface Preprocessing {
  colorSpace: 'rgb';
  /** '0..1': pixel / 255. '-1..1': pixel / 127.5 - 1. */
  scale: '0..1' | '-1..1';
}

export interface ExtractableLayer {
  /** Friendly id used in APIs and the embedding cache key. */
  id: string;
  /** Layer name (layers models) or node name (graph models). */
  node: string;
  /** Embedding size after global average pooling. */
  size: number;
  description: string;
}

export type BaseModelSource =
  | { kind: 'bundled-nsfwjs'; directory: string }
  | { kind: 'path'; modelJsonPath: string }
  | { kind: 'url'; modelJsonUrl: string };

export interface BaseModelDescriptor {
  id: string;
  version: string;
  displayName: string;
  format: 'layers' | 'graph';
  inputSize: { width: number; height: number };
  preprocessing: Preprocessing;
  layers: ExtractableLayer[];
  defaultLayer: string;
  /** Layers models only: can its top be unfrozen and trained? */
  fineTunable: boolean;
  source: BaseModelSource;
  /** Provenance a user should see next to any accuracy number. */
  provenance: string;
}

/** Stable key of the preprocessing, part of the embedding cache key. */
export function preprocessingKey(d: Pick<BaseModelDescriptor, 'inputSize' | 'preprocessing'>): string {
  return `${d.preprocessing.colorSpace}-${d.inputSize.width}x${d.inputSize.height}-${d.preprocessing.scale}`;
}

export function findLayer(d: BaseModelDescriptor, layerId = d.defaultLayer): ExtractableLayer {
  const layer = d.layers.find((l) => l.id === layerId);
  if (!layer) throw new Error(`base model ${d.id} has no extractable layer "${layerId}" (choose one of: ${d.layers.map((l) => l.id).join(', ')})`);
  return layer;
}
