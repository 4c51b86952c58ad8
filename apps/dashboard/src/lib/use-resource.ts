'use client';
import { useCallback, useEffect, useState } from 'react';
import { api } from './api-client';

/**
 * GETs an api path; `reload` fetches it again, and so does a change of `refreshKey` (data changed
 * elsewhere). `path` null waits (e.g. until an id is known).
 */
export function useResource<T>(path: string | null, refreshKey?: string): { data: T | undefined; error: unknown; loading: boolean; reload: () => void } {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(Boolean(path));
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!path) return;
    let live = true;
    setLoading(true);
    api<T>(path)
      .then((d) => live && (setData(d), setError(undefined)))
      .catch((e: unknown) => live && setError(e))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [path, tick, refreshKey]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload };
}
