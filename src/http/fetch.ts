// The one seam every upstream request goes through: globalThis.fetch, looked up at call time (so
// msw can intercept it in unit tests), with an undici Agent as dispatcher for a keep-alive pool
// and connect / headers / body timeouts. Node's fetch accepts an undici 7 Agent as dispatcher.
import { Readable } from 'node:stream';
import type { Agent } from 'undici';
import { warmAllocatorForBulk } from './allocator-warmup.js';
import { enterBulkTransfer } from './bulk-heap.js';
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

/** A request for the Node-stream path: bodies stay Node streams both ways. */
export interface StreamInit {
  method: string;
  headers: Headers;
  body?: string | Uint8Array | Readable;
  signal?: AbortSignal;
  /** Hand a 2xx answer's body back as the Node stream itself instead of inside the Response. */
  keepBody: boolean;
}

export interface StreamAnswer {
  /** Status and headers; the body too unless it is `body` below. */
  response: Response;
  /** The 2xx body as a Node stream (with `keepBody`); the caller must consume or destroy it. */
  body?: Readable;
}

export type StreamFetcher = (url: string, init: StreamInit) => Promise<StreamAnswer>;

export interface PooledFetcher {
  fetch: Fetcher;
  /**
   * Streamed bodies (blob copies): undici's request API on the same pool. Node's fetch reads a
   * request stream as fast as it can produce, ignoring socket backpressure (a 256 MiB copy grew
   * RSS by ~300 MiB here), and a web stream costs a promise per chunk each way; undici's request
   * honours backpressure and hands Node streams over as they are. Optional: without it (msw in
   * unit tests) fetch is used, with conversions.
   */
  streams?: StreamFetcher;
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
    streams: async (url, init) => {
      warmAllocatorForBulk();
      // Held until the answer's body closes (a download) or the request is answered (an upload).
      const leave = enterBulkTransfer();
      try {
        const answer = await streamRequest(url, init, await pool());
        if (answer.body) answer.body.once('close', leave);
        else leave();
        return answer;
      } catch (error) {
        leave();
        throw error;
      }
    },
    close: async () => {
      if (agent) await (await agent).close();
    },
  };
}

/** One request on undici's request API: Node-stream bodies both ways (see PooledFetcher.streams). */
async function streamRequest(url: string, init: StreamInit, dispatcher: Agent): Promise<StreamAnswer> {
  const { request } = await import('undici');
  const method = init.method.toUpperCase();
  const answer = await request(url, {
    method: method as 'PUT',
    headers: Object.fromEntries(init.headers.entries()),
    body: init.body ?? null,
    signal: init.signal,
    dispatcher,
  });
  const headers = new Headers();
  for (const [name, value] of Object.entries(answer.headers)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.set(name, value);
  }
  const status = answer.statusCode;
  if (NULL_BODY_STATUS.has(status) || method === 'HEAD') {
    answer.body.resume();
    return { response: new Response(null, { status, headers }) };
  }
  if (init.keepBody && status >= 200 && status < 300) return { response: new Response(null, { status, headers }), body: answer.body };
  return { response: new Response(Readable.toWeb(answer.body), { status, headers }) };
}
