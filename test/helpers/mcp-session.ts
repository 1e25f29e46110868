// Connects the MCP SDK's own Client to a server process (the built entry, or a container) over
// stdio, the way Claude Desktop or VS Code would. Shared by the e2e and container suites.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Readable } from 'node:stream';

export interface StdioSession {
  client: Client;
  /** Everything the server wrote to stderr so far (logs must go there, never to stdout). */
  stderr: () => string;
  close: () => Promise<void>;
}

export interface StdioLaunch {
  command: string;
  args?: string[];
  /** Full environment for the child; defaults to a minimal one (PATH and HOME only). */
  env?: Record<string, string>;
  cwd?: string;
  /** A client of the caller's own (capabilities, request handlers set); a plain one otherwise. */
  client?: Client;
}

export function minimalEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'CONTAINERS_CONF']) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return { ...env, ...extra };
}

export async function connectStdio(launch: StdioLaunch): Promise<StdioSession> {
  const transport = new StdioClientTransport({
    command: launch.command,
    args: launch.args ?? [],
    env: launch.env ?? minimalEnv(),
    cwd: launch.cwd,
    stderr: 'pipe',
  });
  let stderrText = '';
  const stream = transport.stderr as Readable | null;
  stream?.on('data', (chunk: Buffer) => {
    stderrText += chunk.toString('utf8');
  });
  const client = launch.client ?? new Client({ name: 'dockerhub-mcp-e2e', version: '1.0.0' });
  await client.connect(transport);
  return {
    client,
    stderr: () => stderrText,
    close: async () => {
      await client.close();
    },
  };
}
