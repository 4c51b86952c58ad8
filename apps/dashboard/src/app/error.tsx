'use client';

/** Never a blank page: whatever broke, say so and offer a way on. */
export default function ErrorPage({ error, reset }: { error: Error; reset: () => void }) {
  return (
    <section role="alert" className="card">
      <h1>Something went wrong</h1>
      <p>This page could not be shown: {error.message || 'an unexpected error'}.</p>
      <p>
        <button type="button" onClick={reset}>Try again</button> or go back to <a href="/datasets">your datasets</a>.
      </p>
    </section>
  );
}
