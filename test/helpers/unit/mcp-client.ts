// An SDK Client connected in-process (InMemoryTransport) to the server factory every transport
// uses, for unit tests of MCP methods beyond tools: prompts, resources, completion. Upstream
// requests go wherever the AppContext sends them (msw in unit tests).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { AppContext } from '../../../src/context.js';
import { createMcpServer } from '../../../src/server/create-server.js';
import { RunningCalls } from '../../../src/server/running-calls.js';

export interface InProcessSession {
  client: Client;
  close(): Promise<void>;
}

export async function connectInProcess(app: AppContext): Promise<InProcessSession> {
  const server = createMcpServer(app, new RunningCalls());
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'dockerhub-mcp-unit', version: '1.0.0' });
  await client.connect(clientSide);
  return {
    client,
    close: async () => {
      await client.close();
      await server.close();
    },
  };
}
