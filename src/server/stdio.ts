// MCP over stdin/stdout: the transport owns stdout; the process exits 0 when the client closes
// stdin or on SIGINT / SIGTERM, after in-flight calls finish (bounded by a grace period).
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { AppContext } from '../context.js';
import { createMcpServer } from './create-server.js';
import { InFlight } from './in-flight.js';
import { onShutdown } from './shutdown.js';

export async function serveStdio(app: AppContext): Promise<void> {
  const inFlight = new InFlight();
  const server = createMcpServer(app, inFlight);
  const transport = new StdioServerTransport();
  // Signal handlers first: anything that sees the "serving" line may send SIGTERM right away.
  const stop = onShutdown(app.logger, async () => {
    await inFlight.idle(10_000);
    await server.close();
    await app.close();
  });
  process.stdin.once('end', () => stop('stdin closed'));
  await server.connect(transport);
  app.logger.info('serving MCP over stdio', { version: app.version, tools: app.config.enabledTools });
}
