'use client';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { useState } from 'react';
import { ErrorBanner } from '@/components/ErrorBanner';
import { ProgressBar } from '@/components/ProgressBar';
import { TrainingCurves } from '@/components/TrainingCurves';
import { api } from '@/lib/api-client';
import { toProgressView } from '@/lib/job-progress';
import { useJobStream } from '@/lib/use-job-stream';

const stepNames: Record<string, string> = { extraction: 'Extract features', head_training: 'Train head', fine_tuning: 'Fine-tune' };

export default function RunPage() {
  const { id } = useParams<{ id: string }>();
  const { update, connectionLost } = useJobStream(id);
  const [cancelError, setCancelError] = useState<unknown>();
  const [cancelling, setCancelling] = useState(false);
  if (!update) return <p className="muted">{connectionLost ? 'Cannot reach this run. It may not exist, or the api is down.' : 'Connecting to the run…'}</p>;
  const view = toProgressView(update);

  const cancel = async () => {
    setCancelling(true);
    try {
      await api(`/v1/jobs/${id}/cancel`, { method: 'POST', json: { reason: 'cancelled from the dashboard' } });
    } catch (e) {
      setCancelError(e);
      setCancelling(false);
    }
  };

  return (
    <>
      <div className="page-head">
        <div>
          <h1>Run {id.slice(0, 8)}</h1>
          <p className="muted">{update.job.type} · started {new Date(update.job.createdAt).toLocaleString()}{update.job.datasetId ? <> · <Link href={`/datasets/${update.job.datasetId}`}>dataset</Link></> : null}</p>
        </div>
        {!view.finished ? <button type="button" className="danger" onClick={() => void cancel()} disabled={cancelling}>{cancelling ? 'Cancelling…' : 'Cancel run'}</button> : null}
      </div>
      <ErrorBanner error={cancelError} />
      {connectionLost && !view.finished ? <p className="banner banner-warn" role="status">Connection lost; reconnecting…</p> : null}
      <section className="card" aria-live="polite">
        <p>Status: <strong data-testid="run-status">{view.status}</strong>{!view.finished ? <> · stage: {view.stage}</> : null}</p>
        <ProgressBar value={view.fraction} label="Progress" />
        {view.steps.length ? (
          <ol className="steps">
            {view.steps.map((s, i) => <li key={`${s.type}-${i}`} className={`step-${s.status}`}>{stepNames[s.type] ?? s.type}: {s.status}</li>)}
          </ol>
        ) : null}
        {view.error ? <p className="banner banner-error" role="alert">{view.error}</p> : null}
        {view.status === 'succeeded' && view.finalModelId ? <p><Link className="button primary" href={`/models/${view.finalModelId}`}>Open the model</Link></p> : null}
      </section>
      <section className="card" aria-labelledby="curves-heading">
        <h2 id="curves-heading">Training curves</h2>
        <TrainingCurves curves={view.curves} />
      </section>
    </>
  );
}
