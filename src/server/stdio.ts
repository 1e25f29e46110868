// MCP over stdin/stdout: the transport owns stdout. The stdio front door (stdio-front.ts) answers
// the opening handshake and loads the full server (stdio-full.ts) when a message needs it. When the
// client closes stdin, or on SIGINT / SIGTERM, new calls are refused, running ones finish within
// the grace period, their answers are written and flushed, and the process exits 0.
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { frontAnswers } from './front-answers.js';
import { onShutdown } from './shutdown.js';
import { StdioFront } from './stdio-front.js';

export function serveStdio(config: Config, logger: Logger, version: string): void {
  const onStdoutError = (error: Error): void => logger.warn('stdout error', { error });
  let stop: (reason: string) => void = () => undefined;
  const front = new StdioFront({
    input: process.stdin,
    output: process.stdout,
    answers: frontAnswers(config, version),
    load: async (input, replayedId) => {
      const started = performance.now();
      const { startFullStdio } = await import('./stdio-full.js');
      const steps = await startFullStdio({ config, logger, version, input, replayedId, oninputend: () => stop('stdin closed') });
      // Its transport reports stdout errors from now on.
      process.stdout.off('error', onStdoutError);
      logger.debug('full server loaded', { ms: Math.round(performance.now() - started) });
      return steps;
    },
    onLoadError: (error) => {
      logger.error('could not load the server', { error });
      process.exit(1);
    },
  });
  // Signal handlers first: anything that sees the "serving" line may send SIGTERM right away.
  stop = onShutdown(logger, config.shutdownGraceSeconds * 1000, front.steps);
  front.oninputend = () => stop('stdin closed');
  // A reader that went away (EPIPE) must not crash the process through an unhandled 'error'.
  process.stdout.on('error', onStdoutError);
  front.start();
  logger.info('serving MCP over stdio', { version, tools: config.enabledTools });
}
