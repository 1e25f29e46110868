// One loopback server that stands in for every upstream at once (Hub API and its token mint, SCIM,
// Scout GraphQL, a registry with its token service), for spawned servers that msw cannot reach.
// In `echo` mode it is hostile: every answer repeats the request's Authorization header (whole, the
// credential alone, and a Basic credential decoded) and its body, in data fields and in error
// messages, so a secret the server sends upstream has every chance to flow back into a result.
// In `canned` mode it answers 404 / 200 in turn with small plausible JSON. Every request is recorded.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface UpstreamRequest {
  method: string;
  host: string;
  path: string;
  authorization?: string;
  body: string;
}

export interface EchoUpstreamOptions {
  mode: 'echo' | 'canned';
  /** access_token returned by POST /v2/auth/token. */
  hubJwt: string;
  /** token returned by the registry token endpoint (GET /token). */
  registryToken: string;
}

export interface EchoUpstream {
  url: string;
  host: string;
  requests: UpstreamRequest[];
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => resolve(body));
    req.on('error', () => resolve(body));
  });
}

function echoOf(req: UpstreamRequest): { whole: string; credential: string; decoded: string; body: string } {
  const whole = req.authorization ?? '';
  const credential = whole.replace(/^\S+\s+/, '');
  const decoded = /^basic\s/i.test(whole) ? Buffer.from(credential, 'base64').toString('utf8') : '';
  return { whole, credential, decoded, body: req.body.slice(0, 4000) };
}

export async function startEchoUpstream(options: EchoUpstreamOptions): Promise<EchoUpstream> {
  const requests: UpstreamRequest[] = [];
  const sockets = new Set<Socket>();
  let turn = 0;
  let origin = '';

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '99', ...headers });
    res.end(text);
  };

  const answer = (req: UpstreamRequest, res: ServerResponse): void => {
    const { path, method } = req;
    const bare = path.split('?')[0] ?? '/';
    if (method === 'POST' && bare === '/v2/auth/token') {
      send(res, 200, { access_token: options.hubJwt });
      return;
    }
    if (bare === '/token') {
      const e = echoOf(req);
      send(res, 200, {
        token: options.registryToken,
        expires_in: 300,
        issued_at: new Date().toISOString(),
        note: `${e.whole} ${e.credential} ${e.decoded}`,
      });
      return;
    }
    if (
      bare.startsWith('/v2/') &&
      !req.authorization &&
      !bare.startsWith('/v2/auth') &&
      /^\/v2\/($|.+\/(manifests|blobs|tags|referrers)\/|_catalog)/.test(bare)
    ) {
      send(
        res,
        401,
        { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] },
        {
          'www-authenticate': `Bearer realm="${origin}/token",service="echo.test"`,
        },
      );
      return;
    }
    const n = turn++;
    if (options.mode === 'canned') {
      if (n % 2 === 0) send(res, 404, { errors: [{ code: 'NOT_FOUND', message: 'not found' }], detail: 'not found' });
      else send(res, 200, { count: 0, next: null, results: [], tags: [], repositories: [], manifests: [], data: null });
      return;
    }
    const e = echoOf(req);
    const text = `you sent ${e.whole} | credential ${e.credential} | decoded ${e.decoded} | body ${e.body}`;
    if (bare === '/v1/graphql') {
      if (n % 2 === 0) send(res, 200, { errors: [{ message: text, extensions: { code: 'ECHO', note: e.credential } }] });
      else send(res, 200, { data: null, errors: [{ message: e.decoded || e.credential }] });
      return;
    }
    const status = [200, 400, 404, 403, 409][n % 5]!;
    if (status === 200) {
      const item = {
        name: e.credential,
        description: text,
        note: e.decoded,
        label: e.body,
        id: 'x1',
        uuid: 'u1',
        username: e.credential,
        tags: [e.credential],
      };
      send(res, 200, {
        count: 1,
        next: null,
        results: [item],
        Resources: [item],
        totalResults: 1,
        name: 'acme/app',
        tags: [e.credential, e.decoded, 'v1'],
        repositories: [e.credential],
        manifests: [],
        message: text,
        full_description: text,
      });
      return;
    }
    send(res, status, { detail: text, message: text, errors: [{ code: 'ECHO', message: text }], errinfo: { echo: e.credential } });
  };

  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const entry: UpstreamRequest = {
        method: req.method ?? 'GET',
        host: req.headers.host ?? '',
        path: req.url ?? '/',
        body,
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      };
      requests.push(entry);
      answer(entry, res);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  return {
    url: origin,
    host: `127.0.0.1:${port}`,
    requests,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
