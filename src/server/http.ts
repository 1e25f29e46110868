// MCP over streamable HTTP at /mcp, closed by default: loopback bind, Host / Origin allow-lists,
// optional bearer token, body cap, session cap with idle expiry and LRU replacement, `GET /healthz`
// for probes. A shutdown answers new requests 503 while in-flight exchanges finish and are sent.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { AppContext } from '../context.js';
import { createMcpServer } from './create-server.js';
import { bearerMatches, BodyTooLarge, hostAllowed, originAllowed, readBody } from './http-guards.js';
import { InFlight } from './in-flight.js';
import { createOAuthGuard, type OAuthGuard } from './oauth/resource.js';
import { RunningCalls } from './running-calls.js';
import { SessionTable } from './sessions.js';
import type { ShutdownSteps } from './shutdown.js';

interface Session {
  server: Server;
  transport: StreamableHTTPServerTransport;
  /** The OAuth client and subject that opened it: another token cannot use its id. */
  owner: string | undefined;
}

type AuthedRequest = IncomingMessage & { auth?: AuthInfo };

function ownerOf(req: AuthedRequest): string | undefined {
  return req.auth ? JSON.stringify([req.auth.clientId, req.auth.extra?.subject ?? null]) : undefined;
}

export interface HttpHandle extends ShutdownSteps {
  server: HttpServer;
  url: string;
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

/** True when the body holds a JSON-RPC request (not only responses and notifications). */
function hasRequest(body: unknown): boolean {
  const isRequest = (message: unknown): boolean =>
    typeof message === 'object' && message !== null && 'method' in message && 'id' in message;
  return Array.isArray(body) ? body.some(isRequest) : isRequest(body);
}

function hasInitialize(body: unknown): boolean {
  return Array.isArray(body) ? body.some((message) => isInitializeRequest(message)) : isInitializeRequest(body);
}

export async function startHttp(app: AppContext): Promise<HttpHandle> {
  const { config, logger } = app;
  const calls = new RunningCalls();
  /** POST exchanges whose response has not ended: the answers a shutdown waits for. */
  const exchanges = new InFlight();
  const idleMs = config.sessionIdleSeconds * 1000;
  const sessions = new SessionTable<Session>(config.maxSessions, idleMs);
  let closing = false;

  const closeSession = async (id: string, reason: string): Promise<void> => {
    const entry = sessions.delete(id);
    if (!entry) return;
    logger.debug('closing session', { session: id.slice(0, 8), reason });
    await entry.value.transport.close().catch(() => undefined);
    await entry.value.server.close().catch(() => undefined);
  };

  const sweep = (): void => {
    for (const id of sessions.expired()) void closeSession(id, 'idle');
  };
  const sweeper = setInterval(sweep, Math.min(60_000, Math.max(1_000, idleMs / 4)));
  sweeper.unref();

  const handleMcp = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    const sessionId = typeof req.headers['mcp-session-id'] === 'string' ? req.headers['mcp-session-id'] : undefined;

    // Draining: nothing new starts; a balancer retries elsewhere. Only POSTs carrying no request
    // (a client's answer to an elicitation, a cancellation) still reach a running call's session.
    const refuseWhileClosing = (): boolean => {
      if (!closing) return false;
      rpcError(res, 503, -32000, 'Server is shutting down; retry on another instance', { connection: 'close', 'retry-after': '5' });
      return true;
    };
    if (method !== 'POST' && refuseWhileClosing()) return;
    if (method === 'POST') res.once('close', exchanges.hold());

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
      if ((sessionId === undefined || hasRequest(body)) && refuseWhileClosing()) return;
    }

    if (config.stateless) {
      if (method !== 'POST') {
        rpcError(res, 405, -32000, 'Method not allowed: this server is stateless (POST only)', { allow: 'POST' });
        return;
      }
      const server = createMcpServer(app, calls);
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
      // A session belongs to who opened it; for anyone else it does not exist.
      if (!session || session.value.owner !== ownerOf(req)) {
        rpcError(res, 404, -32001, 'Session not found: it expired or was closed; initialize a new one');
        return;
      }
      if (method === 'POST') res.once('close', sessions.begin(sessionId));
      else session.lastSeen = Date.now();
      await session.value.transport.handleRequest(req, res, body);
      return;
    }

    if (method !== 'POST' || !hasInitialize(body)) {
      rpcError(res, 400, -32000, 'Bad Request: no valid session ID; send initialize first');
      return;
    }
    sweep();
    // At the cap, the least recently used idle session makes room; closing it removes it from
    // the table at once, so this loop ends unless parallel initializes take the room first.
    for (let admission = sessions.admit(); admission.kind !== 'room'; admission = sessions.admit()) {
      if (admission.kind === 'full') {
        logger.warn('session cap reached with every session busy', { max_sessions: config.maxSessions });
        rpcError(res, 503, -32000, `Too many busy sessions (limit ${config.maxSessions}); retry later`, { 'retry-after': '5' });
        return;
      }
      await closeSession(admission.id, 'least recently used at the session cap');
    }

    sessions.reserve();
    let reserved = true;
    const unreserve = (): void => {
      if (reserved) sessions.release();
      reserved = false;
    };
    try {
      const server = createMcpServer(app, calls);
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => {
          unreserve();
          sessions.add(id, { server, transport, owner: ownerOf(req) });
          // Busy until its initialize answer is sent, so a parallel initialize cannot replace it first.
          res.once('close', sessions.begin(id));
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
    } finally {
      unreserve();
    }
  };

  // Built once the port is known: the default resource URL names it.
  let oauth: OAuthGuard | undefined;
  let hostConfig: Pick<typeof config, 'allowedHosts' | 'host'> = config;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (oauth?.resource.metadataPaths.has(path) && req.method === 'OPTIONS') {
      // A browser client's discovery sends MCP-Protocol-Version, so it asks first.
      res.writeHead(204, {
        'access-control-allow-origin': '*',
        'access-control-allow-methods': 'GET, HEAD, OPTIONS',
        'access-control-allow-headers': 'mcp-protocol-version',
        'access-control-max-age': '600',
      });
      res.end();
      return;
    }
    if (oauth?.resource.metadataPaths.has(path) && (req.method === 'GET' || req.method === 'HEAD')) {
      // Public by design (RFC 9728); browser-based clients read it cross-origin.
      sendJson(res, 200, oauth.resource.document(), { 'access-control-allow-origin': '*', 'cache-control': 'max-age=300' });
      return;
    }
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
    if (!hostAllowed(req.headers.host, hostConfig)) {
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
    // With both set either is accepted: the static token acts with the operator's settings, an
    // OAuth token within its scopes too.
    const staticOk = config.mcpAuthToken !== undefined && bearerMatches(req.headers.authorization, config.mcpAuthToken);
    if (!staticOk && oauth) {
      const outcome = await oauth.resource.authenticate(req.headers.authorization);
      if (!outcome.ok) {
        rpcError(res, outcome.status, -32001, outcome.message, { 'www-authenticate': outcome.challenge });
        return;
      }
      (req as AuthedRequest).auth = outcome.auth;
    } else if (!staticOk && config.mcpAuthToken !== undefined) {
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
  if (config.oauthIssuer !== undefined) {
    const resource = config.publicUrl ?? url;
    oauth = createOAuthGuard(config, logger, resource);
    void oauth.prefetch();
    // The public URL's host is one clients evidently use.
    hostConfig = { host: config.host, allowedHosts: [...config.allowedHosts, new URL(resource).host] };
  }

  return {
    server: httpServer,
    url,
    stopAccepting: () => {
      closing = true;
      calls.stopAccepting();
      clearInterval(sweeper);
    },
    drained: (timeoutMs) => exchanges.idle(timeoutMs),
    cancel: () => calls.cancelAll('the server is shutting down'),
    // Only after the answers were sent: closing a session's transport ends its streams.
    close: async () => {
      const stopped = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      await Promise.all(sessions.ids().map((id) => closeSession(id, 'shutdown')));
      httpServer.closeAllConnections();
      await stopped;
      await oauth?.close();
    },
  };
}
