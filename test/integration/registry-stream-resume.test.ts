// A big blob copied between registries goes up as one streamed request body. When that request
// breaks, the copy resumes: it reads the upload status, re-reads the source from the registry's
// offset with a Range GET, and the destination checks the whole digest at the close.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../../src/context.js';
import { silentLogger } from '../../src/log.js';
import { callTool, type CallResult } from '../../src/tools/framework.js';
import { createHubRegistryTool } from '../../src/tools/hub-registry.js';
import { pseudoRandomBlob } from '../helpers/registry/blob-stream.js';
import { startCountingProxy, type CountingProxyHandle } from '../helpers/registry/counting-proxy.js';
import { Fixtures, type PushedImage } from '../helpers/registry/fixtures.js';
import { REGISTRY_MISSING, registryAvailable, startRegistry, type RegistryHandle } from '../helpers/registry/launch.js';
import { PushClient } from '../helpers/registry/push-client.js';
import { testConfig } from '../helpers/unit/app.js';

const skip = !registryAvailable() && !process.env.CI;
if (skip) console.warn(`skipping streamed-upload resume tests: ${REGISTRY_MISSING}`);

const tool = createHubRegistryTool();
const BLOB_BYTES = 6 * 1024 * 1024; // above the 1 MiB line where uploads stream

function app(): AppContext {
  return createAppContext(testConfig({ DOCKERHUB_ALLOW_DESTRUCTIVE: 'true', DOCKER_CONFIG: '/nonexistent' }), silentLogger, 'test');
}

async function call(context: AppContext, args: Record<string, unknown>): Promise<CallResult> {
  return callTool(tool, args, {
    ctx: { app: context, signal: new AbortController().signal, log: silentLogger, progress: async () => undefined },
    config: context.config,
    caps: { maxBytes: 200_000, maxItems: 500 },
  });
}

describe.skipIf(skip)('streamed upload resume', () => {
  let source: RegistryHandle;
  let target: RegistryHandle;
  let proxy: CountingProxyHandle;
  let sourceProxy: CountingProxyHandle;
  let image: PushedImage;

  beforeAll(async () => {
    source = await startRegistry();
    target = await startRegistry();
    proxy = await startCountingProxy({ upstream: target.url });
    sourceProxy = await startCountingProxy({ upstream: source.url });
    image = await Fixtures.for(source).pushImage('acme/big', 'v1', {
      platform: 'linux/amd64',
      layers: [await pseudoRandomBlob(BLOB_BYTES, 'resume')],
    });
  }, 120_000);

  afterAll(async () => {
    await proxy?.stop();
    await sourceProxy?.stop();
    await source?.stop();
    await target?.stop();
  });

  it('resumes a broken streamed PUT from the source at the committed offset; the digest matches', async () => {
    let broken = 0;
    proxy.setFaultHook((req) => {
      // Drop the connection of the streamed upload (the big layer, sent with its length).
      if (
        req.method === 'PUT' &&
        req.path.includes('/blobs/uploads/') &&
        broken === 0 &&
        req.headers['content-length'] === String(BLOB_BYTES)
      ) {
        broken++;
        return 'reset';
      }
      return 'pass';
    });
    try {
      sourceProxy.reset();
      const result = await call(app(), {
        action: 'copy',
        repo: `${sourceProxy.host}/acme/big:v1`,
        target_repo: `${proxy.host}/acme/big`,
        target_reference: 'v1',
      });
      expect(result.isError, JSON.stringify(result.structuredContent)).toBeFalsy();
    } finally {
      proxy.setFaultHook(undefined);
    }
    expect(broken).toBe(1);
    const layer = (image.json.layers as { digest: string }[])[0]!.digest;
    const puts = proxy.filter({ method: 'PUT', path: '/blobs/uploads/' });
    expect(puts.length, proxy.summary().join('\n')).toBeGreaterThanOrEqual(2);
    // The layer was read twice from the source: the first stream, then the Range re-read.
    expect(sourceProxy.count({ method: 'GET', path: `/blobs/${layer}` }), sourceProxy.summary().join('\n')).toBe(2);
    // The destination holds the exact manifest and the layer under its digest.
    const copied = await new PushClient(target.url).getManifest('acme/big', 'v1');
    expect(copied.digest).toBe(image.digest);
    expect(await new PushClient(target.url).blobExists('acme/big', layer)).toBe(true);
  });

  it('gives up with a clear error after its resumes, and leaves no tag', async () => {
    let broken = 0;
    proxy.setFaultHook((req) => {
      if (req.method === 'PUT' && req.path.includes('/blobs/uploads/')) {
        broken++;
        return 'reset';
      }
      return 'pass';
    });
    try {
      const result = await call(app(), {
        action: 'copy',
        repo: `${source.host}/acme/big:v1`,
        target_repo: `${proxy.host}/acme/other`,
        target_reference: 'v1',
      });
      expect(result.isError).toBe(true);
      expect(JSON.stringify(result.structuredContent)).toMatch(/network_error|upstream_error/);
    } finally {
      proxy.setFaultHook(undefined);
    }
    expect(broken).toBeGreaterThan(1);
    expect((await new PushClient(target.url).getManifest('acme/other', 'v1')).status).toBe(404);
  });
});
