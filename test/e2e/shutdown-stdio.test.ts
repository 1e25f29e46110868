// Answers are delivered at shutdown, over stdio: a call running when the client closes stdin or
// the server gets SIGTERM still gets its result written, then the process exits 0. A call still
// running after the grace period is cancelled and answered `cancelled`, and the exit is prompt.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChildStdioTransport } from '../helpers/child-stdio.js';
import { minimalEnv } from '../helpers/mcp-session.js';
import { startSlowRegistry, MANIFEST_DIGEST, type SlowRegistry } from '../helpers/slow-registry.js';
import { ENTRY } from '../helpers/spawn-server.js';

const HOLD_MS = 1_500;

interface Started {
  client: Client;
  transport: ChildStdioTransport;
}

async function startServer(registry: SlowRegistry, env: Record<string, string> = {}): Promise<Started> {
  const transport = new ChildStdioTransport(process.execPath, [ENTRY], minimalEnv({ DOCKER_REGISTRY_URL: registry.url, ...env }));
  const client = new Client({ name: 'shutdown-e2e', version: '1.0.0' });
  await client.connect(transport);
  return { client, transport };
}

const getManifest = (client: Client) =>
  client.callTool({ name: 'hub_registry', arguments: { action: 'get_manifest', repo: 'team/app', reference: 'v1' } });

interface ManifestData {
  digest: string;
  media_type: string;
}

describe('stdio shutdown: a call in flight is answered', () => {
  let registry: SlowRegistry;
  let running: Started | undefined;
  beforeAll(async () => {
    registry = await startSlowRegistry(HOLD_MS);
  });
  afterEach(async () => {
    await running?.transport.close();
    running = undefined;
  });
  afterAll(async () => {
    await registry.close();
  });

  it('writes the result after the client closes stdin, then exits 0', async () => {
    running = await startServer(registry);
    const before = registry.manifestRequests();
    const call = getManifest(running.client);
    await registry.waitForRequests(before + 1);
    running.transport.endInput();
    const result = await call;
    expect(result.isError, JSON.stringify(result)).toBeFalsy();
    expect((result.structuredContent as { data: ManifestData }).data).toMatchObject({
      digest: MANIFEST_DIGEST,
      media_type: 'application/vnd.oci.image.manifest.v1+json',
    });
    expect((await running.transport.exited).code).toBe(0);
  });

  it('writes the result after SIGTERM, refuses a new call meanwhile, then exits 0', async () => {
    running = await startServer(registry);
    const before = registry.manifestRequests();
    const call = getManifest(running.client);
    await registry.waitForRequests(before + 1);
    const signalled = Date.now();
    running.transport.proc.kill('SIGTERM');
    // Give the signal a moment to land, then try to start another call: it must be refused.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await expect(running.client.callTool({ name: 'hub_admin', arguments: { action: 'whoami' } })).rejects.toThrow(/shutting down/);
    const result = await call;
    expect(result.isError, JSON.stringify(result)).toBeFalsy();
    expect((result.structuredContent as { data: ManifestData }).data.digest).toBe(MANIFEST_DIGEST);
    const exit = await running.transport.exited;
    expect(exit.code).toBe(0);
    console.log(`stdio: SIGTERM → exit ${exit.at - signalled} ms with a ${HOLD_MS} ms call in flight`);
    expect(exit.at - signalled).toBeLessThan(HOLD_MS + 3_000);
  });

  it('cancels a call still running after the grace period, answers it, and exits promptly', async () => {
    const slow = await startSlowRegistry(60_000);
    try {
      running = await startServer(slow, { MCP_SHUTDOWN_GRACE_SECONDS: '1' });
      const call = getManifest(running.client);
      await slow.waitForRequests(1);
      const signalled = Date.now();
      running.transport.proc.kill('SIGTERM');
      const result = await call;
      expect(result.isError).toBe(true);
      expect((result.structuredContent as { error: { type: string } }).error.type).toBe('cancelled');
      const exit = await running.transport.exited;
      expect(exit.code).toBe(0);
      console.log(`stdio: 1 s grace, call cancelled; SIGTERM → exit ${exit.at - signalled} ms`);
      expect(exit.at - signalled).toBeGreaterThanOrEqual(900);
      expect(exit.at - signalled).toBeLessThan(3_000);
      expect(running.transport.stderr()).toContain('grace period over');
    } finally {
      await slow.close();
    }
  });

  it('exits at once on a second SIGTERM, even with a call in flight', async () => {
    const slow = await startSlowRegistry(60_000);
    try {
      running = await startServer(slow);
      void getManifest(running.client).catch(() => undefined);
      await slow.waitForRequests(1);
      running.transport.proc.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 200));
      const second = Date.now();
      running.transport.proc.kill('SIGTERM');
      const exit = await running.transport.exited;
      expect(exit.at - second).toBeLessThan(1_000);
      expect(running.transport.stderr()).toContain('second shutdown request');
    } finally {
      await slow.close();
    }
  });
});
