// Transport abuse on the streamable HTTP transport of the built server: bad Host, bad Origin,
// missing and wrong bearer tokens, oversized and malformed JSON bodies, a flood of session
// creations beyond MCP_MAX_SESSIONS, and slow-loris clients dripping headers byte by byte. Each is
// refused with its status (403 / 401 / 413 / 400 / 503) or cut off by the header timeout, the
// server's RSS stays bounded, and /healthz and a legitimate SDK client keep being served. A session
// flood replaces idle sessions but never one with a call in flight, nor exceeds the cap.
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlowRegistry, type SlowRegistry } from '../helpers/slow-registry.js';
import { startHttpServer, type RunningServer } from '../helpers/spawn-server.js';
import { MCP_HEADERS } from '../helpers/raw-mcp.js';

const TOKEN = 'transport-abuse-token-4c1d';
const MAX_SESSIONS = 8;
const MAX_BODY = 64 * 1024;
const HEADERS_TIMEOUT_MS = 10_000;
const RSS_GROWTH_LIMIT = 50 * 1024 * 1024;

const INIT = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'abuser', version: '0' } },
};

function rssOf(pid: number): number {
  const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

interface RawAnswer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** A request with full control over Host and body framing (fetch forbids setting Host). */
function raw(
  base: string,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer; chunks?: Buffer[] },
): Promise<RawAnswer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        hostname: url.hostname,
        port: url.port,
        method: options.method ?? 'POST',
        path: options.path ?? '/mcp',
        headers: options.headers,
        agent: false,
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
        res.on('error', reject);
      },
    );
    // The server may answer 413 and close before the whole body is sent.
    req.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EPIPE' || error.code === 'ECONNRESET' ? resolve({ status: -1, body: error.code, headers: {} }) : reject(error),
    );
    if (options.chunks) {
      for (const chunk of options.chunks) req.write(chunk);
      req.end();
    } else req.end(options.body);
  });
}

const json = MCP_HEADERS;
const authed = { ...json, authorization: `Bearer ${TOKEN}` };

async function legitimateClient(url: string): Promise<Client> {
  const client = new Client({ name: 'legit', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${TOKEN}` } } }));
  return client;
}

async function legitimateCall(client: Client): Promise<boolean> {
  const result = await client.callTool({ name: 'hub_admin', arguments: { action: 'rate_limit' } });
  return !result.isError;
}

/** Opens a socket and drips a request's headers one byte at a time; resolves when the server closes it. */
function slowLoris(
  host: string,
  port: number,
  byteEveryMs: number,
): { socket: Socket; closed: Promise<{ afterMs: number; answer: string }> } {
  const started = Date.now();
  const socket = connect(port, host);
  const text = `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nX-Padding: ${'a'.repeat(500)}\r\n\r\n`;
  let at = 0;
  let answer = '';
  const timer = setInterval(() => {
    if (at < text.length && !socket.destroyed) socket.write(text[at++]!);
  }, byteEveryMs);
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
  socket.on('error', () => undefined);
  const closed = new Promise<{ afterMs: number; answer: string }>((resolve) =>
    socket.once('close', () => {
      clearInterval(timer);
      resolve({ afterMs: Date.now() - started, answer: answer.split('\r\n')[0] ?? '' });
    }),
  );
  return { socket, closed };
}

describe('HTTP transport under abuse (spawned server)', () => {
  let server: RunningServer;
  let registry: SlowRegistry;
  let pid: number;
  beforeAll(async () => {
    registry = await startSlowRegistry(2_000);
    server = await startHttpServer({
      MCP_AUTH_TOKEN: TOKEN,
      MCP_MAX_SESSIONS: String(MAX_SESSIONS),
      MCP_MAX_BODY_BYTES: String(MAX_BODY),
      DOCKERHUB_URL: 'http://127.0.0.1:9',
      DOCKER_REGISTRY_URL: registry.url,
      DOCKER_SCOUT_URL: 'http://127.0.0.1:9',
    });
    pid = server.proc.pid!;
  });
  afterAll(async () => {
    await server?.stop();
    await registry?.close();
  });

  it('refuses every abuse with the right status, cuts slow-loris clients off, and keeps serving', { timeout: 40_000 }, async () => {
    const { hostname, port } = new URL(server.base);
    const rssBefore = rssOf(pid);
    const legit = await legitimateClient(server.url);
    const counts: Record<string, { tried: number; refused: number; statuses: Record<number, number> }> = {};
    const tally = (kind: string, expected: number, answer: RawAnswer): void => {
      const entry = (counts[kind] ??= { tried: 0, refused: 0, statuses: {} });
      entry.tried++;
      entry.statuses[answer.status] = (entry.statuses[answer.status] ?? 0) + 1;
      if (answer.status === expected) entry.refused++;
    };

    // Slow-loris clients start first and drip while everything else happens.
    const loris = Array.from({ length: 20 }, () => slowLoris(hostname, Number(port), 400));

    const body = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    const abuse: [string, number, () => Promise<RawAnswer>][] = [
      ['bad Host', 403, () => raw(server.base, { headers: { ...authed, host: 'evil.example' }, body })],
      [
        'bad Host (rebinding name with port)',
        403,
        () => raw(server.base, { headers: { ...authed, host: `attacker.example:${port}` }, body }),
      ],
      ['bad Origin', 403, () => raw(server.base, { headers: { ...authed, origin: 'https://evil.example' }, body })],
      ['null Origin', 403, () => raw(server.base, { headers: { ...authed, origin: 'null' }, body })],
      ['missing token', 401, () => raw(server.base, { headers: json, body })],
      ['wrong token', 401, () => raw(server.base, { headers: { ...json, authorization: 'Bearer wrong-token' }, body })],
      [
        'token as Basic',
        401,
        () => raw(server.base, { headers: { ...json, authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` }, body }),
      ],
      ['token prefix only', 401, () => raw(server.base, { headers: { ...json, authorization: `Bearer ${TOKEN.slice(0, -1)}` }, body })],
      ['oversized body (declared)', 413, () => raw(server.base, { headers: authed, body: Buffer.alloc(MAX_BODY * 4, 0x20) })],
      [
        'oversized body (chunked)',
        413,
        () =>
          raw(server.base, {
            headers: { ...authed, 'transfer-encoding': 'chunked' },
            chunks: Array.from({ length: 16 }, () => Buffer.alloc(MAX_BODY / 4, 0x20)),
          }),
      ],
      ['malformed JSON', 400, () => raw(server.base, { headers: authed, body: '{"jsonrpc": "2.0", "method": ' })],
      ['not JSON at all', 400, () => raw(server.base, { headers: authed, body: '\u0000\u0001binary' })],
      ['JSON but no session / not initialize', 400, () => raw(server.base, { headers: authed, body })],
      ['unknown session id', 404, () => raw(server.base, { headers: { ...authed, 'mcp-session-id': 'no-such-session' }, body })],
    ];
    let healthDuring = 0;
    let legitDuring = 0;
    for (let round = 0; round < 15; round++) {
      await Promise.all(abuse.map(async ([kind, expected, send]) => tally(kind, expected, await send())));
      if ((await raw(server.base, { method: 'GET', path: '/healthz' })).status === 200) healthDuring++;
      if (await legitimateCall(legit)) legitDuring++;
    }

    // Session flood while the legitimate client has a call in flight: initializes beyond the cap
    // replace idle sessions, or get 503 while every other session is busy or still opening; the
    // count never exceeds the cap, and the busy session is never the one closed.
    const held = legit.callTool({ name: 'hub_registry', arguments: { action: 'get_manifest', repo: 'team/app', reference: 'v1' } });
    await registry.waitForRequests(1);
    const flood = await Promise.all(
      Array.from({ length: MAX_SESSIONS * 3 }, () => raw(server.base, { headers: authed, body: JSON.stringify(INIT) })),
    );
    const created = flood.filter((a) => a.status === 200).map((a) => a.headers['mcp-session-id'] as string);
    for (const answer of flood) if (answer.status !== 200) tally('session beyond the cap (all busy or opening)', 503, answer);
    expect(created.length).toBeGreaterThanOrEqual(MAX_SESSIONS - 1);
    for (const refusal of flood.filter((a) => a.status === 503)) expect(refusal.headers['retry-after']).toBeTruthy();
    const openDuring = (JSON.parse((await raw(server.base, { method: 'GET', path: '/healthz' })).body) as { sessions: number }).sessions;
    expect(openDuring).toBeLessThanOrEqual(MAX_SESSIONS);
    const heldResult = await held;
    expect(heldResult.isError, JSON.stringify(heldResult)).toBeFalsy();
    expect(await legitimateCall(legit)).toBe(true);
    // One-shot clients one after another, none sending DELETE: every one is served.
    const oneShot: number[] = [];
    for (let i = 0; i < MAX_SESSIONS * 2; i++)
      oneShot.push((await raw(server.base, { headers: authed, body: JSON.stringify(INIT) })).status);
    expect(
      oneShot.every((status) => status === 200),
      oneShot.join(','),
    ).toBe(true);
    console.log(
      `session flood at cap ${MAX_SESSIONS}: ${created.length}/${flood.length} parallel initializes admitted, ${flood.length - created.length} got 503; ` +
        `${openDuring} sessions open; ${oneShot.length} sequential one-shot initializes all 200`,
    );

    // Slow-loris clients: cut off by the header timeout, not left hanging.
    const cut = await Promise.all(
      loris.map(({ socket, closed }) =>
        Promise.race([
          closed,
          new Promise<{ afterMs: number; answer: string }>((resolve) =>
            setTimeout(() => resolve({ afterMs: -1, answer: 'still open' }), HEADERS_TIMEOUT_MS + 6_000),
          ),
        ]).finally(() => socket.destroy()),
      ),
    );
    const lorisCut = cut.filter((c) => c.afterMs > 0 && c.afterMs <= HEADERS_TIMEOUT_MS + 5_000);

    const after = await legitimateClient(server.url);
    const legitAfter = await legitimateCall(after);
    const healthAfter = await raw(server.base, { method: 'GET', path: '/healthz' });
    await after.close();
    await legit.close();
    const rssAfter = rssOf(pid);

    const tried = Object.values(counts).reduce((n, c) => n + c.tried, 0) + loris.length;
    const refused = Object.values(counts).reduce((n, c) => n + c.refused, 0) + lorisCut.length;
    console.log(
      `transport abuse: ${tried} hostile requests/connections, ${refused} refused as expected, ${tried - refused} failures; ` +
        Object.entries(counts)
          .map(([kind, c]) => `${kind} ${c.refused}/${c.tried} ${JSON.stringify(c.statuses)}`)
          .join('; ') +
        `; slow-loris cut off ${lorisCut.length}/${loris.length} (after ${cut.map((c) => c.afterMs).join(',')} ms; first answer "${cut[0]?.answer}"); ` +
        `healthz during ${healthDuring}/15, legit calls during ${legitDuring}/15; RSS ${(rssBefore / 2 ** 20).toFixed(1)} → ${(rssAfter / 2 ** 20).toFixed(1)} MiB`,
    );
    for (const [kind, c] of Object.entries(counts)) expect(c.refused, `${kind}: ${JSON.stringify(c.statuses)}`).toBe(c.tried);
    expect(healthDuring).toBe(15);
    expect(legitDuring).toBe(15);
    expect(legitAfter).toBe(true);
    expect(healthAfter.status).toBe(200);
    expect(rssAfter - rssBefore).toBeLessThan(RSS_GROWTH_LIMIT);
    expect(lorisCut.length, JSON.stringify(cut)).toBe(loris.length);
    expect(server.proc.exitCode).toBeNull();
  });
});
