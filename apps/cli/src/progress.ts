/** A one-line progress bar on stderr (plain lines when stderr is not a terminal). */
export class ProgressBar {
  private lastLine = 0;
  private readonly started = Date.now();
  constructor(
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  update(done: number, total: number, detail = ''): void {
    const fraction = total === 0 ? 1 : Math.min(1, done / total);
    const elapsed = (Date.now() - this.started) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const width = 28;
    const filled = Math.round(fraction * width);
    const text = `${this.label.padEnd(12)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${rate.toFixed(1)}/s ${detail}`;
    if (this.stream.isTTY) this.stream.write(`\r${text.slice(0, (this.stream.columns ?? 120) - 1).padEnd(this.lastLine)}`);
    else if (done === total || Date.now() - this.lastLine > 2000) {
      this.stream.write(`${text}\n`);
      this.lastLine = Date.now();
      return;
    }
    this.lastLine = Math.max(this.lastLine, text.length);
  }

  finish(): void {
    if (this.stream.isTTY) this.stream.write('\n');
  }
}
