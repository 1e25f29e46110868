// The one seam every upstream request goes through: globalThis.fetch, looked up at call time (so
// msw can intercept it in unit tests), with an undici Agent as dispatcher for a keep-alive pool
// and connect / headers / body timeouts. Node's fetch accepts an undici 7 Agent as dispatcher.
import type { Agent } from 'undici';

export type Fetcher = (url: string, init: RequestInit) => Promise<Response>;

export interface FetcherOptions {
  timeoutMs: number;
  /** Connections kept per origin. */
  connections?: number;
}

export interface PooledFetcher {
  fetch: Fetcher;
  close(): Promise<void>;
}

/** The pool is created on the first request: start-up (and tools/list) never pays for undici. */
export function createFetcher(options: FetcherOptions): PooledFetcher {
  let agent: Promise<Agent> | undefined;
  const pool = (): Promise<Agent> =>
    (agent ??= import('undici').then(
      ({ Agent }) =>
        new Agent({
          connect: { timeout: Math.min(options.timeoutMs, 10_000) },
          headersTimeout: options.timeoutMs,
          bodyTimeout: options.timeoutMs,
          keepAliveTimeout: 30_000,
          connections: options.connections ?? 16,
        }),
    ));
  return {
    fetch: async (url, init) => globalThis.fetch(url, { ...init, dispatcher: await pool() } as unknown as RequestInit),
    close: async () => {
      if (agent) await (await agent).close();
    },
  };
}
