'use client';
import { useRef, useState, type DragEvent } from 'react';
import type { UploadReport } from '@tern/contracts';
import { ApiProblem } from '@/lib/api-client';
import { filesFromDrop } from '@/lib/dropped-files';
import { uploadSamples } from '@/lib/upload';
import { summarizeUpload } from '@/lib/upload-summary';
import { ErrorBanner } from './ErrorBanner';
import { ProgressBar } from './ProgressBar';

/** Drag and drop (files, folders, an archive) or pick; shows upload progress and what happened to each file. */
export function UploadZone({ datasetId, onUploaded }: { datasetId: string; onUploaded: () => void }) {
  const [label, setLabel] = useState('');
  const [progress, setProgress] = useState<number | null>(null);
  const [report, setReport] = useState<UploadReport>();
  const [error, setError] = useState<unknown>();
  const [over, setOver] = useState(false);
  const files = useRef<HTMLInputElement>(null);
  const folder = useRef<HTMLInputElement>(null);

  const send = async (list: File[]) => {
    if (list.length === 0) return;
    setError(undefined);
    setReport(undefined);
    setProgress(0);
    try {
      setReport(await uploadSamples(datasetId, list, { ...(label.trim() ? { label: label.trim() } : {}), onProgress: setProgress }));
      onUploaded();
    } catch (e) {
      setError(e);
      // Nothing was accepted: the api still says why, file by file.
      const details = e instanceof ApiProblem ? (e.body as UploadReport | undefined) : undefined;
      if (details?.rejected) setReport(details);
    } finally {
      setProgress(null);
    }
  };

  const drop = async (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    await send(await filesFromDrop(e.dataTransfer));
  };

  const summary = report ? summarizeUpload(report) : undefined;
  return (
    <section className="card" aria-labelledby="upload-heading">
      <h2 id="upload-heading">Add images</h2>
      <div className="form-row">
        <div>
          <label htmlFor="upload-label">Label for loose images</label>
          <input id="upload-label" value={label} onChange={(e) => setLabel(e.target.value)} placeholder="e.g. cats" />
          <p className="muted small">Folders and archives are labelled by their class folders (cats/…, dogs/…) or a filename,label CSV.</p>
        </div>
      </div>
      <div className={`dropzone${over ? ' over' : ''}`} onDragOver={(e) => { e.preventDefault(); setOver(true); }} onDragLeave={() => setOver(false)} onDrop={(e) => void drop(e)} data-testid="dropzone">
        <p>Drop images, a folder, or a zip/tar archive here</p>
        <div className="button-row">
          <button type="button" onClick={() => files.current?.click()}>Choose files…</button>
          <button type="button" onClick={() => folder.current?.click()}>Choose a folder…</button>
        </div>
        <input ref={files} type="file" multiple hidden aria-label="Image files, archive or CSV" accept="image/*,.zip,.tar,.tgz,.gz,.csv" onChange={(e) => void send([...(e.target.files ?? [])])} data-testid="file-input" />
        <input ref={folder} type="file" hidden aria-label="A folder of class folders" {...({ webkitdirectory: '' } as Record<string, string>)} onChange={(e) => void send([...(e.target.files ?? [])])} />
      </div>
      {progress !== null ? <ProgressBar value={progress} label="Uploading" /> : null}
      <ErrorBanner error={error} />
      {summary ? (
        <div className={`banner banner-${summary.tone}`} role="status" data-testid="upload-report">
          <p><strong>{summary.headline}</strong></p>
          {summary.rows.some((r) => r.outcome !== 'added') || summary.rows.length <= 50 ? (
            <div className="table-scroll">
              <table>
                <thead><tr><th scope="col">File</th><th scope="col">Result</th><th scope="col">Why / label</th></tr></thead>
                <tbody>
                  {summary.rows.slice(0, 200).map((r, i) => (
                    <tr key={`${r.name}-${i}`} className={`outcome-${r.outcome}`}><td>{r.name}</td><td>{r.outcome}</td><td>{r.detail}</td></tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
