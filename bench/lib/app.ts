// The server's registry tool, in-process, with credentials in a throwaway docker config: the
// same code path a tool call takes, without the MCP framing (measured separately in server.bench).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { createAppContext, type AppContext } from '../../src/context.js';
import { silentLogger } from '../../src/log.js';
import { callTool, type CallResult } from '../../src/tools/framework.js';
import { buildTools } from '../../src/tools/catalog.js';

export function benchApp(auths: Record<string, { user: string; password: string }> = {}, env: Record<string, string> = {}): AppContext {
  const dir = mkdtempSync(join(tmpdir(), 'bench-dockercfg-'));
  const entries = Object.fromEntries(
    Object.entries(auths).map(([host, a]) => [host, { auth: Buffer.from(`${a.user}:${a.password}`).toString('base64') }]),
  );
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: entries }));
  const outcome = loadConfig({
    argv: [],
    env: { HOME: dir, DOCKER_CONFIG: dir, LOG_LEVEL: 'silent', DOCKERHUB_ALLOW_DESTRUCTIVE: 'true', ...env },
  });
  if (outcome.kind !== 'config') throw new Error('config');
  return createAppContext(outcome.config, silentLogger, 'bench');
}

export async function registryCall(
  app: AppContext,
  args: Record<string, unknown>,
  progress?: (done: number, total?: number) => void,
): Promise<CallResult> {
  const tool = buildTools(['hub_registry'])[0];
  if (!tool) throw new Error('hub_registry is not built');
  const result = await callTool(tool, args, {
    ctx: { app, signal: new AbortController().signal, log: silentLogger, progress: async (done, total) => progress?.(done, total) },
    config: app.config,
    caps: { maxBytes: 1_000_000, maxItems: 100_000 },
  });
  if (result.isError) throw new Error(`hub_registry ${String(args.action)} failed: ${JSON.stringify(result.structuredContent)}`);
  return result;
}
