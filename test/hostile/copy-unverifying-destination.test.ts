// A source registry that serves other bytes for a big layer, copied to a destination that checks
// no digest (it stores whatever body reaches its declared length): the copy must fail with
// integrity_error, and the destination must never receive the whole body. This goes through the
// real transport (undici, sockets, Content-Length), where a check that only failed the stream at
// its end let every byte reach the receiver before the error did.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext } from '../../src/context.js';
import { silentLogger } from '../../src/log.js';
import { callTool } from '../../src/tools/framework.js';
import { createHubRegistryTool } from '../../src/tools/hub-registry.js';
import { testConfig } from '../helpers/unit/app.js';

const sha = (bytes: Buffer | string): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const LAYER_BYTES = 8 * 1024 * 1024; // streamed as one PUT body (above 1 MiB)
const good = Buffer.alloc(LAYER_BYTES, 0x5a);
const served = Buffer.from(good);
served[LAYER_BYTES - 1] = 0x5b; // one wrong byte, at the very end
const config = Buffer.from('{}');
const manifest = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha(config), size: config.byteLength },
  layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(good), size: LAYER_BYTES }],
});

function listen(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<Server> {
  const server = createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
const hostOf = (server: Server): string => `127.0.0.1:${(server.address() as AddressInfo).port}`;

/** What the destination saw of each blob upload body: bytes received, and whether it reached its length. */
const uploads: { received: number; declared: number; complete: boolean }[] = [];
let source: Server;
let destination: Server;

beforeAll(async () => {
  source = await listen((request, response) => {
    const url = request.url ?? '';
    if (url.endsWith('/manifests/v1')) {
      response.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'docker-content-digest': sha(manifest) });
      response.end(manifest);
    } else if (url.endsWith(`/blobs/${sha(good)}`)) {
      response.writeHead(200, { 'content-length': String(LAYER_BYTES), 'content-type': 'application/octet-stream' });
      response.end(served);
    } else if (url.endsWith(`/blobs/${sha(config)}`)) {
      response.writeHead(200, { 'content-length': String(config.byteLength) });
      response.end(config);
    } else {
      response.writeHead(404).end();
    }
  });
  destination = await listen((request, response) => {
    const url = new URL(request.url ?? '/', 'http://x');
    if (request.method === 'HEAD' && url.pathname.includes('/blobs/')) {
      response.writeHead(url.pathname.endsWith(sha(config)) ? 200 : 404).end();
    } else if (request.method === 'POST' && url.pathname.endsWith('/blobs/uploads/')) {
      response.writeHead(202, { location: '/v2/team/app/blobs/uploads/z' }).end();
    } else if (request.method === 'PUT' && url.pathname.endsWith('/blobs/uploads/z')) {
      // No digest check: a body that reaches its declared length is stored as the digest named.
      const upload = { received: 0, declared: Number(request.headers['content-length'] ?? NaN), complete: false };
      uploads.push(upload);
      request.on('data', (chunk: Buffer) => (upload.received += chunk.byteLength));
      request.on('end', () => {
        upload.complete = upload.received === upload.declared;
        response.writeHead(201, { 'docker-content-digest': url.searchParams.get('digest') ?? '' }).end();
      });
    } else if (request.method === 'DELETE') {
      response.writeHead(204).end();
    } else {
      response.writeHead(404).end();
    }
  });
});

afterAll(async () => {
  for (const server of [source, destination]) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

describe('copy from a source that serves other bytes, to a destination that verifies nothing', () => {
  it('fails with integrity_error and the destination never gets the whole layer', async () => {
    const app = createAppContext(testConfig({ DOCKERHUB_ALLOW_DESTRUCTIVE: 'true', DOCKER_CONFIG: '/nonexistent' }), silentLogger, 'test');
    try {
      const result = await callTool(
        createHubRegistryTool(),
        { action: 'copy', repo: `${hostOf(source)}/acme/app:v1`, target_repo: `${hostOf(destination)}/team/app` },
        {
          ctx: { app, signal: new AbortController().signal, log: silentLogger, progress: async () => undefined },
          config: app.config,
          caps: { maxBytes: 200_000, maxItems: 500 },
        },
      );
      expect(result.isError).toBe(true);
      expect((result.structuredContent as { error: { type: string } }).error.type).toBe('integrity_error');
      expect(uploads.length).toBeGreaterThan(0);
      for (const upload of uploads) {
        expect(upload.declared).toBe(LAYER_BYTES);
        expect(upload.complete).toBe(false);
        expect(upload.received).toBeLessThan(LAYER_BYTES);
      }
    } finally {
      await app.close();
    }
  });
});
