// Hostile upstreams on loopback against the real client stack (undici pool, egress connector):
// a blob that drips 1 byte per 400 ms, a 429 asking for 29 s, and a token realm that mints a
// distinct 10 MiB token per repository. Each call ends with a typed error within the configured
// deadline plus a small margin, memory stays bounded (VmRSS), and the next call succeeds.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createAppContext, type AppContext } from '../../src/context.js';
import { silentLogger } from '../../src/log.js';
import { callTool, type CallResult } from '../../src/tools/framework.js';
import { createHubRegistryTool } from '../../src/tools/hub-registry.js';

const tool = createHubRegistryTool();
const TIMEOUT_S = 2;
const MARGIN_MS = 1_500;
const MANIFEST = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'c'.repeat(64)}`, size: 2 },
  layers: [],
});

function rssBytes(): number {
  const line = readFileSync('/proc/self/status', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) * 1024;
}

// Allocated once, so the fake's own memory does not count against the client's (same process).
const FILLER = Buffer.alloc(10 * 1024 * 1024, 't');
let server: Server;
let plain: Server;
let host = '';
/** Another origin on the same handler, for the next call: a hostile realm taints its whole origin. */
let okHost = '';
let tokenMints = 0;

beforeAll(async () => {
  const handler: Parameters<typeof createServer>[1] = (req, res) => {
    const path = req.url ?? '/';
    if (path.startsWith('/token')) {
      tokenMints++;
      // A distinct 10 MiB token per request.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`{"token":"${tokenMints}-`);
      res.write(FILLER);
      res.end('"}');
      return;
    }
    if (path.startsWith('/v2/tokens/')) {
      if (!req.headers.authorization) {
        res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${host}/token",service="hostile"` });
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
      res.end(MANIFEST);
      return;
    }
    if (path.includes('/blobs/')) {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': '1000' });
      let sent = 0;
      const timer = setInterval(() => {
        if (res.destroyed || sent >= 1000) {
          clearInterval(timer);
          res.end();
          return;
        }
        sent++;
        res.write('x');
      }, 400);
      res.on('close', () => clearInterval(timer));
      return;
    }
    if (path.startsWith('/v2/limited/')) {
      res.writeHead(429, { 'retry-after': '29', 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'TOOMANYREQUESTS', message: 'slow down' }] }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
    res.end(path === '/v2/' ? '{}' : MANIFEST);
  };
  server = createServer(handler);
  plain = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  okHost = `127.0.0.1:${(plain.address() as AddressInfo).port}`;
});

afterAll(() => {
  for (const s of [server, plain]) {
    s.closeAllConnections();
    s.close();
  }
});

function app(): AppContext {
  const outcome = loadConfig({
    argv: [],
    env: { HOME: '/nonexistent', DOCKER_CONFIG: '/nonexistent', DOCKERHUB_TIMEOUT: String(TIMEOUT_S), LOG_LEVEL: 'silent' },
  });
  if (outcome.kind !== 'config') throw new Error('config');
  return createAppContext(outcome.config, silentLogger, 'test');
}

async function timed(a: AppContext, args: Record<string, unknown>): Promise<{ result: CallResult; ms: number }> {
  const started = Date.now();
  const result = await callTool(tool, args, {
    ctx: { app: a, signal: new AbortController().signal, log: silentLogger, progress: async () => undefined },
    config: a.config,
    caps: { maxBytes: 200_000, maxItems: 500 },
  });
  return { result, ms: Date.now() - started };
}

function errorType(result: CallResult): string | undefined {
  return (result.structuredContent as { error?: { type: string } }).error?.type;
}

describe('every call ends on time, in bounded memory, and the next call works', () => {
  it('a blob dripping 1 byte per 400 ms: timeout within DOCKERHUB_TIMEOUT', async () => {
    const a = app();
    try {
      const { result, ms } = await timed(a, { action: 'get_blob', repo: `${host}/drip/x`, digest: `sha256:${'d'.repeat(64)}` });
      expect(errorType(result), JSON.stringify(result.structuredContent)).toBe('timeout');
      expect(ms).toBeLessThan(TIMEOUT_S * 1000 + MARGIN_MS);
      const next = await timed(a, { action: 'get_manifest', repo: `${okHost}/ok/x`, reference: 'v1' });
      expect(next.result.isError, JSON.stringify(next.result.structuredContent)).toBeFalsy();
    } finally {
      await a.close();
    }
  });

  it('Retry-After: 29 answers rate_limited at once, naming when to retry', async () => {
    const a = app();
    try {
      const { result, ms } = await timed(a, { action: 'get_manifest', repo: `${host}/limited/x`, reference: 'v1' });
      expect(errorType(result)).toBe('rate_limited');
      expect(JSON.stringify(result.structuredContent)).toMatch(/until \d{4}-/);
      expect(ms).toBeLessThan(TIMEOUT_S * 1000 + MARGIN_MS);
      const next = await timed(a, { action: 'get_manifest', repo: `${okHost}/ok/x`, reference: 'v1' });
      expect(next.result.isError).toBeFalsy();
    } finally {
      await a.close();
    }
  });

  it('a realm minting a distinct 10 MiB token per repository: refused, RSS growth under 64 MiB over 20 calls', async () => {
    const a = app();
    try {
      global.gc?.();
      const before = rssBytes();
      let peak = before;
      for (let i = 0; i < 20; i++) {
        const { result } = await timed(a, { action: 'get_manifest', repo: `${host}/tokens/r${i}`, reference: 'v1' });
        expect(errorType(result), JSON.stringify(result.structuredContent)).toBe('upstream_error');
        expect(JSON.stringify(result.structuredContent)).toMatch(/exceeds the 1048576-byte limit/);
        peak = Math.max(peak, rssBytes());
      }
      console.log(`10 MiB tokens × 20: RSS ${Math.round(before / 1048576)} → peak ${Math.round(peak / 1048576)} MiB, ${tokenMints} mints`);
      expect(peak - before).toBeLessThan(64 * 1024 * 1024);
      const next = await timed(a, { action: 'get_manifest', repo: `${okHost}/ok/x`, reference: 'v1' });
      expect(next.result.isError).toBeFalsy();
    } finally {
      await a.close();
    }
  });
});
