import { api } from './api-client';

export interface ModelVersion {
  id: string;
  version: number;
  kind: 'head' | 'fine_tuned';
  testAccuracy: number | null;
  baseModelId: string;
  layer: string;
  labels: string[];
  aliases: string[];
  createdAt: string;
}

export interface ModelDetail {
  id: string;
  datasetId: string;
  version: number;
  kind: 'head' | 'fine_tuned';
  labels: string[];
  testAccuracy: number | null;
  metrics: unknown;
  config: Record<string, unknown>;
  baseModel: { id: string; version: string; layer: string; displayName: string };
  aliases: string[];
  curves: { stage: string; epoch: number; loss: number; accuracy: number; valLoss: number | null; valAccuracy: number | null }[];
  downloadUrl: string;
}

/** Points the dataset's production alias at a version. */
export const makeProduction = (datasetId: string, modelId: string) => api(`/v1/datasets/${datasetId}/aliases/production`, { method: 'PUT', json: { modelId } });

export const percent = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)}%`);
