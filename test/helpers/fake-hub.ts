// A loopback fake of the Docker Hub management API for e2e tests: the spawned server cannot be
// reached by msw, so DOCKERHUB_URL points here. It mints JWTs for one secret, records every
// request, and answers routes from a table (method + path → status and JSON or text).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeHubRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  contentType: string | undefined;
  accept: string | undefined;
  body: string;
}

export interface FakeReply {
  status?: number;
  json?: unknown;
  text?: string;
  contentType?: string;
}

export interface FakeHub {
  url: string;
  requests: FakeHubRequest[];
  mints: () => number;
  /** Sets the answer for `METHOD /path`. */
  route(method: string, path: string, reply: FakeReply): void;
  close(): Promise<void>;
}

const b64 = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
export const fakeHubJwt = (username: string): string =>
  `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: `uuid-${username}`, exp: Math.floor(Date.now() / 1000) + 3600, 'https://hub.docker.com': { username } })}.`;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => resolve(body));
  });
}

export async function startFakeHub(options: { secret: string }): Promise<FakeHub> {
  const routes = new Map<string, FakeReply>();
  const requests: FakeHubRequest[] = [];
  let mints = 0;
  const server: Server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const entry: FakeHubRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        accept: req.headers.accept,
        body,
      };
      requests.push(entry);
      if (entry.method === 'POST' && entry.path === '/v2/auth/token') {
        mints++;
        const parsed = JSON.parse(body || '{}') as { identifier?: string; secret?: string };
        if (parsed.secret !== options.secret) {
          res.writeHead(401, { 'content-type': 'application/json' }).end('{"detail":"incorrect authentication credentials"}');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json', 'x-ratelimit-limit': '180', 'x-ratelimit-remaining': '179' });
        res.end(JSON.stringify({ access_token: fakeHubJwt(parsed.identifier ?? 'nobody') }));
        return;
      }
      const reply = routes.get(`${entry.method} ${entry.path}`);
      if (!reply) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"object not found"}');
        return;
      }
      const headers = {
        'content-type': reply.contentType ?? (reply.text !== undefined ? 'text/plain' : 'application/json'),
        'x-ratelimit-limit': '180',
        'x-ratelimit-remaining': '170',
      };
      res.writeHead(reply.status ?? 200, headers).end(reply.text ?? (reply.json === undefined ? '' : JSON.stringify(reply.json)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    mints: () => mints,
    route: (method, path, reply) => routes.set(`${method.toUpperCase()} ${path}`, reply),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
