// A fault-injecting HTTP proxy on loopback for the hostile suites. It forwards to one upstream (a
// registry, a fake Hub) and, per request, a fault plan decides what the client gets instead: a
// canned status (429 with Retry-After, 503), a reset before headers, headers delayed past the
// client's timeout, a body cut mid-stream (reset, or a clean but short body), or one flipped byte.
// Location / Link / WWW-Authenticate values naming the upstream are rewritten to the proxy, as the
// counting proxy does, so clients stay on it. Every request and every injected fault is counted.
import { Agent, createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { requestHeaders, responseHeaders } from '../proxy-headers.js';

export type Fault =
  | { kind: 'pass' }
  /** Answer with this status, headers and body without asking the upstream. */
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  /** Destroy the client socket before any answer. */
  | { kind: 'reset' }
  /** Wait this long before forwarding (the client's header timeout should fire first). */
  | { kind: 'slow-headers'; delayMs: number }
  /** Forward headers and the first `afterBytes` body bytes, then destroy the socket. */
  | { kind: 'reset-mid-body'; afterBytes?: number }
  /** Forward headers without Content-Length and a body cut to `keepBytes`, ended cleanly (chunked). */
  | { kind: 'short-body'; keepBytes?: number }
  /** Forward the whole body with one byte XOR-ed (headers, Content-Length and digest header kept). */
  | { kind: 'flip'; offset?: number };

export type FaultKind = Fault['kind'];

export interface ChaosRequest {
  /** Arrival order since start, from 0. */
  index: number;
  method: string;
  path: string;
  /** How many earlier requests had the same method and path (0 for the first). */
  seen: number;
}

export type FaultPlan = (req: ChaosRequest) => Fault;

export interface ChaosStats {
  requests: number;
  faults: Partial<Record<Exclude<FaultKind, 'pass'>, number>>;
  faultsTotal: number;
}

export interface ChaosProxy {
  /** http://127.0.0.1:PORT */
  url: string;
  /** 127.0.0.1:PORT */
  host: string;
  setPlan(plan: FaultPlan | undefined): void;
  /** Counters since start (never reset: suites print totals). */
  stats(): ChaosStats;
  /** Forgets the per-path `seen` counts, so "first hit per path" plans start over. */
  resetSeen(): void;
  stop(): Promise<void>;
}

const PASS: Fault = { kind: 'pass' };

export async function startChaosProxy(upstreamUrl: string, plan?: FaultPlan): Promise<ChaosProxy> {
  const upstream = new URL(upstreamUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const sockets = new Set<Socket>();
  const seen = new Map<string, number>();
  const stats: ChaosStats = { requests: 0, faults: {}, faultsTotal: 0 };
  let current = plan;
  let origin = '';
  let index = 0;

  const rewrite = (value: string): string => value.split(upstream.origin).join(origin);
  const count = (kind: FaultKind): void => {
    if (kind === 'pass') return;
    stats.faults[kind] = (stats.faults[kind] ?? 0) + 1;
    stats.faultsTotal++;
  };

  const forward = (req: IncomingMessage, res: ServerResponse, fault: Fault): void => {
    const headers = requestHeaders(req.headers, upstream.host);
    const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
    const method = req.method ?? 'GET';
    const upstreamReq = httpRequest(
      { hostname: upstream.hostname, port: upstream.port, method, path: req.url ?? '/', headers, agent },
      (upstreamRes) => {
        const out = responseHeaders(upstreamRes.headers, rewrite);
        const status = upstreamRes.statusCode ?? 502;
        const bodyFault =
          method !== 'HEAD' &&
          status !== 204 &&
          status !== 304 &&
          (fault.kind === 'reset-mid-body' || fault.kind === 'short-body' || fault.kind === 'flip');
        if (!bodyFault) {
          res.writeHead(status, out);
          upstreamRes.pipe(res);
          upstreamRes.once('error', () => res.destroy());
          return;
        }
        const chunks: Buffer[] = [];
        upstreamRes.on('data', (chunk: Buffer) => chunks.push(chunk));
        upstreamRes.once('error', () => res.destroy());
        upstreamRes.once('end', () => {
          const body = Buffer.concat(chunks);
          if (body.length === 0) {
            // Nothing to corrupt: a plain answer (the fault is not counted as injected).
            res.writeHead(status, out);
            res.end();
            return;
          }
          count(fault.kind);
          if (fault.kind === 'flip') {
            const at = Math.min(fault.offset ?? Math.floor(body.length / 2), body.length - 1);
            body[at] = body[at]! ^ 0x01;
            res.writeHead(status, { ...out, 'content-length': String(body.length) });
            res.end(body);
          } else if (fault.kind === 'short-body') {
            delete out['content-length'];
            res.writeHead(status, out);
            res.end(body.subarray(0, Math.min(fault.keepBytes ?? Math.floor(body.length / 2), body.length - 1)));
          } else {
            res.writeHead(status, { ...out, 'content-length': String(body.length) });
            res.write(
              body.subarray(0, Math.min((fault as { afterBytes?: number }).afterBytes ?? Math.floor(body.length / 2), body.length - 1)),
            );
            // Let the partial body reach the client, then cut the connection.
            setTimeout(() => res.socket?.destroy(), 20);
          }
        });
      },
    );
    upstreamReq.once('error', (err) => {
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`chaos proxy: upstream error: ${err.message}`);
      } else res.destroy();
    });
    res.once('close', () => {
      if (!res.writableFinished) upstreamReq.destroy();
    });
    if (hasBody) req.pipe(upstreamReq);
    else {
      req.resume();
      upstreamReq.end();
    }
  };

  const server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const key = `${method} ${path}`;
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    stats.requests++;
    const fault = current ? current({ index: index++, method, path, seen: n }) : PASS;
    switch (fault.kind) {
      case 'status':
        count('status');
        req.resume();
        res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
        res.end(
          fault.body ??
            JSON.stringify({ errors: [{ code: 'CHAOS', message: `injected ${fault.status}` }], detail: `injected ${fault.status}` }),
        );
        return;
      case 'reset':
        count('reset');
        req.socket.destroy();
        return;
      case 'slow-headers': {
        count('slow-headers');
        const timer = setTimeout(() => {
          if (!res.destroyed && !req.socket.destroyed) forward(req, res, PASS);
        }, fault.delayMs);
        res.once('close', () => clearTimeout(timer));
        return;
      }
      default:
        forward(req, res, fault);
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  return {
    url: origin,
    host: `127.0.0.1:${port}`,
    setPlan: (next) => {
      current = next;
    },
    stats: () => ({ ...stats, faults: { ...stats.faults } }),
    resetSeen: () => seen.clear(),
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
