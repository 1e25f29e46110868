// Builds what unit tests need around the code under test: a config from a plain env map, an
// AppContext whose upstream requests go through globalThis.fetch (so msw sees them), a silent
// logger, and a ToolContext for calling tools directly.
import { loadConfig, type Config } from '../../../src/config.js';
import { createAppContext, type AppContext } from '../../../src/context.js';
import type { PooledFetcher } from '../../../src/http/fetch.js';
import { silentLogger, type Logger } from '../../../src/log.js';
import type { ToolContext } from '../../../src/tools/framework.js';

export const HUB_URL = 'https://hub.test';

/** A Config built the way main builds it, with test upstream URLs unless overridden. */
export function testConfig(env: Record<string, string> = {}, argv: string[] = []): Config {
  const outcome = loadConfig({ argv, env: { HOME: '/home/tester', DOCKERHUB_URL: HUB_URL, ...env } });
  if (outcome.kind !== 'config') throw new Error(`expected a config, got ${outcome.kind}`);
  return outcome.config;
}

/** A fetcher msw intercepts: the global fetch, looked up at call time, no pool. */
export const mswFetcher: PooledFetcher = {
  fetch: (url, init) => globalThis.fetch(url, init),
  close: async () => undefined,
};

export function testApp(config: Config = testConfig(), logger: Logger = silentLogger): AppContext {
  return createAppContext(config, logger, '9.9.9-test', mswFetcher);
}

export function toolCtx<App>(app: App, signal: AbortSignal = new AbortController().signal): ToolContext<App> {
  return { app, signal, log: silentLogger, progress: async () => undefined };
}
