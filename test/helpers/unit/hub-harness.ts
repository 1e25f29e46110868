// Shared set-up for the Hub tool unit tests: an msw server that records every request (method,
// path, query, headers, body) and answers from per-test handlers, a Hub token endpoint, and a
// way to call a tool the way the MCP server does (gate, redaction, caps included).
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { loadConfig, type Config } from '../../../src/config.js';
import { createAppContext, type AppContext } from '../../../src/context.js';
import { silentLogger, type Logger } from '../../../src/log.js';
import { allTools } from '../../../src/tools/catalog.js';
import { callTool, type CallResult } from '../../../src/tools/framework.js';
import { checkedOutput } from '../output-check.js';

export const HUB = 'https://hub.test';
export const PAT = 'dckr_pat_canaryAbc123XYZ';
export const SCIM_TOKEN = 'scim-canary-7d1e5c';

const b64 = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
export const jwtFor = (username: string, expSeconds = Math.floor(Date.now() / 1000) + 3600): string =>
  `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({ sub: `uuid-${username}`, exp: expSeconds, 'https://hub.docker.com': { username } })}.c2lnbmF0dXJl`;

export interface Seen {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Headers;
  body: unknown;
  raw: string;
}

export function hubConfig(env: Record<string, string> = {}): Config {
  const outcome = loadConfig({ argv: [], env: { HOME: '/home/t', DOCKERHUB_URL: HUB, ...env } });
  if (outcome.kind !== 'config') throw new Error('no config');
  return outcome.config;
}

export const AUTHED = {
  DOCKER_HUB_USER: 'octo',
  DOCKER_HUB_TOKEN: PAT,
  DOCKERHUB_SCIM_TOKEN: SCIM_TOKEN,
  DOCKERHUB_ALLOW_DESTRUCTIVE: 'true',
};

export function hubApp(env: Record<string, string> = AUTHED, logger: Logger = silentLogger): AppContext {
  return createAppContext(hubConfig(env), logger, 'test', { fetch: (u, i) => globalThis.fetch(u, i), close: async () => undefined });
}

export function useHub() {
  const server = setupServer();
  const seen: Seen[] = [];
  let mints = 0;
  server.events.on('request:start', ({ request }) => {
    const url = new URL(request.url);
    const clone = request.clone();
    const entry: Seen = {
      method: request.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: new Headers(request.headers),
      body: undefined,
      raw: '',
    };
    seen.push(entry);
    void clone.text().then((text) => {
      entry.raw = text;
      try {
        entry.body = text ? (JSON.parse(text) as unknown) : undefined;
      } catch {
        entry.body = text;
      }
    });
  });
  const tokenHandler = http.post(`${HUB}/v2/auth/token`, () => {
    mints++;
    return HttpResponse.json({ access_token: jwtFor('octo') }, { headers: { 'x-ratelimit-limit': '180', 'x-ratelimit-remaining': '170' } });
  });
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => {
    server.resetHandlers();
    seen.length = 0;
    mints = 0;
  });
  afterAll(() => server.close());
  return {
    server,
    seen,
    mints: () => mints,
    /** Answers one method + path (and the token endpoint) with a JSON body. */
    answer(method: string, path: string, body: unknown, init: { status?: number; headers?: Record<string, string> } = {}) {
      const respond = () =>
        body === null || init.status === 204
          ? new HttpResponse(null, { status: init.status ?? 204, headers: init.headers })
          : typeof body === 'string'
            ? new HttpResponse(body, { status: init.status ?? 200, headers: { 'content-type': 'text/plain', ...init.headers } })
            : HttpResponse.json(body, { status: init.status ?? 200, headers: init.headers });
      // msw reads ':' as a path parameter; SCIM schema URNs are full of them.
      const handler = http[method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete' | 'head'](
        `${HUB}${path.replace(/:/g, '\\:')}`,
        respond,
      );
      if (path === '/v2/auth/token') server.use(handler);
      else server.use(tokenHandler, handler);
    },
    useToken() {
      server.use(tokenHandler);
    },
    /** Seen requests other than the token mint. */
    calls(includeMints = false): Seen[] {
      return seen.filter((s) => includeMints || s.path !== '/v2/auth/token');
    },
  };
}

export async function call(app: AppContext, tool: string, args: Record<string, unknown>): Promise<CallResult> {
  const spec = allTools().find((t) => t.name === tool);
  if (!spec) throw new Error(`no tool ${tool}`);
  const result = await callTool(spec, args, {
    ctx: { app, signal: new AbortController().signal, log: app.logger, progress: async () => undefined },
    config: app.config,
    caps: { maxBytes: app.config.maxResultBytes, maxItems: 500 },
  });
  // Let the request-body readers finish.
  await new Promise((r) => setTimeout(r, 0));
  return checkedOutput(tool, result);
}

export const sc = (result: CallResult): Record<string, unknown> => result.structuredContent;
