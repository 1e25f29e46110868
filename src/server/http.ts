// MCP over streamable HTTP at /mcp, closed by default: loopback bind, Host / Origin allow-lists,
// optional bearer token, body cap, session cap with idle expiry, `GET /healthz` for probes.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { AppContext } from '../context.js';
import { createMcpServer } from './create-server.js';
import { bearerMatches, BodyTooLarge, hostAllowed, originAllowed, readBody } from './http-guards.js';
import { InFlight } from './in-flight.js';

interface Session {
  server: Server;
  transport: StreamableHTTPServerTransport;
  lastSeen: number;
}

export interface HttpHandle {
  server: HttpServer;
  url: string;
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** A JSON-RPC error body, as MCP clients expect from the /mcp endpoint. */
function rpcError(res: ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { jsonrpc: '2.0', error: { code, message }, id: null }, headers);
}

function hasInitialize(body: unknown): boolean {
  return Array.isArray(body) ? body.some((message) => isInitializeRequest(message)) : isInitializeRequest(body);
}

export async function startHttp(app: AppContext): Promise<HttpHandle> {
  const { config, logger } = app;
  const inFlight = new InFlight();
  const sessions = new Map<string, Session>();
  const idleMs = config.sessionIdleSeconds * 1000;
  let closing = false;

  const closeSession = async (id: string, reason: string): Promise<void> => {
    const session = sessions.get(id);
    if (!session) return;
    sessions.delete(id);
    logger.debug('closing session', { session: id.slice(0, 8), reason });
    await session.transport.close().catch(() => undefined);
    await session.server.close().catch(() => undefined);
  };

  const sweep = (): void => {
    const now = Date.now();
    for (const [id, session] of sessions) {
      if (now - session.lastSeen > idleMs) void closeSession(id, 'idle');
    }
  };
  const sweeper = setInterval(sweep, Math.min(60_000, Math.max(1_000, idleMs / 4)));
  sweeper.unref();

  const handleMcp = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    const sessionId = typeof req.headers['mcp-session-id'] === 'string' ? req.headers['mcp-session-id'] : undefined;

    let body: unknown;
    if (method === 'POST') {
      let raw: Buffer;
      try {
        raw = await readBody(req, config.maxBodyBytes);
      } catch (error) {
        if (error instanceof BodyTooLarge) {
          rpcError(res, 413, -32600, `Request body too large (limit ${config.maxBodyBytes} bytes)`, { connection: 'close' });
          req.resume();
          return;
        }
        throw error;
      }
      try {
        body = JSON.parse(raw.toString('utf8')) as unknown;
      } catch {
        rpcError(res, 400, -32700, 'Parse error: the body is not valid JSON');
        return;
      }
    }

    if (config.stateless) {
      if (method !== 'POST') {
        rpcError(res, 405, -32000, 'Method not allowed: this server is stateless (POST only)', { allow: 'POST' });
        return;
      }
      const server = createMcpServer(app, inFlight);
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      res.on('close', () => {
        void transport.close().catch(() => undefined);
        void server.close().catch(() => undefined);
      });
      await server.connect(transport);
      await transport.handleRequest(req, res, body);
      return;
    }

    if (sessionId !== undefined) {
      const session = sessions.get(sessionId);
      if (!session) {
        rpcError(res, 404, -32001, 'Session not found: it expired or was closed; initialize a new one');
        return;
      }
      session.lastSeen = Date.now();
      await session.transport.handleRequest(req, res, body);
      return;
    }

    if (method !== 'POST' || !hasInitialize(body)) {
      rpcError(res, 400, -32000, 'Bad Request: no valid session ID; send initialize first');
      return;
    }
    if (closing) {
      rpcError(res, 503, -32000, 'Server is shutting down');
      return;
    }
    if (sessions.size >= config.maxSessions) sweep();
    if (sessions.size >= config.maxSessions) {
      logger.warn('session cap reached', { max_sessions: config.maxSessions });
      rpcError(res, 503, -32000, `Too many open sessions (limit ${config.maxSessions}); close one or retry later`, { 'retry-after': '30' });
      return;
    }

    const server = createMcpServer(app, inFlight);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, { server, transport, lastSeen: Date.now() });
      },
      onsessionclosed: (id) => {
        void closeSession(id, 'client closed');
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
      sendJson(res, closing ? 503 : 200, {
        status: closing ? 'shutting_down' : 'ok',
        name: 'dockerhub-mcp',
        version: app.version,
        sessions: sessions.size,
      });
      return;
    }
    if (path !== '/mcp') {
      sendJson(res, 404, { error: 'not found; the MCP endpoint is /mcp' });
      return;
    }
    if (!hostAllowed(req.headers.host, config)) {
      logger.warn('refused request: Host not allowed', { host: req.headers.host?.slice(0, 100) });
      rpcError(res, 403, -32000, 'Forbidden: Host header not allowed (add it to MCP_ALLOWED_HOSTS)');
      return;
    }
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    if (!originAllowed(origin, config)) {
      logger.warn('refused request: Origin not allowed', { origin: origin?.slice(0, 100) });
      rpcError(res, 403, -32000, 'Forbidden: Origin not allowed (add it to MCP_ALLOWED_ORIGINS)');
      return;
    }
    if (config.mcpAuthToken !== undefined && !bearerMatches(req.headers.authorization, config.mcpAuthToken)) {
      rpcError(res, 401, -32001, 'Unauthorized: send Authorization: Bearer <MCP_AUTH_TOKEN>', {
        'www-authenticate': 'Bearer realm="dockerhub-mcp"',
      });
      return;
    }
    await handleMcp(req, res);
  };

  // Node checks headersTimeout only every connectionsCheckingInterval (30 s by default): check
  // each second so a slow-loris client is cut after ~10 s, not 30+.
  const httpServer = createServer({ connectionsCheckingInterval: 1_000 }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.error('HTTP request failed', { error });
      rpcError(res, 500, -32603, 'Internal error');
    });
  });
  // Slow clients cannot hold a socket forever: headers within 10 s, the whole request within 60 s.
  httpServer.headersTimeout = 10_000;
  httpServer.requestTimeout = 60_000;
  httpServer.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const address = httpServer.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${hostForUrl}:${address.port}/mcp`;

  return {
    server: httpServer,
    url,
    close: async () => {
      closing = true;
      clearInterval(sweeper);
      const stopped = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      await inFlight.idle(10_000);
      await Promise.all([...sessions.keys()].map((id) => closeSession(id, 'shutdown')));
      httpServer.closeAllConnections();
      await stopped;
    },
  };
}
