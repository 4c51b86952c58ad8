'use client';
import { useCallback, useState } from 'react';

/** A user action against the api: `run` clears the last error, runs the work, and keeps its error to show. */
export function useAction(): { run: (work: () => Promise<unknown>) => Promise<void>; error: unknown } {
  const [error, setError] = useState<unknown>();
  const run = useCallback(async (work: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await work();
    } catch (e) {
      setError(e);
    }
  }, []);
  return { run, error };
}
