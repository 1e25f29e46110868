// Calling hub_registry as the server does, with a fresh server context per test that wants a cold
// cache (the layer index cache lives with the registry client), and progress notifications kept.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { createAppContext, type AppContext } from '../../../src/context.js';
import { silentLogger } from '../../../src/log.js';
import { callTool, type CallResult } from '../../../src/tools/framework.js';
import { createHubRegistryTool } from '../../../src/tools/hub-registry.js';
import { checkedOutput } from '../output-check.js';

const tool = createHubRegistryTool();

export function imageApp(env: Record<string, string> = {}): AppContext {
  const dir = mkdtempSync(join(tmpdir(), 'image-insight-'));
  const outcome = loadConfig({ argv: [], env: { HOME: dir, DOCKER_CONFIG: dir, LOG_LEVEL: 'silent', ...env } });
  if (outcome.kind !== 'config') throw new Error('config');
  return createAppContext(outcome.config, silentLogger, 'test');
}

export interface Progress {
  progress: number;
  total?: number;
  message?: string;
}

export async function callImage(app: AppContext, args: Record<string, unknown>, progress: Progress[] = []): Promise<CallResult> {
  const result = await callTool(tool, args, {
    ctx: {
      app,
      signal: new AbortController().signal,
      log: silentLogger,
      progress: async (p, total, message) => {
        progress.push({ progress: p, ...(total !== undefined ? { total } : {}), ...(message !== undefined ? { message } : {}) });
      },
    },
    config: app.config,
    caps: { maxBytes: 1_000_000, maxItems: 5000 },
  });
  return checkedOutput(tool.name, result);
}

export function dataOf<T = Record<string, unknown>>(result: CallResult): T {
  if (result.isError) throw new Error(`tool error: ${JSON.stringify(result.structuredContent)}`);
  return (result.structuredContent as { data: T }).data;
}

export function errorOf(result: CallResult): { type: string; message: string; hint?: string } {
  expect(result.isError, JSON.stringify(result.structuredContent)).toBe(true);
  return (result.structuredContent as { error: { type: string; message: string; hint?: string } }).error;
}
