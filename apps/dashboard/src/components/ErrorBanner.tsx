'use client';
import { ApiProblem } from '@/lib/api-client';

/** An error in words, with the api's exact message for whoever needs it. */
export function ErrorBanner({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  const detail = error instanceof ApiProblem ? error.detail : undefined;
  return (
    <div role="alert" className="banner banner-error">
      <p>{message}</p>
      {detail && detail !== message ? <details><summary>Details</summary><code>{detail}</code></details> : null}
      {onRetry ? <button type="button" onClick={onRetry}>Try again</button> : null}
    </div>
  );
}
