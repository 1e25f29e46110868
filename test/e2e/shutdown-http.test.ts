// Answers are delivered at shutdown, over streamable HTTP: a call running when the server gets
// SIGTERM still gets its response (the SSE stream of a stateful session, the JSON body in stateless
// mode), new requests meanwhile get 503, and the process exits 0. After the grace period a running
// call is cancelled and answered `cancelled`.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSlowRegistry, MANIFEST_DIGEST, type SlowRegistry } from '../helpers/slow-registry.js';
import { exitOf, startHttpServer, type RunningServer } from '../helpers/spawn-server.js';
import { INIT, MCP_HEADERS } from '../helpers/raw-mcp.js';

const HOLD_MS = 1_500;

async function connect(url: string): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const client = new Client({ name: 'shutdown-e2e', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url));
  await client.connect(transport);
  return { client, transport };
}

/** A POST on an existing session, as the SDK client would send it. */
function postOnSession(url: string, session: string, message: object): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { ...MCP_HEADERS, 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' },
    body: JSON.stringify(message),
  });
}

const getManifest = (client: Client) =>
  client.callTool({ name: 'hub_registry', arguments: { action: 'get_manifest', repo: 'team/app', reference: 'v1' } });

for (const mode of ['stateful', 'stateless'] as const) {
  describe(`HTTP shutdown (${mode}): a call in flight is answered`, () => {
    let registry: SlowRegistry;
    let server: RunningServer | undefined;
    const args = mode === 'stateless' ? ['--stateless'] : [];
    beforeAll(async () => {
      registry = await startSlowRegistry(HOLD_MS);
    });
    afterEach(() => {
      if (server?.proc.exitCode === null) server.proc.kill('SIGKILL');
      server = undefined;
    });
    afterAll(async () => {
      await registry.close();
    });

    it('sends the result after SIGTERM, answers new requests 503 meanwhile, then exits 0', async () => {
      server = await startHttpServer({ DOCKER_REGISTRY_URL: registry.url }, args);
      const { client, transport } = await connect(server.url);
      const before = registry.manifestRequests();
      const call = getManifest(client);
      await registry.waitForRequests(before + 1);
      const exit = exitOf(server.proc);
      const signalled = Date.now();
      server.proc.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 200));
      const refused = await fetch(server.url, { method: 'POST', headers: MCP_HEADERS, body: INIT });
      expect(refused.status).toBe(503);
      expect(await refused.json()).toMatchObject({ error: { message: expect.stringContaining('shutting down') as unknown } });
      expect((await fetch(`${server.base}/healthz`)).status).toBe(503);
      if (mode === 'stateful') {
        // On the running call's session a new request is refused, but a message that is no request
        // (here a notification; an answer to an elicitation likewise) still gets through.
        const session = transport.sessionId!;
        expect((await postOnSession(server.url, session, { jsonrpc: '2.0', id: 77, method: 'ping' })).status).toBe(503);
        const note = await postOnSession(server.url, session, { jsonrpc: '2.0', method: 'notifications/initialized' });
        expect(note.status).toBe(202);
      }
      const result = await call;
      expect(result.isError, JSON.stringify(result)).toBeFalsy();
      expect((result.structuredContent as { data: { digest: string } }).data.digest).toBe(MANIFEST_DIGEST);
      expect(await exit).toBe(0);
      const elapsed = Date.now() - signalled;
      console.log(`HTTP ${mode}: SIGTERM → exit ${elapsed} ms with a ${HOLD_MS} ms call in flight`);
      expect(elapsed).toBeLessThan(HOLD_MS + 3_000);
      await client.close().catch(() => undefined);
    });

    it('cancels a call still running after the grace period, answers it, and exits promptly', async () => {
      const slow = await startSlowRegistry(60_000);
      try {
        server = await startHttpServer({ DOCKER_REGISTRY_URL: slow.url, MCP_SHUTDOWN_GRACE_SECONDS: '1' }, args);
        const { client } = await connect(server.url);
        const call = getManifest(client);
        await slow.waitForRequests(1);
        const exit = exitOf(server.proc);
        const signalled = Date.now();
        server.proc.kill('SIGTERM');
        const result = await call;
        expect(result.isError).toBe(true);
        expect((result.structuredContent as { error: { type: string } }).error.type).toBe('cancelled');
        expect(await exit).toBe(0);
        const elapsed = Date.now() - signalled;
        console.log(`HTTP ${mode}: 1 s grace, call cancelled; SIGTERM → exit ${elapsed} ms`);
        expect(elapsed).toBeGreaterThanOrEqual(900);
        expect(elapsed).toBeLessThan(3_000);
        expect(server.stderr()).toContain('grace period over');
        await client.close().catch(() => undefined);
      } finally {
        await slow.close();
      }
    });
  });
}
