// The built server as a user runs it: spawned over stdio and driven by the MCP SDK's Client.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hintsOf } from '../helpers/hints.js';
import { connectStdio, minimalEnv, type StdioSession } from '../helpers/mcp-session.js';
import { ENTRY, exitOf, runToExit } from '../helpers/spawn-server.js';
import { spawn } from 'node:child_process';

const CANARY_SECRET = 'canary-hub-password-7f3a9c';

/** Base64url JSON, as in a JWT segment. */
const b64 = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const fakeJwt = (claims: object): string => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;

interface ToolJson {
  name: string;
  title?: string;
  description?: string;
  inputSchema: { type: string; properties?: Record<string, { description?: string }>; required?: string[] } & Record<string, unknown>;
  annotations?: Record<string, unknown>;
  outputSchema?: { type: string };
}

/** Issue 13's goal for the default configuration: the whole result, its `{"tools":…}` wrapper included, within 14 KB. */
const TOOLS_LIST_BUDGET_BYTES = 14_336;

describe('stdio e2e: anonymous, no configuration', () => {
  let session: StdioSession;
  beforeAll(async () => {
    session = await connectStdio({ command: process.execPath, args: [ENTRY] });
  });
  afterAll(async () => {
    await session.close();
  });

  it('initializes and declares tools and logging', () => {
    expect(session.client.getServerVersion()?.name).toBe('dockerhub-mcp');
    const caps = session.client.getServerCapabilities();
    expect(caps?.tools).toBeDefined();
    expect(caps?.logging).toBeDefined();
  });

  it('lists tools with titles, hints, described parameters, flat schemas, an outputSchema, within the byte budget', async () => {
    const listed = await session.client.listTools();
    const tools = listed.tools as unknown as ToolJson[];
    expect(tools.map((t) => t.name)).toContain('hub_admin');
    for (const tool of tools) {
      expect(tool.title, tool.name).toBeTruthy();
      expect(tool.description, tool.name).toBeTruthy();
      // Hints equal to the MCP defaults are left out; destructiveHint: false is always said.
      for (const [hint, value] of Object.entries(tool.annotations ?? {})) expect(typeof value, `${tool.name}.${hint}`).toBe('boolean');
      if (hintsOf(tool.annotations).readOnlyHint) expect(tool.annotations?.destructiveHint, tool.name).toBe(false);
      expect(tool.outputSchema?.type, tool.name).toBe('object');
      expect(tool.inputSchema.type).toBe('object');
      for (const combinator of ['oneOf', 'anyOf', 'allOf']) expect(tool.inputSchema[combinator], tool.name).toBeUndefined();
      expect(tool.inputSchema.required).toEqual(['action']);
      for (const [name, property] of Object.entries(tool.inputSchema.properties ?? {})) {
        expect(property.description, `${tool.name}.${name} has a description`).toBeTruthy();
      }
    }
    const bytes = Buffer.byteLength(JSON.stringify(listed));
    console.log(`tools/list: ${tools.length} tools, ${bytes} bytes (~${Math.round(bytes / 4)} tokens)`);
    // test/unit/tools/toolsnaps.test.ts holds the tools array to the same figure, per configuration.
    expect(bytes).toBeLessThanOrEqual(TOOLS_LIST_BUDGET_BYTES);
  });

  it('answers hub_admin calls with the envelope as structuredContent and as JSON text', async () => {
    const result = await session.client.callTool({ name: 'hub_admin', arguments: { action: 'whoami' } });
    expect(result.isError).toBeFalsy();
    const structured = result.structuredContent as { status_code: number; data: { authenticated: boolean; identity: string } };
    expect(structured.status_code).toBe(200);
    expect(structured.data).toMatchObject({ authenticated: false, identity: 'anonymous' });
    const content = result.content as { type: string; text: string }[];
    expect(JSON.parse(content[0]!.text)).toEqual(structured);
  });

  it('returns isError for an invalid call and keeps serving', async () => {
    const bad = await session.client.callTool({ name: 'hub_admin', arguments: { action: 'whoami', extra: 'x' } });
    expect(bad.isError).toBe(true);
    expect((bad.structuredContent as { error: { type: string; message: string } }).error).toMatchObject({
      type: 'invalid_argument',
      message: expect.stringContaining("unknown parameter 'extra'") as unknown,
    });
    const unknown = await session.client.callTool({ name: 'hub_admin', arguments: { action: 'explode' } });
    expect(unknown.isError).toBe(true);
    expect(JSON.stringify(unknown.structuredContent)).toContain('valid actions: rate_limit, whoami, config');
    const good = await session.client.callTool({ name: 'hub_admin', arguments: { action: 'rate_limit' } });
    expect(good.isError).toBeFalsy();
  });

  it('accepts logging/setLevel and ping', async () => {
    await expect(session.client.setLoggingLevel('debug')).resolves.toBeDefined();
    await expect(session.client.ping()).resolves.toBeDefined();
  });

  it('writes its logs to stderr as JSON lines', () => {
    const lines = session.stderr().trim().split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
  });
});

describe('stdio e2e: with Hub credentials against a loopback fake Hub', () => {
  let hub: Server;
  let mints = 0;
  let session: StdioSession;
  beforeAll(async () => {
    hub = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        if (req.method === 'POST' && req.url === '/v2/auth/token') {
          mints++;
          const parsed = JSON.parse(body) as { identifier: string; secret: string };
          if (parsed.secret !== CANARY_SECRET) {
            res.writeHead(401, { 'content-type': 'application/json' }).end('{"detail":"bad credentials"}');
            return;
          }
          const exp = Math.floor(Date.now() / 1000) + 3600;
          res.writeHead(200, { 'content-type': 'application/json', 'x-ratelimit-limit': '180', 'x-ratelimit-remaining': '179' });
          res.end(JSON.stringify({ access_token: fakeJwt({ sub: 'uuid-1', username: parsed.identifier, exp }) }));
          return;
        }
        res.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => hub.listen(0, '127.0.0.1', resolve));
    const port = (hub.address() as AddressInfo).port;
    session = await connectStdio({
      command: process.execPath,
      args: [ENTRY, '--log-level', 'debug'],
      env: minimalEnv({ DOCKER_HUB_USER: 'octo', DOCKER_HUB_TOKEN: `  ${CANARY_SECRET}\n`, DOCKERHUB_URL: `http://127.0.0.1:${port}` }),
    });
  });
  afterAll(async () => {
    await session.close();
    hub.close();
  });

  it('whoami mints once, shows identity and claims, and reuses the token', async () => {
    const first = await session.client.callTool({ name: 'hub_admin', arguments: { action: 'whoami' } });
    const second = await session.client.callTool({ name: 'hub_admin', arguments: { action: 'whoami' } });
    expect(first.isError).toBeFalsy();
    const data = (first.structuredContent as { data: { authenticated: boolean; identity: string; claims: Record<string, unknown> } }).data;
    expect(data).toMatchObject({ authenticated: true, identity: 'octo', claims: { username: 'octo', sub: 'uuid-1' } });
    expect(second.isError).toBeFalsy();
    expect(mints).toBe(1);
  });

  it('keeps the Hub rate limit seen on the mint, process-wide', async () => {
    const result = await session.client.callTool({ name: 'hub_admin', arguments: { action: 'rate_limit' } });
    expect((result.structuredContent as { data: { hub: { limit: number; remaining: number } } }).data.hub).toMatchObject({
      limit: 180,
      remaining: 179,
    });
  });

  it('never shows the secret or the JWT in results or logs', async () => {
    const config = await session.client.callTool({ name: 'hub_admin', arguments: { action: 'config' } });
    const whoami = await session.client.callTool({ name: 'hub_admin', arguments: { action: 'whoami' } });
    const everything = JSON.stringify([config, whoami]) + session.stderr();
    expect(everything).not.toContain(CANARY_SECRET);
    expect(everything).not.toMatch(/eyJ[A-Za-z0-9_-]{4,}\.eyJ/);
    expect((config.structuredContent as { data: { credentials: Record<string, unknown> } }).data.credentials).toMatchObject({
      hub_mode: 'credentials',
      hub_user: 'octo',
      hub_secret_configured: true,
    });
  });
});

describe('stdio e2e: process behaviour', () => {
  it('exits 2 naming the variable and allowed values on a bad setting', async () => {
    const badTransport = await runToExit([], { TRANSPORT: 'carrier-pigeon' });
    expect(badTransport.code).toBe(2);
    expect(badTransport.stderr).toContain('TRANSPORT');
    expect(badTransport.stderr).toContain('stdio, streamable-http');
    const badPort = await runToExit(['--port', 'eighty']);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain('--port');
    const badBool = await runToExit([], { DOCKERHUB_ALLOW_DESTRUCTIVE: 'maybe' });
    expect(badBool.code).toBe(2);
    expect(badBool.stderr).toContain('DOCKERHUB_ALLOW_DESTRUCTIVE');
  });

  it('refuses HTTP on a non-loopback address without MCP_AUTH_TOKEN', async () => {
    const result = await runToExit(['--transport', 'http', '--host', '0.0.0.0', '--port', '0']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('MCP_AUTH_TOKEN');
  });

  it('answers a malformed line with a JSON-RPC error and keeps serving the next line', async () => {
    const proc = spawn(process.execPath, [ENTRY], { env: minimalEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const lines = async (count: number): Promise<Record<string, unknown>[]> => {
      for (let waited = 0; stdout.split('\n').filter(Boolean).length < count && waited < 10_000; waited += 20) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    };
    proc.stdin.write('{"jsonrpc": "2.0", "id": 1, "method": \n');
    expect(await lines(1)).toEqual([
      { jsonrpc: '2.0', id: null, error: { code: -32700, message: expect.stringContaining('Parse error') as unknown } },
    ]);
    proc.stdin.write('{"jsonrpc":"2.0","id":7,"hello":"world"}\n');
    expect((await lines(2))[1]).toMatchObject({ jsonrpc: '2.0', id: 7, error: { code: -32600 } });
    proc.stdin.write(
      `${JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } })}\n`,
    );
    expect((await lines(3))[2]).toMatchObject({ jsonrpc: '2.0', id: 2, result: { serverInfo: { name: 'dockerhub-mcp' } } });
    const exit = exitOf(proc);
    proc.stdin.end();
    expect(await exit).toBe(0);
  });

  it('exits 0 on SIGTERM', async () => {
    const proc = spawn(process.execPath, [ENTRY], { env: minimalEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (stderr.includes('serving MCP over stdio')) resolve();
        else setTimeout(check, 20);
      };
      check();
    });
    const exit = exitOf(proc);
    proc.kill('SIGTERM');
    expect(await exit).toBe(0);
  });
});
