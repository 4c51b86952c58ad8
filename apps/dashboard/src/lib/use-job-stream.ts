'use client';
import { useEffect, useState } from 'react';
import { jobUpdateSchema, type JobUpdate } from '@tern/contracts';
import { apiBase } from './api-client';

/** Follows a job over Server-Sent Events until it ends; the browser reconnects on its own after a drop. */
export function useJobStream(jobId: string): { update: JobUpdate | undefined; ended: boolean; connectionLost: boolean } {
  const [update, setUpdate] = useState<JobUpdate>();
  const [ended, setEnded] = useState(false);
  const [connectionLost, setConnectionLost] = useState(false);
  useEffect(() => {
    const source = new EventSource(`${apiBase}/v1/jobs/${jobId}/events`);
    source.addEventListener('update', (e) => {
      const parsed = jobUpdateSchema.safeParse(JSON.parse((e as MessageEvent<string>).data));
      if (parsed.success) setUpdate(parsed.data);
      setConnectionLost(false);
    });
    source.addEventListener('end', () => {
      setEnded(true);
      source.close();
    });
    source.onerror = () => setConnectionLost(source.readyState !== EventSource.OPEN);
    return () => source.close();
  }, [jobId]);
  return { update, ended, connectionLost };
}
