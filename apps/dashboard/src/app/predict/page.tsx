'use client';
import { useSearchParams } from 'next/navigation';
import { Suspense, useEffect, useState, type DragEvent } from 'react';
import type { PredictResponse } from '@tern/contracts';
import { Chart } from '@/components/Chart';
import { ErrorBanner } from '@/components/ErrorBanner';
import { api } from '@/lib/api-client';
import { useResource } from '@/lib/use-resource';

interface DatasetRow { id: string; name: string; modelCount: number }

function Predict() {
  const modelParam = useSearchParams().get('model');
  const datasets = useResource<{ items: DatasetRow[] }>('/v1/datasets?pageSize=200');
  const withModels = datasets.data?.items.filter((d) => d.modelCount > 0) ?? [];
  const [target, setTarget] = useState(modelParam ? `model:${modelParam}` : '');
  const [topK, setTopK] = useState(3);
  const [preview, setPreview] = useState<string>();
  const [result, setResult] = useState<PredictResponse>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!target && withModels[0]) setTarget(`dataset:${withModels[0].id}`);
  }, [target, withModels]);

  const run = async (file: File | undefined) => {
    if (!file || !target) return;
    setError(undefined);
    setResult(undefined);
    setPreview(URL.createObjectURL(file));
    setBusy(true);
    const form = new FormData();
    const [kind, id] = target.split(':') as ['model' | 'dataset', string];
    form.append(kind === 'model' ? 'modelId' : 'datasetId', id);
    form.append('topK', String(topK));
    form.append('images', file, file.name);
    try {
      setResult(await api<PredictResponse>('/v1/predict', { method: 'POST', body: form }));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const drop = (e: DragEvent) => {
    e.preventDefault();
    void run(e.dataTransfer.files[0]);
  };
  const prediction = result?.predictions[0];

  return (
    <>
      <h1>Try a model</h1>
      <ErrorBanner error={datasets.error} onRetry={datasets.reload} />
      <section className="card">
        <div className="form-row">
          <div>
            <label htmlFor="predict-target">Model</label>
            <select id="predict-target" value={target} onChange={(e) => setTarget(e.target.value)}>
              {modelParam ? <option value={`model:${modelParam}`}>the model you opened</option> : null}
              {withModels.map((d) => <option key={d.id} value={`dataset:${d.id}`}>{d.name}: production model</option>)}
            </select>
          </div>
          <div>
            <label htmlFor="predict-topk">Show top</label>
            <select id="predict-topk" value={topK} onChange={(e) => setTopK(Number(e.target.value))}>{[1, 3, 5].map((k) => <option key={k} value={k}>{k}</option>)}</select>
          </div>
        </div>
        <div className="dropzone" onDragOver={(e) => e.preventDefault()} onDrop={drop}>
          <p>Drop an image here, or</p>
          <label className="button">
            Choose an image
            <input type="file" accept="image/*" className="sr-only" disabled={!target} onChange={(e) => void run(e.target.files?.[0])} data-testid="predict-input" />
          </label>
        </div>
        {!target && datasets.data ? <p className="muted">No dataset has a model yet.</p> : null}
      </section>
      <ErrorBanner error={error} />
      {busy ? <p className="muted">Classifying…</p> : null}
      {preview || prediction ? (
        <section className="card grid-2">
          {preview ? <img src={preview} alt="The image you chose" className="preview" /> : <div />}
          <div data-testid="prediction">
            {prediction?.error ? <p className="banner banner-error" role="alert">This image could not be classified: {prediction.error}</p> : null}
            {prediction?.top ? (
              <>
                <p>Model v{result!.modelVersion} says: <strong>{prediction.top[0]!.label}</strong> ({(prediction.top[0]!.probability * 100).toFixed(0)}%)</p>
                <Chart label={`Top ${prediction.top.length} predictions: ${prediction.top.map((t) => `${t.label} ${(t.probability * 100).toFixed(0)}%`).join(', ')}`} height={60 + prediction.top.length * 36}
                  option={{ grid: { left: 140, right: 48, top: 8, bottom: 24 }, xAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } }, yAxis: { type: 'category', inverse: true, data: prediction.top.map((t) => t.label) }, series: [{ type: 'bar', data: prediction.top.map((t) => Math.round(t.probability * 1000) / 10), label: { show: true, position: 'right', formatter: '{c}%' } }] }} />
              </>
            ) : null}
          </div>
        </section>
      ) : null}
    </>
  );
}

export default function PredictPage() {
  return (
    <Suspense>
      <Predict />
    </Suspense>
  );
}
