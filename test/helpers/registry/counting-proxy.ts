// An HTTP proxy on loopback in front of a registry (or any upstream URL) that records every request,
// so tests can assert request economy: how many requests, of which kind, and how many sequential
// round trips. It streams bodies both ways, rewrites Host, and rewrites Location / Link /
// WWW-Authenticate values that point at the upstream so clients stay on the proxy. Optional:
// a fixed delay per request (round-trip benches), fault injection, and an `intercept` hook that
// answers some requests itself (the paging proxy is built on it).
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { requestHeaders, responseHeaders } from '../proxy-headers.js';

export interface RecordedRequest {
  /** Position since the last reset(), from 0. */
  index: number;
  method: string;
  /** Path and query as the client sent them. */
  path: string;
  /** Coarse kind of registry request; see requestKind(). */
  kind: RequestKind;
  /** Response status; 0 when the connection was reset or the upstream failed before headers. */
  status: number;
  /** performance.now() milliseconds when the request arrived / when its response was finished. */
  startedAt: number;
  endedAt: number;
  /** Request body bytes received from the client / response body bytes sent to it. */
  bytesIn: number;
  bytesOut: number;
  /** Whether the request carried an Authorization header, and its scheme. */
  authScheme: string | null;
}

export type RequestKind = 'ping' | 'manifest' | 'blob' | 'upload' | 'tags' | 'catalog' | 'referrers' | 'token' | 'other';

/** Classifies a registry API path: /v2/ → ping, /v2/<name>/manifests/<ref> → manifest, and so on. */
export function requestKind(path: string): RequestKind {
  const p = path.split('?')[0] ?? '';
  if (p === '/v2/' || p === '/v2') return 'ping';
  if (p === '/v2/_catalog') return 'catalog';
  if (/^\/v2\/.+\/manifests\/[^/]+$/.test(p)) return 'manifest';
  if (/^\/v2\/.+\/blobs\/uploads(\/|$)/.test(p)) return 'upload';
  if (/^\/v2\/.+\/blobs\/[^/]+$/.test(p)) return 'blob';
  if (/^\/v2\/.+\/tags\/list$/.test(p)) return 'tags';
  if (/^\/v2\/.+\/referrers\/[^/]+$/.test(p)) return 'referrers';
  if (/\/token$/.test(p)) return 'token';
  return 'other';
}

/** What the fault hook sees. */
export interface ProxiedRequestInfo {
  index: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

export interface FaultResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** 'pass' forwards; 'reset' destroys the client socket without an answer; an object is sent instead. */
export type FaultDecision = 'pass' | 'reset' | FaultResponse;

/** Answers a request itself (return true) or lets it be forwarded (return false). */
export type InterceptHandler = (req: IncomingMessage, res: ServerResponse, ctx: InterceptContext) => Promise<boolean>;

export interface InterceptContext {
  upstream: URL;
  /** The proxy's own origin, http://127.0.0.1:PORT */
  origin: string;
  /** Rewrites upstream URLs in a header value to the proxy. */
  rewrite(value: string): string;
}

export interface CountingProxyOptions {
  /** Upstream base URL, e.g. a RegistryHandle's url. */
  upstream: string;
  /** Delay added before each request is forwarded (or answered), in ms. */
  delayMs?: number;
  onRequest?: (req: ProxiedRequestInfo) => FaultDecision | Promise<FaultDecision>;
  intercept?: InterceptHandler;
}

export interface RequestFilter {
  method?: string;
  kind?: RequestKind;
  /** Substring or pattern matched against the path (with query). */
  path?: string | RegExp;
  status?: number;
}

export interface CountingProxyHandle {
  /** http://127.0.0.1:PORT: use it as the registry URL. */
  url: string;
  host: string;
  /** Finished requests since start or the last reset(), in arrival order. */
  readonly requests: readonly RecordedRequest[];
  /** Number of recorded requests matching the filter (all when omitted). */
  count(filter?: RequestFilter): number;
  /** Recorded requests matching the filter. */
  filter(filter: RequestFilter): RecordedRequest[];
  /** `METHOD path` lines, handy in assertion messages. */
  summary(): string[];
  /** Longest chain of requests each starting after the previous one ended = sequential round trips. */
  sequentialSteps(): number;
  /** The requests grouped into waves of overlapping intervals (a wave ends when every request in it has ended). */
  steps(): RecordedRequest[][];
  /** Total request / response body bytes. */
  bytes(): { in: number; out: number };
  reset(): void;
  /** Change the per-request delay or fault hook while running. */
  setDelay(ms: number): void;
  setFaultHook(hook: CountingProxyOptions['onRequest']): void;
  stop(): Promise<void>;
}

export function matches(r: RecordedRequest, f: RequestFilter): boolean {
  if (f.method && r.method !== f.method.toUpperCase()) return false;
  if (f.kind && r.kind !== f.kind) return false;
  if (f.status !== undefined && r.status !== f.status) return false;
  if (f.path !== undefined) {
    if (typeof f.path === 'string' ? !r.path.includes(f.path) : !f.path.test(r.path)) return false;
  }
  return true;
}

/** Longest chain r1, r2, ... with r(i).endedAt <= r(i+1).startedAt. */
export function longestSequentialChain(requests: readonly RecordedRequest[]): number {
  const byEnd = [...requests].sort((a, b) => a.endedAt - b.endedAt);
  const byStart = [...requests].sort((a, b) => a.startedAt - b.startedAt);
  const chain = new Map<RecordedRequest, number>();
  let best = 0;
  let j = 0;
  let bestEnded = 0; // longest chain among requests that ended before the current start
  for (const r of byStart) {
    while (j < byEnd.length && byEnd[j]!.endedAt <= r.startedAt) {
      bestEnded = Math.max(bestEnded, chain.get(byEnd[j]!) ?? 0);
      j++;
    }
    const len = bestEnded + 1;
    chain.set(r, len);
    best = Math.max(best, len);
  }
  return best;
}

/** Groups requests into waves: a request joins the current wave if it starts before every request in it has ended. */
export function overlapSteps(requests: readonly RecordedRequest[]): RecordedRequest[][] {
  const sorted = [...requests].sort((a, b) => a.startedAt - b.startedAt);
  const waves: RecordedRequest[][] = [];
  let waveEnd = -Infinity;
  for (const r of sorted) {
    const last = waves[waves.length - 1];
    if (last && r.startedAt < waveEnd) {
      last.push(r);
      waveEnd = Math.max(waveEnd, r.endedAt);
    } else {
      waves.push([r]);
      waveEnd = r.endedAt;
    }
  }
  return waves;
}

export async function startCountingProxy(opts: CountingProxyOptions): Promise<CountingProxyHandle> {
  const upstream = new URL(opts.upstream);
  const upstreamOrigin = upstream.origin;
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let delayMs = opts.delayMs ?? 0;
  let onRequest = opts.onRequest;
  let records: RecordedRequest[] = [];
  let nextIndex = 0;
  let origin = '';
  const sockets = new Set<Socket>();

  const rewrite = (value: string): string => value.split(upstreamOrigin).join(origin);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = req.url ?? '/';
    const record: RecordedRequest = {
      index: nextIndex++,
      method: req.method ?? 'GET',
      path,
      kind: requestKind(path),
      status: 0,
      startedAt: performance.now(),
      endedAt: 0,
      bytesIn: 0,
      bytesOut: 0,
      authScheme: req.headers.authorization?.split(' ')[0] ?? null,
    };
    const generation = records;
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      record.endedAt = performance.now();
      record.status = res.headersSent ? res.statusCode : 0;
      if (generation === records) records.push(record);
    };
    req.on('data', (chunk: Buffer) => {
      record.bytesIn += chunk.length;
    });
    // Adding a 'data' listener starts the flow; hold the body until it is piped upstream, or an
    // awaited fault hook would let it drain into nowhere.
    req.pause();
    const write = res.write.bind(res) as (chunk: unknown, ...rest: unknown[]) => boolean;
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (typeof chunk === 'string' || Buffer.isBuffer(chunk)) record.bytesOut += Buffer.byteLength(chunk);
      return write(chunk, ...rest);
    }) as ServerResponse['write'];
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.end = ((...args: unknown[]) => {
      const chunk = args[0];
      if (typeof chunk === 'string' || Buffer.isBuffer(chunk)) record.bytesOut += Buffer.byteLength(chunk);
      return end(...args);
    }) as ServerResponse['end'];
    res.once('finish', finish);
    res.once('close', finish);

    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    if (onRequest) {
      const decision = await onRequest({ index: record.index, method: record.method, path, headers: req.headers });
      if (decision === 'reset') {
        req.socket.destroy();
        finish();
        return;
      }
      if (decision !== 'pass') {
        req.resume();
        res.writeHead(decision.status, decision.headers ?? {});
        res.end(decision.body ?? '');
        return;
      }
    }
    if (opts.intercept && (await opts.intercept(req, res, { upstream, origin, rewrite }))) return;

    const headers = requestHeaders(req.headers, upstream.host);
    const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
    const upstreamReq = httpRequest(
      { protocol: upstream.protocol, hostname: upstream.hostname, port: upstream.port, method: record.method, path, headers, agent },
      (upstreamRes) => {
        const out = responseHeaders(upstreamRes.headers, rewrite);
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, out);
        upstreamRes.pipe(res);
        upstreamRes.once('error', () => res.destroy());
      },
    );
    upstreamReq.once('error', (err) => {
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`counting proxy: upstream error: ${err.message}`);
      } else res.destroy();
    });
    req.once('aborted', () => upstreamReq.destroy());
    if (hasBody) req.pipe(upstreamReq);
    else {
      req.resume();
      upstreamReq.end();
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`counting proxy: ${String(err)}`);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;

  const ordered = (): RecordedRequest[] => [...records].sort((a, b) => a.index - b.index);
  const select = (f?: RequestFilter): RecordedRequest[] => (f ? ordered().filter((r) => matches(r, f)) : ordered());
  return {
    url: origin,
    host: `127.0.0.1:${port}`,
    get requests() {
      return [...records].sort((a, b) => a.index - b.index);
    },
    count: (f) => select(f).length,
    filter: (f) => select(f),
    summary: () => ordered().map((r) => `${r.method} ${r.path} -> ${r.status}`),
    sequentialSteps: () => longestSequentialChain(records),
    steps: () => overlapSteps(records),
    bytes: () => ({ in: records.reduce((n, r) => n + r.bytesIn, 0), out: records.reduce((n, r) => n + r.bytesOut, 0) }),
    reset: () => {
      records = [];
      nextIndex = 0;
    },
    setDelay: (ms) => {
      delayMs = ms;
    },
    setFaultHook: (hook) => {
      onRequest = hook;
    },
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
