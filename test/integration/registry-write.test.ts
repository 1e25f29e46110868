// hub_registry write actions against Debian's real `docker-registry` (distribution 2.8): pushes
// (monolithic, chunked, chunked with a failed chunk recovered), mounts (no blob bytes moved),
// copies of an index with attestations within a registry (mounts only) and across registries
// (streamed, same digest), tag, delete_tag, delete_manifest by tag, delete_blob; and a memory test
// for a streamed copy of a large blob. Registry A uses token auth (so the mount's two-scope token
// is real), registry B none; both sit behind counting proxies that record every byte.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../../src/context.js';
import { silentLogger } from '../../src/log.js';
import type { RegistryClient } from '../../src/registry/client.js';
import { copyImage } from '../../src/registry/copy.js';
import { pushBlob, putManifest } from '../../src/registry/push.js';
import { uploadBlob } from '../../src/registry/upload.js';
import { DEFAULT_CAPS } from '../../src/tools/caps.js';
import { callTool, type CallResult, type ToolSpec } from '../../src/tools/framework.js';
import { registryWriteActions } from '../../src/tools/hub-registry-write.js';
import { pseudoRandomBlob, randomBlob } from '../helpers/registry/blob-stream.js';
import { startCountingProxy, type CountingProxyHandle } from '../helpers/registry/counting-proxy.js';
import { REGISTRY_MISSING, registryAvailable, startRegistry, type RegistryHandle } from '../helpers/registry/launch.js';
import { testConfig } from '../helpers/unit/app.js';

const available = registryAvailable();

/**
 * A minimal forwarding proxy that fails chosen requests before forwarding them (503, or a dropped
 * connection). The helpers' counting proxy cannot do this for requests with a body yet: its byte
 * counter starts the body flowing while the fault hook is awaited, so forwarded bodies arrive empty.
 */
async function startFaultProxy(upstream: string, decide: (method: string, path: string) => 'pass' | 'reset' | number) {
  const target = new URL(upstream);
  const log: string[] = [];
  const server = createServer((req, res) => {
    const decision = decide(req.method ?? 'GET', req.url ?? '/');
    log.push(`${req.method} ${req.url} ${decision}`);
    if (decision === 'reset') {
      req.socket.destroy();
      return;
    }
    if (typeof decision === 'number') {
      req.resume();
      res.writeHead(decision, { 'content-type': 'text/plain', connection: 'close' }).end('injected failure');
      return;
    }
    const forward = httpRequest(
      { hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
      (up) => {
        const headers = { ...up.headers };
        if (typeof headers.location === 'string') headers.location = headers.location.split(target.origin).join(origin);
        res.writeHead(up.statusCode ?? 502, headers);
        up.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    log,
    stop: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
if (!available) console.log(`registry-write integration tests skipped: ${REGISTRY_MISSING}`);

const CHUNK = 64 * 1024;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const sha = (data: string | Uint8Array): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

function makeApp(env: Record<string, string>): { app: AppContext; call: (args: Record<string, unknown>) => Promise<CallResult> } {
  const app = createAppContext(testConfig({ DOCKERHUB_ALLOW_DESTRUCTIVE: 'true', ...env }), silentLogger, 'test');
  const spec: ToolSpec<AppContext> = {
    name: 'hub_registry',
    title: 'registry',
    description: 'test',
    openWorld: true,
    actions: registryWriteActions({ chunkSize: CHUNK }),
  };
  const ctx = { app, signal: new AbortController().signal, log: silentLogger, progress: async () => undefined };
  return { app, call: (args) => callTool(spec, args, { ctx, config: app.config, caps: DEFAULT_CAPS }) };
}

const dataOf = (result: CallResult): Record<string, unknown> => {
  if (result.isError) throw new Error(`unexpected error: ${JSON.stringify(result.structuredContent)}`);
  return (result.structuredContent as { data: Record<string, unknown> }).data;
};

/** An image manifest with a config and one layer, pushed blob-first; returns its bytes and digest. */
async function pushImage(
  client: RegistryClient,
  repo: string,
  registryRepo: string,
  seed: string,
  layerSize: number,
  extra: Record<string, unknown> = {},
) {
  const ref = client.parse(registryRepo);
  const config = Buffer.from(JSON.stringify({ architecture: seed, os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
  const layer = randomBlob(layerSize, seed);
  await pushBlob(client, ref, config, { chunkSize: CHUNK });
  await pushBlob(client, ref, layer, { chunkSize: CHUNK });
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(layer), size: layer.length }],
    ...extra,
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  await putManifest(client, ref, sha(bytes), bytes, OCI_MANIFEST);
  return { repo, bytes, digest: sha(bytes), size: bytes.length, blobBytes: config.length + layer.length };
}

describe.skipIf(!available)('registry write actions against docker-registry', () => {
  let regA: RegistryHandle;
  let regB: RegistryHandle;
  let proxyA: CountingProxyHandle;
  let proxyB: CountingProxyHandle;
  let configDir: string;
  let app: AppContext;
  let call: (args: Record<string, unknown>) => Promise<CallResult>;
  let client: RegistryClient;

  beforeAll(async () => {
    [regA, regB] = await Promise.all([startRegistry({ auth: 'token' }), startRegistry({ auth: 'none' })]);
    [proxyA, proxyB] = await Promise.all([startCountingProxy({ upstream: regA.url }), startCountingProxy({ upstream: regB.url })]);
    configDir = mkdtempSync(join(tmpdir(), 'docker-config-'));
    const auth = Buffer.from(`tester:${regA.users.tester}`).toString('base64');
    writeFileSync(join(configDir, 'config.json'), JSON.stringify({ auths: { [proxyA.host]: { auth } } }));
    ({ app, call } = makeApp({ DOCKER_REGISTRY_URL: proxyA.url, DOCKER_CONFIG: configDir }));
    client = app.registry;
  });

  afterAll(async () => {
    await app?.close();
    await Promise.all([proxyA?.stop(), proxyB?.stop()]);
    await Promise.all([regA?.stop(), regB?.stop()]);
    if (configDir) rmSync(configDir, { recursive: true, force: true });
  });

  async function blobBack(repo: string, digest: string): Promise<Buffer> {
    const ref = client.parse(repo);
    const result = await client.request<Buffer>(ref, {
      path: `/v2/${ref.repository}/blobs/${digest}`,
      scopes: client.pull(ref),
      read: 'bytes',
    });
    return result.data;
  }

  it('push_blob: small in one PUT, then skipped by HEAD', async () => {
    const bytes = randomBlob(1000, 'small');
    const first = dataOf(await call({ action: 'push_blob', repo: 'acme/blobs', data_base64: bytes.toString('base64') }));
    expect(first).toMatchObject({ digest: sha(bytes), size: 1000, action: 'uploaded', mode: 'monolithic' });
    expect((await blobBack('acme/blobs', sha(bytes))).equals(bytes)).toBe(true);
    proxyA.reset();
    expect(dataOf(await call({ action: 'push_blob', repo: 'acme/blobs', data_base64: bytes.toString('base64') }))).toMatchObject({
      action: 'exists',
    });
    expect(proxyA.summary().filter((l) => !l.includes('/token'))).toEqual([`HEAD /v2/acme/blobs/blobs/${sha(bytes)} -> 200`]);
  });

  it('push_blob larger than a chunk: PATCH chunks with Content-Range, stored byte for byte', async () => {
    const bytes = randomBlob(3 * CHUNK + 123, 'large');
    proxyA.reset();
    const out = dataOf(await call({ action: 'push_blob', repo: 'acme/blobs', data_base64: bytes.toString('base64') }));
    expect(out).toMatchObject({ digest: sha(bytes), action: 'uploaded', mode: 'chunked', chunks: 4 });
    expect(proxyA.count({ method: 'PATCH', kind: 'upload' })).toBe(4);
    expect((await blobBack('acme/blobs', sha(bytes))).equals(bytes)).toBe(true);
  });

  it('chunked upload recovers from a failed chunk (GET on the upload URL + Range, resume)', async () => {
    // The 2nd PATCH gets a 503 and the 4th a dropped connection, both before the registry sees a byte.
    let patches = 0;
    const faulty = await startFaultProxy(regB.url, (method) => {
      if (method !== 'PATCH') return 'pass';
      patches++;
      return patches === 2 ? 503 : patches === 4 ? 'reset' : 'pass';
    });
    const local = makeApp({ DOCKER_REGISTRY_URL: faulty.url });
    try {
      const bytes = randomBlob(3 * CHUNK, 'recover');
      const out = dataOf(await local.call({ action: 'push_blob', repo: 'acme/recover', data_base64: bytes.toString('base64') }));
      expect(out).toMatchObject({ digest: sha(bytes), action: 'uploaded', mode: 'chunked', chunks: 3, recoveries: 2 });
      expect(faulty.log.filter((l) => l.startsWith('GET /v2/acme/recover/blobs/uploads/'))).toHaveLength(2);
      const back = await local.app.registry.request<Buffer>(local.app.registry.parse('acme/recover'), {
        path: `/v2/acme/recover/blobs/${sha(bytes)}`,
        scopes: [],
        read: 'bytes',
      });
      expect(back.data.equals(bytes)).toBe(true);
    } finally {
      await local.app.close();
      await faulty.stop();
    }
  });

  it('mount_blob: one POST ?mount=, no blob bytes flow; one token carries both scopes', async () => {
    const bytes = randomBlob(50_000, 'mount');
    await pushBlob(client, client.parse('acme/src'), bytes);
    proxyA.reset();
    regA.tokenService!.reset();
    const out = dataOf(await call({ action: 'mount_blob', repo: 'acme/dst', digest: sha(bytes), from_repo: 'acme/src' }));
    expect(out).toEqual({ mounted: true, digest: sha(bytes) });
    const registryRequests = proxyA.requests.filter((r) => r.kind !== 'token');
    expect(registryRequests.map((r) => `${r.method} ${r.path.split('?')[0]}`)).toEqual(['POST /v2/acme/dst/blobs/uploads/']);
    expect(registryRequests[0]!.path).toContain(`mount=${encodeURIComponent(sha(bytes))}`);
    expect(registryRequests.reduce((n, r) => n + r.bytesIn + r.bytesOut, 0)).toBe(0);
    expect(
      regA.tokenService!.log.some(
        (t) => t.scopes.includes('repository:acme/dst:pull,push') && t.scopes.includes('repository:acme/src:pull'),
      ),
    ).toBe(true);
    expect((await blobBack('acme/dst', sha(bytes))).equals(bytes)).toBe(true);
  });

  describe('copy, tag and deletes', () => {
    let index: { bytes: Buffer; digest: string };
    let blobTotal = 0;

    beforeAll(async () => {
      const amd = await pushImage(client, 'acme/app', 'acme/app', 'amd64', 200_000);
      const arm = await pushImage(client, 'acme/app', 'acme/app', 'arm64', 150_000);
      const att = await pushImage(client, 'acme/app', 'acme/app', 'attestation', 3000);
      blobTotal = amd.blobBytes + arm.blobBytes + att.blobBytes;
      const manifest = {
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [
          { mediaType: OCI_MANIFEST, digest: amd.digest, size: amd.size, platform: { os: 'linux', architecture: 'amd64' } },
          { mediaType: OCI_MANIFEST, digest: arm.digest, size: arm.size, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
          {
            mediaType: OCI_MANIFEST,
            digest: att.digest,
            size: att.size,
            platform: { os: 'unknown', architecture: 'unknown' },
            annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': amd.digest },
          },
        ],
      };
      const bytes = Buffer.from(JSON.stringify(manifest, null, 1)); // unusual spacing: digests must survive verbatim
      await putManifest(client, client.parse('acme/app'), 'v1', bytes, OCI_INDEX);
      index = { bytes, digest: sha(bytes) };
    });

    it('copy within the registry: children and index pushed, every blob mounted, zero blob bytes', async () => {
      proxyA.reset();
      const out = dataOf(await call({ action: 'copy', repo: 'acme/app:v1', target_repo: 'acme/mirror' }));
      expect(out).toMatchObject({
        digest: index.digest,
        reference: 'v1',
        stats: { manifests: 4, blobs: 6, mounted: 6, streamed: 0, bytes_streamed: 0 },
      });
      const blobTraffic = proxyA.requests.filter((r) => r.kind === 'blob' || r.kind === 'upload');
      expect(blobTraffic.every((r) => r.method === 'HEAD' || (r.method === 'POST' && r.path.includes('mount=')))).toBe(true);
      expect(blobTraffic.reduce((n, r) => n + r.bytesIn + r.bytesOut, 0)).toBe(0);
      const head = await client.headManifest(client.parse('acme/mirror'), 'v1');
      expect(head.digest).toBe(index.digest);
      console.log(
        `copy within a registry: ${blobTraffic.length} blob requests, 0 blob bytes; ${proxyA.count()} requests in all, ${proxyA.bytes().in} bytes sent (manifests only)`,
      );
    });

    it('copy to a second registry: streamed, digest identical at the destination', async () => {
      proxyA.reset();
      proxyB.reset();
      const target = `${proxyB.host}/team/app`;
      const out = dataOf(await call({ action: 'copy', repo: 'acme/app:v1', target_repo: target, target_reference: 'copied' }));
      expect(out).toMatchObject({
        digest: index.digest,
        reference: 'copied',
        stats: { manifests: 4, blobs: 6, streamed: 6, mounted: 0, bytes_streamed: blobTotal },
      });
      const head = await client.headManifest(client.parse(target), 'copied');
      expect(head.digest).toBe(index.digest);
      const pulled = proxyA.filter({ method: 'GET', kind: 'blob' }).reduce((n, r) => n + r.bytesOut, 0);
      const pushed = proxyB.filter({ kind: 'upload' }).reduce((n, r) => n + r.bytesIn, 0);
      expect(pulled).toBe(blobTotal);
      expect(pushed).toBe(blobTotal);
      console.log(
        `copy between registries: ${pulled} blob bytes read from A, ${pushed} written to B (blob total ${blobTotal}); ${proxyB.count()} requests at B`,
      );
      // A second copy moves no blob bytes: everything is there (HEAD).
      proxyB.reset();
      const again = dataOf(await call({ action: 'copy', repo: 'acme/app:v1', target_repo: target, target_reference: 'copied' }));
      expect(again).toMatchObject({ stats: { skipped: 6, streamed: 0 } });
      expect(proxyB.filter({ kind: 'upload' })).toHaveLength(0);
    });

    it('tag: the same bytes under another tag, no blob traffic', async () => {
      proxyA.reset();
      expect(dataOf(await call({ action: 'tag', repo: 'acme/app', reference: 'v1', target_reference: 'stable' }))).toMatchObject({
        digest: index.digest,
        tag: 'stable',
      });
      expect(proxyA.requests.filter((r) => r.kind === 'blob' || r.kind === 'upload')).toHaveLength(0);
      expect((await client.headManifest(client.parse('acme/app'), 'stable')).digest).toBe(index.digest);
    });

    it('delete_tag: distribution 2.8 deletes by digest only, and says so; the tag survives', async () => {
      const result = await call({ action: 'delete_tag', repo: 'acme/app', reference: 'stable' });
      expect(result.isError).toBe(true);
      const error = (result.structuredContent as { error: { type: string; message: string } }).error;
      expect(error.type).toBe('unsupported');
      expect(error.message).toContain('deletion is by digest on this registry');
      expect((await client.headManifest(client.parse('acme/app'), 'stable')).exists).toBe(true);
    });

    it('delete_manifest by tag: dry_run lists the tags on the digest; the delete goes by digest', async () => {
      const dry = dataOf(await call({ action: 'delete_manifest', repo: 'acme/app', reference: 'v1', dry_run: true }));
      expect(dry).toMatchObject({ digest: index.digest, resolved_from: 'v1', deleted: false, tags: { complete: true } });
      expect(((dry.tags as { tags: string[] }).tags ?? []).sort()).toEqual(['stable', 'v1']);
      proxyA.reset();
      const out = dataOf(await call({ action: 'delete_manifest', repo: 'acme/app', reference: 'v1' }));
      expect(out).toMatchObject({ digest: index.digest, deleted: true });
      expect(proxyA.filter({ method: 'DELETE' }).map((r) => r.path)).toEqual([`/v2/acme/app/manifests/${index.digest}`]);
      expect((await client.headManifest(client.parse('acme/app'), 'v1')).exists).toBe(false);
      expect((await client.headManifest(client.parse('acme/app'), 'stable')).exists).toBe(false);
    });

    it('delete_blob', async () => {
      const bytes = randomBlob(500, 'doomed');
      await pushBlob(client, client.parse('acme/blobs'), bytes);
      expect(dataOf(await call({ action: 'delete_blob', repo: 'acme/blobs', digest: sha(bytes), dry_run: true }))).toMatchObject({
        exists: true,
        size: 500,
        deleted: false,
      });
      expect(dataOf(await call({ action: 'delete_blob', repo: 'acme/blobs', digest: sha(bytes) }))).toMatchObject({ deleted: true });
      expect((await client.headBlob(client.parse('acme/blobs'), sha(bytes))).exists).toBe(false);
    });
  });
});

const BIG = process.env.DOCKERHUB_MCP_BIG_TESTS === '1';
if (available && !BIG)
  console.log(
    'registry-write: the 1 GiB copy memory test runs with DOCKERHUB_MCP_BIG_TESTS=1 (over 60 s here); the 256 MiB variant runs always',
  );

describe.skipIf(!available)('streamed copy memory', () => {
  let src: RegistryHandle;
  let dst: RegistryHandle;
  let app: AppContext;

  beforeAll(async () => {
    [src, dst] = await Promise.all([startRegistry({ auth: 'none' }), startRegistry({ auth: 'none' })]);
    ({ app } = makeApp({ DOCKER_REGISTRY_URL: src.url }));
  });
  afterAll(async () => {
    await app?.close();
    await Promise.all([src?.stop(), dst?.stop()]);
  });

  const size = BIG ? 1024 * 1024 * 1024 : 256 * 1024 * 1024;
  it(
    `copies a ${size / 1024 / 1024} MiB blob between two registries with peak RSS growth < 100 MiB`,
    { timeout: BIG ? 600_000 : 180_000 },
    async () => {
      const client = app.registry;
      const source = client.parse('big/image');
      const blob = await pseudoRandomBlob(size, 'big');
      await uploadBlob(client, source, { digest: blob.digest, size, stream: blob.open() }, { chunkSize: 8 * 1024 * 1024 });
      const config = Buffer.from('{"architecture":"amd64","os":"linux"}');
      await pushBlob(client, source, config);
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
          layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: blob.digest, size }],
        }),
      );
      await putManifest(client, source, 'v1', manifest, OCI_MANIFEST);

      (globalThis as { gc?: () => void }).gc?.();
      await new Promise((r) => setTimeout(r, 200));
      const baseline = process.memoryUsage().rss;
      let peak = baseline;
      const sampler = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage().rss);
      }, 50);
      const started = Date.now();
      let result;
      try {
        result = await copyImage(client, client.parse('big/image:v1'), client.parse(`${dst.host}/big/copy:v1`));
      } finally {
        clearInterval(sampler);
      }
      peak = Math.max(peak, process.memoryUsage().rss);
      const seconds = (Date.now() - started) / 1000;
      const growthMiB = (peak - baseline) / 1024 / 1024;
      console.log(
        `streamed copy of ${size / 1024 / 1024} MiB: ${seconds.toFixed(1)} s (${(size / 1024 / 1024 / seconds).toFixed(0)} MiB/s), peak RSS growth ${growthMiB.toFixed(1)} MiB (baseline ${(baseline / 1024 / 1024).toFixed(0)} MiB)`,
      );
      expect(result.stats).toMatchObject({ streamed: 2, bytes_streamed: size + config.length });
      expect((await client.headManifest(client.parse(`${dst.host}/big/copy`), 'v1')).digest).toBe(sha(manifest));
      expect((await client.headBlob(client.parse(`${dst.host}/big/copy`), blob.digest)).size).toBe(size);
      expect(growthMiB).toBeLessThan(100);
    },
  );
});
