// The built server over streamable HTTP: the SDK client end to end, and every guard an
// exposed HTTP endpoint needs (token, Host, Origin, body cap, session cap, health, shutdown).
import { request } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlowRegistry, type SlowRegistry } from '../helpers/slow-registry.js';
import { startHttpServer, type RunningServer } from '../helpers/spawn-server.js';
import { INIT, MCP_HEADERS } from '../helpers/raw-mcp.js';

const TOKEN = 'e2e-http-token-5b1d0c2e9a';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw request (node:http, so Host can be forged the way a DNS-rebinding page would). */
function raw(url: string, options: { method?: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'POST', headers: options.headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

async function connect(url: string, token?: string): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: token ? { headers: { authorization: `Bearer ${token}` } } : {},
  });
  const client = new Client({ name: 'dockerhub-mcp-e2e', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

describe('HTTP e2e: stateful with a bearer token', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startHttpServer({ MCP_AUTH_TOKEN: TOKEN, MCP_MAX_BODY_BYTES: '65536', MCP_MAX_SESSIONS: '3' });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('serves /healthz without auth and without secrets', async () => {
    const res = await fetch(`${server.base}/healthz`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ status: 'ok', name: 'dockerhub-mcp' });
    expect(text).not.toContain(TOKEN);
  });

  it('initializes, lists tools and calls hub_admin through the SDK client', async () => {
    const client = await connect(server.url, TOKEN);
    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name)).toContain('hub_admin');
    const result = await client.callTool({ name: 'hub_admin', arguments: { action: 'config' } });
    expect(result.isError).toBeFalsy();
    const data = (result.structuredContent as { data: { transport: string; http: { auth_required: boolean } } }).data;
    expect(data.transport).toBe('streamable-http');
    expect(data.http.auth_required).toBe(true);
    expect(JSON.stringify(result)).not.toContain(TOKEN);
    const invalid = await client.callTool({ name: 'hub_admin', arguments: { action: 'nope' } });
    expect(invalid.isError).toBe(true);
    const again = await client.callTool({ name: 'hub_admin', arguments: { action: 'rate_limit' } });
    expect(again.isError).toBeFalsy();
    await client.close();
  });

  it('refuses a missing or wrong token with 401', async () => {
    const missing = await raw(server.url, { headers: MCP_HEADERS, body: INIT });
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer/);
    const wrong = await raw(server.url, { headers: { ...MCP_HEADERS, authorization: `Bearer ${TOKEN}x` }, body: INIT });
    expect(wrong.status).toBe(401);
    await expect(connect(server.url)).rejects.toThrow();
  });

  it('refuses a foreign Host (DNS rebinding) and a foreign Origin with 403', async () => {
    const auth = { ...MCP_HEADERS, authorization: `Bearer ${TOKEN}` };
    const host = await raw(server.url, { headers: { ...auth, host: 'evil.example:8000' }, body: INIT });
    expect(host.status).toBe(403);
    const origin = await raw(server.url, { headers: { ...auth, origin: 'https://evil.example' }, body: INIT });
    expect(origin.status).toBe(403);
    const loopbackOrigin = await raw(server.url, { headers: { ...auth, origin: server.base }, body: INIT });
    expect(loopbackOrigin.status).toBe(200);
  });

  it('refuses an oversized body with 413 and malformed JSON with 400', async () => {
    const auth = { ...MCP_HEADERS, authorization: `Bearer ${TOKEN}` };
    const big = await raw(server.url, { headers: auth, body: Buffer.alloc(70_000, 0x20) });
    expect(big.status).toBe(413);
    const malformed = await raw(server.url, { headers: auth, body: '{"jsonrpc": "2.0", ' });
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.body)).toMatchObject({ error: { code: -32700 } });
  });

  it('answers 404 for an unknown session; beyond the session cap idle sessions make room', async () => {
    const auth = { ...MCP_HEADERS, authorization: `Bearer ${TOKEN}` };
    const unknown = await raw(server.url, {
      headers: { ...auth, 'mcp-session-id': 'no-such-session' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }),
    });
    expect(unknown.status).toBe(404);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await raw(server.url, { headers: auth, body: INIT })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const health = await fetch(`${server.base}/healthz`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { sessions: number }).sessions).toBe(3);
  });

  it('exits 0 on SIGTERM', async () => {
    expect(await server.stop()).toBe(0);
  });
});

/** Opens a session with a raw initialize and returns its id. */
async function openSession(url: string): Promise<string> {
  const res = await raw(url, { headers: MCP_HEADERS, body: INIT });
  expect(res.status).toBe(200);
  const id = res.headers['mcp-session-id'];
  expect(typeof id).toBe('string');
  return id as string;
}

function ping(url: string, session: string): Promise<RawResponse> {
  return raw(url, {
    headers: { ...MCP_HEADERS, 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'ping' }),
  });
}

describe('HTTP e2e: one-shot clients never lock others out (MCP_MAX_SESSIONS=3)', () => {
  let server: RunningServer;
  let registry: SlowRegistry;
  beforeAll(async () => {
    registry = await startSlowRegistry(2_500);
    server = await startHttpServer({ MCP_MAX_SESSIONS: '3', DOCKER_REGISTRY_URL: registry.url });
  });
  afterAll(async () => {
    await server.stop();
    await registry.close();
  });

  it('10 sessions opened one after another without DELETE all initialize; the oldest are closed, the newest work', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push(await openSession(server.url));
    const pings = await Promise.all(ids.map((id) => ping(server.url, id)));
    const statuses = pings.map((res) => res.status);
    console.log(`sessions: 10 opened at cap 3 → ping statuses ${statuses.join(' ')}`);
    expect(statuses).toEqual([404, 404, 404, 404, 404, 404, 404, 200, 200, 200]);
    expect(pings[0]!.body).toContain('Session not found');
  });

  it('with every session busy a new initialize gets 503, and succeeds once a call ends', async () => {
    const clients = await Promise.all([0, 1, 2].map(() => connect(server.url)));
    const before = registry.manifestRequests();
    const calls = clients.map((client) =>
      client.callTool({ name: 'hub_registry', arguments: { action: 'get_manifest', repo: 'team/app', reference: 'v1' } }),
    );
    await registry.waitForRequests(before + 3);
    const refused = await raw(server.url, { headers: MCP_HEADERS, body: INIT });
    expect(refused.status).toBe(503);
    expect(refused.body).toContain('busy sessions');
    const results = await Promise.all(calls);
    for (const result of results) expect(result.isError, JSON.stringify(result)).toBeFalsy();
    await openSession(server.url);
    await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
  });
});

describe('HTTP e2e: stateless JSON mode', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startHttpServer({}, ['--stateless']);
  });
  afterAll(async () => {
    await server.stop();
  });

  it('answers each POST with plain JSON and no session', async () => {
    const res = await raw(server.url, { headers: MCP_HEADERS, body: INIT });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('application/json');
    expect(res.headers['mcp-session-id']).toBeUndefined();
    const call = await raw(server.url, {
      headers: { ...MCP_HEADERS, 'mcp-protocol-version': '2025-06-18' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 3,
        method: 'tools/call',
        params: { name: 'hub_admin', arguments: { action: 'rate_limit' } },
      }),
    });
    expect(call.status).toBe(200);
    expect(JSON.parse(call.body)).toMatchObject({ id: 3, result: { structuredContent: { status_code: 200 } } });
  });

  it('works with the SDK client', async () => {
    const client = await connect(server.url);
    const result = await client.callTool({ name: 'hub_admin', arguments: { action: 'whoami' } });
    expect(result.isError).toBeFalsy();
    await client.close();
  });
});
