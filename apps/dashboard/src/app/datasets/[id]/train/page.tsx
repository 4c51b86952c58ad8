'use client';
import { useParams, useRouter } from 'next/navigation';
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { ErrorBanner } from '@/components/ErrorBanner';
import { api } from '@/lib/api-client';
import { defaultTrainForm, fineTuneDefaults, headDefaults, pipelineRequest, type TrainForm } from '@/lib/train-request';
import { useResource } from '@/lib/use-resource';

interface BaseModel {
  id: string;
  displayName: string;
  defaultLayer: string;
  fineTunable: boolean;
  usableInPipelines: boolean;
  provenance: string;
  inputSize: { width: number; height: number };
  layers: { id: string; size: number; description: string }[];
}

function Field({ id, label, hint, error, children }: { id: string; label: string; hint?: string; error?: string | undefined; children: ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
      {hint ? <p className="muted small" id={`${id}-hint`}>{hint}</p> : null}
      {error ? <p className="field-error" role="alert">{error}</p> : null}
    </div>
  );
}

export default function TrainPage() {
  const { id } = useParams<{ id: string }>();
  const router = useRouter();
  const bases = useResource<{ items: BaseModel[] }>('/v1/base-models');
  const usable = bases.data?.items.filter((b) => b.usableInPipelines) ?? [];
  const [form, setForm] = useState<TrainForm>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [submitError, setSubmitError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!form && usable[0]) setForm(defaultTrainForm(usable[0].id, usable[0].defaultLayer));
  }, [form, usable]);

  if (bases.error) return <ErrorBanner error={bases.error} onRetry={bases.reload} />;
  if (!form) return <p className="muted">Loading base models…</p>;
  const base = usable.find((b) => b.id === form.baseModelId)!;
  const set = (patch: Partial<TrainForm>) => setForm({ ...form, ...patch });
  const text = (field: keyof TrainForm) => ({ id: field, value: String(form[field]), onChange: (e: { target: { value: string } }) => set({ [field]: e.target.value } as Partial<TrainForm>), 'aria-invalid': Boolean(errors[field]) });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const request = pipelineRequest(id, form);
    if (!request.ok) return setErrors(request.errors);
    setErrors({});
    setBusy(true);
    setSubmitError(undefined);
    try {
      const job = await api<{ id: string }>('/v1/jobs', { method: 'POST', json: request.body });
      router.push(`/jobs/${job.id}`);
    } catch (err) {
      setSubmitError(err);
      setBusy(false);
    }
  };

  return (
    <>
      <h1>Train a model</h1>
      <form onSubmit={submit} noValidate>
        <section className="card">
          <h2>Base model</h2>
          <div className="form-grid">
            <Field id="baseModelId" label="Base model" hint={base.provenance}>
              <select id="baseModelId" value={form.baseModelId} onChange={(e) => { const b = usable.find((x) => x.id === e.target.value)!; set({ baseModelId: b.id, layer: b.defaultLayer, fineTune: form.fineTune && b.fineTunable }); }}>
                {usable.map((b) => <option key={b.id} value={b.id}>{b.displayName} ({b.inputSize.width}×{b.inputSize.height})</option>)}
              </select>
            </Field>
            <Field id="layer" label="Layer to extract" hint="Final features by default; an earlier block can transfer better when your images look unlike photos.">
              <select id="layer" value={form.layer} onChange={(e) => set({ layer: e.target.value })}>
                {base.layers.map((l) => <option key={l.id} value={l.id}>{l.id} ({l.size}-d){l.id === base.defaultLayer ? ' · default' : ''}</option>)}
              </select>
            </Field>
          </div>
        </section>
        <section className="card">
          <h2>Head</h2>
          <div className="form-grid">
            <Field id="hiddenUnits" label="Hidden layers" hint={`Units per dense layer, comma-separated (default ${headDefaults.hiddenUnits.join(',')}; empty = a linear head)`} error={errors['hiddenUnits']}><input {...text('hiddenUnits')} /></Field>
            <Field id="dropout" label="Dropout" hint={`default ${headDefaults.dropout}`} error={errors['dropout']}><input {...text('dropout')} inputMode="decimal" /></Field>
            <Field id="learningRate" label="Learning rate" hint={`default ${headDefaults.learningRate}`} error={errors['learningRate']}><input {...text('learningRate')} inputMode="decimal" /></Field>
            <Field id="epochs" label="Epochs (at most)" hint={`default ${headDefaults.epochs}; early stopping keeps the best epoch`} error={errors['epochs']}><input {...text('epochs')} inputMode="numeric" /></Field>
            <Field id="batchSize" label="Batch size" hint="empty = automatic: 32 for small datasets, larger ones up to 512 so that an epoch takes about 32 steps" error={errors['batchSize']}><input {...text('batchSize')} inputMode="numeric" /></Field>
          </div>
        </section>
        <section className="card">
          <h2>Fine-tuning</h2>
          <label className="checkbox">
            <input type="checkbox" checked={form.fineTune} disabled={!base.fineTunable} onChange={(e) => set({ fineTune: e.target.checked })} /> Fine-tune the top of the base after the head
          </label>
          {!base.fineTunable ? <p className="muted small">{base.displayName} is extraction-only; choose a fine-tunable base (e.g. mobilenet_v2) to fine-tune.</p> : null}
          {form.fineTune ? (
            <div className="form-grid">
              <Field id="unfreezeLayers" label="Layers to unfreeze" hint={`default ${fineTuneDefaults.unfreezeLayers}`} error={errors['unfreezeLayers']}><input {...text('unfreezeLayers')} inputMode="numeric" /></Field>
              <Field id="fineTuneLearningRate" label="Learning rate" hint={`default ${fineTuneDefaults.learningRate} (very low on purpose)`} error={errors['fineTuneLearningRate']}><input {...text('fineTuneLearningRate')} inputMode="decimal" /></Field>
              <Field id="fineTuneEpochs" label="Epochs (at most)" hint={`default ${fineTuneDefaults.epochs}`} error={errors['fineTuneEpochs']}><input {...text('fineTuneEpochs')} inputMode="numeric" /></Field>
            </div>
          ) : null}
          <label className="checkbox">
            <input type="checkbox" checked={form.promote} onChange={(e) => set({ promote: e.target.checked })} /> Make it the production model if it beats the current one
          </label>
        </section>
        <ErrorBanner error={submitError} />
        <button type="submit" className="primary" disabled={busy}>{busy ? 'Starting…' : 'Start training'}</button>
      </form>
    </>
  );
}
