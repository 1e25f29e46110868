// The one seam every upstream request goes through: globalThis.fetch, looked up at call time (so
// msw can intercept it in unit tests), with an undici Agent as dispatcher for a keep-alive pool
// and connect / headers / body timeouts. Node's fetch accepts an undici 7 Agent as dispatcher.
import { Readable } from 'node:stream';
import type { Agent } from 'undici';
import { guardedConnector, type LookupAll } from './egress-connect.js';
import type { EgressPolicy } from './egress.js';

export type Fetcher = (url: string, init: RequestInit) => Promise<Response>;

export interface FetcherOptions {
  timeoutMs: number;
  /** Connections kept per origin. */
  connections?: number;
  /** Checked on every connection's resolved address (see egress.ts). */
  egress?: EgressPolicy;
  /** DNS resolution used under the egress check; injectable so tests can simulate rebinding. */
  resolveAll?: LookupAll;
}

export interface PooledFetcher {
  fetch: Fetcher;
  /**
   * Sends a request whose body is a stream. Node's fetch reads a request stream as fast as it
   * can produce, ignoring socket backpressure (a 256 MiB copy grew RSS by ~300 MiB here);
   * undici's request API honours it. Optional: without it (msw in unit tests) fetch is used.
   */
  upload?: Fetcher;
  close(): Promise<void>;
}

const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);

/** The pool is created on the first request: start-up (and tools/list) never pays for undici. */
export function createFetcher(options: FetcherOptions): PooledFetcher {
  let agent: Promise<Agent> | undefined;
  const pool = (): Promise<Agent> =>
    (agent ??= import('undici').then(({ Agent, buildConnector }) => {
      const timeout = Math.min(options.timeoutMs, 10_000);
      const egress = options.egress;
      const connect = egress ? guardedConnector(egress, (lookup) => buildConnector({ timeout, lookup }), options.resolveAll) : { timeout };
      return new Agent({
        connect,
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
        keepAliveTimeout: 30_000,
        connections: options.connections ?? 16,
      });
    }));
  return {
    fetch: async (url, init) => globalThis.fetch(url, { ...init, dispatcher: await pool() } as unknown as RequestInit),
    upload: async (url, init) => {
      const { request } = await import('undici');
      const method = (init.method ?? 'PUT').toUpperCase();
      const body =
        init.body instanceof ReadableStream
          ? Readable.fromWeb(init.body as import('node:stream/web').ReadableStream<Uint8Array>)
          : (init.body as string | Uint8Array | null | undefined);
      const answer = await request(url, {
        method: method as 'PUT',
        headers: Object.fromEntries(new Headers(init.headers).entries()),
        body: body ?? null,
        signal: init.signal ?? undefined,
        dispatcher: await pool(),
      });
      const headers = new Headers();
      for (const [name, value] of Object.entries(answer.headers)) {
        if (Array.isArray(value)) for (const item of value) headers.append(name, item);
        else if (value !== undefined) headers.set(name, value);
      }
      const empty = NULL_BODY_STATUS.has(answer.statusCode) || method === 'HEAD';
      if (empty) answer.body.resume();
      const webBody = empty ? null : (Readable.toWeb(answer.body) as unknown as ReadableStream<Uint8Array>);
      return new Response(webBody, { status: answer.statusCode, headers });
    },
    close: async () => {
      if (agent) await (await agent).close();
    },
  };
}
