// Calling hub_registry in-process, as integration tests do: one tool instance, a fresh signal,
// the server's default caps, and readers for the envelope's data or error.
import type { AppContext } from '../../src/context.js';
import { silentLogger } from '../../src/log.js';
import { callTool, type CallResult } from '../../src/tools/framework.js';
import { createHubRegistryTool } from '../../src/tools/hub-registry.js';
import { checkedOutput } from './output-check.js';

const tool = createHubRegistryTool();

export async function callRegistryTool(app: AppContext, args: Record<string, unknown>): Promise<CallResult> {
  const result = await callTool(tool, args, {
    ctx: { app, signal: new AbortController().signal, log: silentLogger, progress: async () => undefined },
    config: app.config,
    caps: { maxBytes: 200_000, maxItems: 500 },
  });
  return checkedOutput(tool.name, result);
}

/** The result's data; a tool error fails the test with its body. */
export function dataOf<T = Record<string, unknown>>(result: CallResult): T {
  if (result.isError) throw new Error(`tool error: ${JSON.stringify(result.structuredContent)}`);
  return (result.structuredContent as { data: T }).data;
}
