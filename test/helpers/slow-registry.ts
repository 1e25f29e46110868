// A loopback registry that holds each manifest answer for a while: long enough to shut the server
// down while a tool call waits on it. It answers `/v2/` with 200 (no auth) and
// `GET|HEAD /v2/<repo>/manifests/<ref>` with one OCI image manifest after `holdMs`.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const MANIFEST = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'a'.repeat(64)}`, size: 2 },
    layers: [],
  }),
);
export const MANIFEST_DIGEST = `sha256:${createHash('sha256').update(MANIFEST).digest('hex')}`;

export interface SlowRegistry {
  url: string;
  /** Manifest requests received so far. */
  manifestRequests: () => number;
  /** Resolves when `count` manifest requests have arrived. */
  waitForRequests: (count: number) => Promise<void>;
  /** Manifest requests the client gave up on before the answer (aborted connections). */
  abandoned: () => number;
  close: () => Promise<void>;
}

export async function startSlowRegistry(holdMs: number): Promise<SlowRegistry> {
  let received = 0;
  let abandoned = 0;
  const waiters: { count: number; wake: () => void }[] = [];
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === '/v2/' || path === '/v2') {
      res.writeHead(200, { 'content-type': 'application/json', 'docker-distribution-api-version': 'registry/2.0' }).end('{}');
      return;
    }
    if (!/^\/v2\/.+\/manifests\/[^/]+$/.test(path) || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"code":"NAME_UNKNOWN"}]}');
      return;
    }
    received++;
    for (const waiter of waiters.filter((w) => received >= w.count)) waiter.wake();
    const timer = setTimeout(() => {
      res.writeHead(200, {
        'content-type': 'application/vnd.oci.image.manifest.v1+json',
        'content-length': String(MANIFEST.length),
        'docker-content-digest': MANIFEST_DIGEST,
      });
      res.end(req.method === 'HEAD' ? undefined : MANIFEST);
    }, holdMs);
    res.once('close', () => {
      if (!res.writableFinished) abandoned++;
      clearTimeout(timer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    manifestRequests: () => received,
    abandoned: () => abandoned,
    waitForRequests: (count) =>
      received >= count
        ? Promise.resolve()
        : new Promise((resolve) => {
            waiters.push({ count, wake: resolve });
          }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
