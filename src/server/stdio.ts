// MCP over stdin/stdout: the transport owns stdout. When the client closes stdin, or on SIGINT /
// SIGTERM, new calls are refused, running ones finish within the grace period, their answers are
// written and flushed, and the process exits 0.
import type { AppContext } from '../context.js';
import { createMcpServer } from './create-server.js';
import { InFlight } from './in-flight.js';
import { LineTransport } from './line-transport.js';
import { RunningCalls } from './running-calls.js';
import { onShutdown } from './shutdown.js';

export async function serveStdio(app: AppContext): Promise<void> {
  const calls = new RunningCalls();
  const owed = new InFlight();
  const server = createMcpServer(app, calls);
  const transport = new LineTransport(process.stdin, process.stdout, owed);
  // Signal handlers first: anything that sees the "serving" line may send SIGTERM right away.
  const stop = onShutdown(app.logger, app.config.shutdownGraceSeconds * 1000, {
    stopAccepting: () => calls.stopAccepting(),
    drained: (timeoutMs) => owed.idle(timeoutMs),
    cancel: () => calls.cancelAll('the server is shutting down'),
    close: async () => {
      await transport.flushed();
      await server.close();
      await app.close();
    },
  });
  transport.oninputend = () => stop('stdin closed');
  server.onerror = (error) => app.logger.warn('stdio transport error', { error });
  await server.connect(transport);
  app.logger.info('serving MCP over stdio', { version: app.version, tools: app.config.enabledTools });
}
