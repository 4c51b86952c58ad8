import type { Logger } from '@tern/config';

export interface Stoppable {
  stop(): Promise<void>;
}

/**
 * Stops everything in order on SIGTERM/SIGINT, then exits. A second signal, or a stop that
 * takes longer than `graceMs`, exits at once: offsets not yet committed are redelivered.
 */
export function stopOnSignals(targets: Stoppable[], logger: Logger, graceMs = 30_000): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    logger.info('shutting down', { signal });
    const force = setTimeout(() => {
      logger.error('graceful shutdown timed out', { graceMs });
      process.exit(1);
    }, graceMs);
    force.unref();
    (async () => {
      for (const target of targets) await target.stop();
    })()
      .then(() => process.exit(0))
      .catch((error: Error) => {
        logger.error('error during shutdown', { error });
        process.exit(1);
      });
  };
  process.once('SIGTERM', handle);
  process.once('SIGINT', handle);
}
