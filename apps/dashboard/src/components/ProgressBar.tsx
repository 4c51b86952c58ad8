/** A labelled progress bar (native <progress>, so screen readers announce it). */
export function ProgressBar({ value, label }: { value: number; label: string }) {
  return (
    <div className="progress">
      <label>
        <span>{label}</span> <span className="muted">{Math.round(value * 100)}%</span>
        <progress max={1} value={value} aria-label={label} />
      </label>
    </div>
  );
}
