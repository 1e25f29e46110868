// The one seam every upstream request goes through: globalThis.fetch, looked up at call time (so
// msw can intercept it in unit tests), with an undici Agent as dispatcher for a keep-alive pool
// and connect / headers / body timeouts. Node's fetch accepts an undici 7 Agent as dispatcher.
import { Agent } from 'undici';

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

export function createFetcher(options: FetcherOptions): PooledFetcher {
  const agent = new Agent({
    connect: { timeout: Math.min(options.timeoutMs, 10_000) },
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    keepAliveTimeout: 30_000,
    connections: options.connections ?? 16,
  });
  return {
    fetch: (url, init) => globalThis.fetch(url, { ...init, dispatcher: agent } as unknown as RequestInit),
    close: () => agent.close(),
  };
}
