// The full stdio server, loaded by the front door (stdio-front.ts) on the first message it does
// not answer itself: the shared AppContext, the SDK Server with every tool, prompt and resource,
// and our LineTransport reading the stream the front door feeds (its replay, then stdin).
import type { Readable } from 'node:stream';
import type { Config } from '../config.js';
import { createAppContext } from '../context.js';
import type { Logger } from '../log.js';
import { createMcpServer } from './create-server.js';
import { InFlight } from './in-flight.js';
import { LineTransport } from './line-transport.js';
import { RunningCalls } from './running-calls.js';
import type { ShutdownSteps } from './shutdown.js';

export interface FullStdioOptions {
  config: Config;
  logger: Logger;
  version: string;
  input: Readable;
  /** A request the front door replayed and already answered: its answer is not written again. */
  replayedId: string | number | undefined;
  oninputend: () => void;
}

export async function startFullStdio(options: FullStdioOptions): Promise<ShutdownSteps> {
  const app = createAppContext(options.config, options.logger, options.version);
  const calls = new RunningCalls();
  const owed = new InFlight();
  const server = createMcpServer(app, calls);
  const transport = new LineTransport(options.input, process.stdout, owed);
  if (options.replayedId !== undefined) transport.swallowAnswerTo(options.replayedId);
  transport.oninputend = options.oninputend;
  server.onerror = (error) => app.logger.warn('stdio transport error', { error });
  await server.connect(transport);
  return {
    stopAccepting: () => calls.stopAccepting(),
    drained: (timeoutMs) => owed.idle(timeoutMs),
    cancel: () => calls.cancelAll('the server is shutting down'),
    close: async () => {
      await transport.flushed();
      await server.close();
      await app.close();
    },
  };
}
