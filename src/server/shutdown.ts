// Graceful shutdown shared by both transports. On the first request (SIGINT, SIGTERM, or a caller
// such as stdin closing): refuse new work, let running calls finish and their answers be written
// for up to the grace period, then cancel what is left (those calls still answer `cancelled`),
// close, and exit 0. A second signal, or a close that hangs, forces the exit.
import type { Logger } from '../log.js';

/** How long cancelled calls get to write their `cancelled` answers after the grace period. */
export const CANCEL_WAIT_MS = 2_000;
/** Extra time for closing transports and pools before the exit is forced. */
const CLOSE_WAIT_MS = 3_000;

export interface ShutdownSteps {
  /** Refuses new calls, requests and sessions; running ones go on. */
  stopAccepting(): void;
  /** Resolves true once every owed answer was written, false after `timeoutMs`. */
  drained(timeoutMs: number): Promise<boolean>;
  /** Aborts the calls still running; returns how many. */
  cancel(): number;
  /** Closes transports and upstream pools; stdout is flushed by the time it resolves. */
  close(): Promise<void>;
}

export function onShutdown(logger: Logger, graceMs: number, steps: ShutdownSteps): (reason: string) => void {
  let stopping = false;
  const stop = (reason: string): void => {
    if (stopping) {
      if (reason === 'stdin closed') return; // not a second request: the client hanging up after a signal
      logger.warn('second shutdown request; exiting now', { reason });
      process.exit(0);
    }
    stopping = true;
    const started = Date.now();
    logger.info('shutting down', { reason, grace_ms: graceMs });
    setTimeout(
      () => {
        logger.warn('shutdown took too long; exiting');
        process.exit(0);
      },
      graceMs + CANCEL_WAIT_MS + CLOSE_WAIT_MS,
    ).unref();
    steps.stopAccepting();
    const run = async (): Promise<void> => {
      if (!(await steps.drained(graceMs))) {
        const cancelled = steps.cancel();
        logger.warn('grace period over; cancelling running calls', { calls: cancelled, grace_ms: graceMs });
        await steps.drained(CANCEL_WAIT_MS);
      }
      await steps.close();
    };
    run().then(
      () => {
        logger.info('shut down', { ms: Date.now() - started });
        process.exit(0);
      },
      (error: unknown) => {
        logger.error('error during shutdown', { error });
        process.exit(0);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  return stop;
}
