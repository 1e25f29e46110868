// Graceful shutdown shared by both transports: SIGINT / SIGTERM (or a caller) run the close
// steps once, then the process exits 0; a second signal, or a stuck close, forces the exit.
import type { Logger } from '../log.js';

const FORCE_AFTER_MS = 15_000;

export function onShutdown(logger: Logger, close: () => Promise<void>): (reason: string) => void {
  let stopping = false;
  const stop = (reason: string): void => {
    if (stopping) {
      logger.warn('second shutdown request; exiting now', { reason });
      process.exit(0);
    }
    stopping = true;
    logger.info('shutting down', { reason });
    setTimeout(() => {
      logger.warn('shutdown took too long; exiting');
      process.exit(0);
    }, FORCE_AFTER_MS).unref();
    close().then(
      () => process.exit(0),
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
