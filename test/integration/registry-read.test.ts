// hub_registry read actions against a real registry process (Debian's docker-registry), with a
// counting proxy in front so the request economy is measured where the registry sees it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createAppContext, type AppContext } from '../../src/context.js';
import { silentLogger } from '../../src/log.js';
import { callTool, type CallResult } from '../../src/tools/framework.js';
import { createHubRegistryTool } from '../../src/tools/hub-registry.js';
import { startCountingProxy, type CountingProxyHandle } from '../helpers/registry/counting-proxy.js';
import { Fixtures, type PushedImage, type PushedIndex } from '../helpers/registry/fixtures.js';
import { REGISTRY_MISSING, registryAvailable, startRegistry, type RegistryHandle } from '../helpers/registry/launch.js';
import { startPagingProxy, type PagingProxyHandle } from '../helpers/registry/paging-proxy.js';

const skip = !registryAvailable() && !process.env.CI;
if (skip) console.warn(`skipping registry read integration tests: ${REGISTRY_MISSING}`);

const tool = createHubRegistryTool();

/** A server context as main builds it, with docker config credentials for `auths`. */
function appFor(auths: Record<string, { user: string; password: string }> = {}): AppContext {
  const dir = mkdtempSync(join(tmpdir(), 'dockercfg-'));
  const entries = Object.fromEntries(
    Object.entries(auths).map(([host, a]) => [host, { auth: Buffer.from(`${a.user}:${a.password}`).toString('base64') }]),
  );
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: entries }));
  const outcome = loadConfig({ argv: [], env: { HOME: dir, DOCKER_CONFIG: dir, LOG_LEVEL: 'silent' } });
  if (outcome.kind !== 'config') throw new Error('config');
  return createAppContext(outcome.config, silentLogger, 'test');
}

async function call(app: AppContext, args: Record<string, unknown>): Promise<CallResult> {
  return callTool(tool, args, {
    ctx: { app, signal: new AbortController().signal, log: silentLogger, progress: async () => undefined },
    config: app.config,
    caps: { maxBytes: 200_000, maxItems: 500 },
  });
}

function data<T = Record<string, unknown>>(result: CallResult): T {
  if (result.isError) throw new Error(`tool error: ${JSON.stringify(result.structuredContent)}`);
  return (result.structuredContent as { data: T }).data;
}

function errorOf(result: CallResult): { type: string; message: string; hint?: string } {
  expect(result.isError).toBe(true);
  return (result.structuredContent as { error: { type: string; message: string; hint?: string } }).error;
}

describe.skipIf(skip)('hub_registry reads on a token-auth registry', () => {
  let reg: RegistryHandle;
  let proxy: CountingProxyHandle;
  let index: PushedIndex;
  let list: PushedIndex;
  let single: PushedImage;
  let artifactDigest: string;
  let repo: (name: string) => string;
  let creds: Record<string, { user: string; password: string }>;

  beforeAll(async () => {
    reg = await startRegistry({ auth: 'token' });
    proxy = await startCountingProxy({ upstream: reg.url });
    const fx = Fixtures.for(reg);
    index = await fx.pushIndex('acme/app', 'v1', ['linux/amd64', 'linux/arm64/v8', 'linux/arm/v7'], { attestations: true });
    list = await fx.pushDockerManifestList('acme/list', 'v1', ['linux/amd64', 'linux/arm64/v8']);
    single = await fx.pushImage('acme/single', 'v1', { platform: 'linux/amd64' });
    for (const name of ['r1', 'r2', 'r3', 'r4']) await fx.pushImage(`acme/${name}`, 'latest', { platform: 'linux/amd64' });
    const referrer = await fx.pushReferrer('acme/app', index.images[0]!.descriptor, 'application/vnd.example.sbom+json');
    artifactDigest = referrer.artifact.digest;
    repo = (name: string) => `${proxy.host}/${name}`;
    creds = { [proxy.host]: { user: 'tester', password: reg.users.tester! } };
  }, 120_000);

  afterAll(async () => {
    await proxy?.stop();
    await reg?.stop();
  });

  it('resolves a tag to a digest with exactly one HEAD when warm', async () => {
    const app = appFor(creds);
    const cold = data(await call(app, { action: 'resolve_digest', repo: repo('acme/app'), reference: 'v1' }));
    expect(cold).toMatchObject({ digest: index.digest, exists: true });
    proxy.reset();
    const warm = data(await call(app, { action: 'resolve_digest', repo: repo('acme/app:v1') }));
    expect(warm.digest).toBe(index.digest);
    expect(proxy.summary()).toEqual([`HEAD /v2/acme/app/manifests/v1 -> 200`]);
  });

  it('inspects an N-platform index with configs in 2N+1 requests over 3 sequential steps, then 1 HEAD, then none', async () => {
    const app = appFor(creds);
    // Teach the client this registry's challenge on another repository first.
    data(await call(app, { action: 'resolve_digest', repo: repo('acme/r1') }));
    proxy.reset();
    // A per-request delay makes round trips dominate, as on a real network, so overlapping
    // requests overlap at the proxy even when this process's event loop is busy.
    proxy.setDelay(40);
    const result = data<{
      digest: string;
      platforms: { platform: string; size: number; layers: number; created: string; config?: Record<string, unknown> }[];
      attestations: { for_digest: string }[];
    }>(await call(app, { action: 'inspect', repo: repo('acme/app:v1'), include_config: true }));
    const n = 3;
    expect(proxy.count(), proxy.summary().join('\n')).toBe(2 * n + 1);
    proxy.setDelay(0);
    expect(proxy.sequentialSteps(), proxy.summary().join('\n')).toBe(3);
    expect(result.digest).toBe(index.digest);
    expect(result.platforms.map((p) => p.platform)).toEqual(['linux/amd64', 'linux/arm64/v8', 'linux/arm/v7']);
    expect(result.attestations.map((a) => a.for_digest)).toEqual(index.images.map((i) => i.digest));
    const first = result.platforms[0]!;
    const image = index.images[0]!;
    const layerBytes = (image.json.layers as { size: number }[]).reduce((s, l) => s + l.size, 0);
    expect(first.size).toBe(image.size + (image.json.config as { size: number }).size + layerBytes);
    expect(first.layers).toBe((image.json.layers as unknown[]).length);
    expect(first.created).toBeTruthy();
    expect(first.config).toMatchObject({ env: expect.any(Array) as unknown, history_length: expect.any(Number) as unknown });

    proxy.reset();
    data(await call(app, { action: 'inspect', repo: repo('acme/app:v1'), include_config: true }));
    expect(proxy.summary()).toEqual(['HEAD /v2/acme/app/manifests/v1 -> 200']);

    proxy.reset();
    data(await call(app, { action: 'inspect', repo: repo(`acme/app@${index.digest}`), include_config: true }));
    expect(proxy.count()).toBe(0);
  });

  it('needs at most one token per repository for 100 calls over 4 repositories', async () => {
    const app = appFor(creds);
    const service = reg.tokenService!;
    service.reset();
    const calls = Array.from({ length: 100 }, (_, i) => call(app, { action: 'resolve_digest', repo: repo(`acme/r${(i % 4) + 1}`) }));
    const results = await Promise.all(calls);
    expect(results.filter((r) => r.isError)).toHaveLength(0);
    console.log(`token requests for 100 calls over 4 repositories: ${service.tokenRequests}`);
    expect(service.tokenRequests).toBeLessThanOrEqual(4);
  });

  it('lists platforms apart from attestations, for OCI indexes, Docker lists and single images', async () => {
    const app = appFor(creds);
    const oci = data<{ platforms: { platform: string }[]; attestations: unknown[] }>(
      await call(app, { action: 'list_platforms', repo: repo('acme/app'), reference: 'v1' }),
    );
    expect(oci.platforms.map((p) => p.platform)).toEqual(['linux/amd64', 'linux/arm64/v8', 'linux/arm/v7']);
    expect(oci.attestations).toHaveLength(3);
    const docker = data<{ media_type: string; platforms: { platform: string }[] }>(
      await call(app, { action: 'list_platforms', repo: repo('acme/list:v1') }),
    );
    expect(docker.media_type).toBe('application/vnd.docker.distribution.manifest.list.v2+json');
    expect(docker.platforms.map((p) => p.platform)).toEqual(['linux/amd64', 'linux/arm64/v8']);
    const one = data<{ platforms: { platform: string; digest: string }[] }>(
      await call(app, { action: 'list_platforms', repo: repo('acme/single:v1') }),
    );
    expect(one.platforms).toEqual([expect.objectContaining({ platform: 'linux/amd64', digest: single.digest })]);
    expect(list.digest).toMatch(/^sha256:/);
  });

  it('gets manifests and configs per platform', async () => {
    const app = appFor(creds);
    const arm = data<{ digest: string; index_digest: string }>(
      await call(app, { action: 'get_manifest', repo: repo('acme/app:v1'), platform: 'linux/arm64/v8' }),
    );
    expect(arm).toMatchObject({ digest: index.images[1]!.digest, index_digest: index.digest });
    const config = data<{ config: { architecture: string; variant: string } }>(
      await call(app, { action: 'get_config', repo: repo('acme/app:v1'), platform: 'linux/arm64' }),
    );
    expect(config.config).toMatchObject({ architecture: 'arm64', variant: 'v8' });
    const missing = errorOf(await call(app, { action: 'get_config', repo: repo('acme/app:v1'), platform: 'windows/amd64' }));
    expect(missing.type).toBe('not_found');
    expect(missing.hint).toContain('linux/arm64/v8');
  });

  it('reads blobs: JSON parsed, binary as base64 under a cap; HEAD checks', async () => {
    const app = appFor(creds);
    const image = index.images[0]!;
    const configDigest = (image.json.config as { digest: string }).digest;
    const json = data<{ encoding: string; verified: boolean; content: { architecture: string } }>(
      await call(app, { action: 'get_blob', repo: repo('acme/app'), digest: configDigest }),
    );
    expect(json).toMatchObject({ encoding: 'json', verified: true, content: { architecture: 'amd64' } });
    const layer = (image.json.layers as { digest: string; size: number }[])[0]!;
    const cut = await call(app, { action: 'get_blob', repo: repo('acme/app'), digest: layer.digest, max_bytes: 16 });
    expect((cut.structuredContent as { truncated?: boolean }).truncated).toBe(true);
    expect(data<{ encoding: string; size: number }>(cut)).toMatchObject({ encoding: 'base64', size: layer.size });
    expect(data(await call(app, { action: 'check_blob', repo: repo('acme/app'), digest: layer.digest }))).toMatchObject({
      exists: true,
      size: layer.size,
    });
    expect(data(await call(app, { action: 'check_blob', repo: repo('acme/app'), digest: `sha256:${'0'.repeat(64)}` }))).toMatchObject({
      exists: false,
    });
    expect(data(await call(app, { action: 'check_manifest', repo: repo('acme/app:nope') }))).toMatchObject({ exists: false });
  });

  it('finds referrers through the tag-schema fallback (this registry has no referrers API)', async () => {
    const app = appFor(creds);
    const subject = index.images[0]!.digest;
    const found = data<{ source: string; referrers: { digest: string; artifact_type: string }[] }>(
      await call(app, { action: 'list_referrers', repo: repo('acme/app'), digest: subject }),
    );
    expect(found.source).toBe('fallback_tag');
    expect(found.referrers).toEqual([
      expect.objectContaining({ digest: artifactDigest, artifact_type: 'application/vnd.example.sbom+json' }),
    ]);
    const none = data<{ referrers: unknown[] }>(
      await call(app, { action: 'list_referrers', repo: repo('acme/app'), digest: subject, artifact_type: 'application/other' }),
    );
    expect(none.referrers).toEqual([]);
  });

  it('refuses anonymous access to a protected repository with a hint', async () => {
    const app = appFor();
    const error = errorOf(await call(app, { action: 'resolve_digest', repo: repo('acme/app:v1') }));
    expect(error.type).toBe('unauthorized');
    expect(error.hint).toBeTruthy();
  });

  it('detects a corrupted manifest by its digest and returns no data', async () => {
    const app = appFor(creds);
    const target = index.images[2]!;
    proxy.setFaultHook((req) =>
      req.method === 'GET' && req.path.endsWith(`/manifests/${target.digest}`)
        ? {
            status: 200,
            headers: { 'content-type': target.mediaType, 'docker-content-digest': target.digest },
            body: Buffer.from(target.bytes.toString('utf8').replace('amd64', 'AMD64').replace('"size":', '"size": ')),
          }
        : 'pass',
    );
    try {
      const error = errorOf(await call(app, { action: 'get_manifest', repo: repo(`acme/app@${target.digest}`) }));
      expect(error.type).toBe('integrity_error');
    } finally {
      proxy.setFaultHook(undefined);
    }
  });

  it('rejects malformed references and digests before any request', async () => {
    const app = appFor(creds);
    proxy.reset();
    for (const args of [
      { action: 'resolve_digest', repo: repo('acme/../etc') },
      { action: 'resolve_digest', repo: repo('acme%2fapp') },
      { action: 'resolve_digest', repo: repo('acme/app name') },
      { action: 'resolve_digest', repo: repo('Acme/App') },
      { action: 'get_blob', repo: repo('acme/app'), digest: 'sha256:1234' },
      { action: 'get_blob', repo: repo('acme/app'), digest: `sha256:${'A'.repeat(64)}` },
      { action: 'get_manifest', repo: repo('acme/app'), reference: '-bad-tag' },
    ]) {
      expect(errorOf(await call(app, args)).type, JSON.stringify(args)).toBe('invalid_argument');
    }
    expect(proxy.count()).toBe(0);
  });
});

describe.skipIf(skip)('hub_registry reads on an open registry behind a paging proxy', () => {
  let reg: RegistryHandle;
  let paging: PagingProxyHandle;

  beforeAll(async () => {
    reg = await startRegistry();
    const fx = Fixtures.for(reg);
    await fx.pushTags('acme/many', 250);
    await fx.pushImage('acme/other', 'v1', { platform: 'linux/amd64' });
    paging = await startPagingProxy({ upstream: reg.url });
  }, 120_000);

  afterAll(async () => {
    await paging?.stop();
    await reg?.stop();
  });

  it('follows Link pages for list_tags, and stops at max_items with next', async () => {
    const app = appFor();
    const all = data<{ count: number; tags: string[] }>(await call(app, { action: 'list_tags', repo: `${paging.host}/acme/many`, n: 100 }));
    expect(all.count).toBe(250);
    expect(paging.count({ kind: 'tags' })).toBe(3);
    const first = await call(app, { action: 'list_tags', repo: `${paging.host}/acme/many`, n: 100, max_items: 120 });
    const page = first.structuredContent as { truncated?: boolean; next?: { last: string }; data: { tags: string[] } };
    expect(page.truncated).toBe(true);
    expect(page.data.tags).toHaveLength(120);
    const rest = data<{ tags: string[] }>(
      await call(app, { action: 'list_tags', repo: `${paging.host}/acme/many`, n: 100, last: page.next!.last }),
    );
    expect([...page.data.tags, ...rest.tags]).toEqual(all.tags);
  });

  it('sorts and filters tags', async () => {
    const app = appFor();
    const result = data<{ tags: string[] }>(
      await call(app, { action: 'list_tags', repo: `${paging.host}/acme/many`, filter: '*9', sort: 'name' }),
    );
    expect(result.tags.length).toBeGreaterThan(0);
    expect(result.tags.every((t) => t.endsWith('9'))).toBe(true);
    expect([...result.tags].sort((a, b) => a.localeCompare(b))).toEqual(result.tags);
  });

  it('lists repositories through the catalog, and probes the API', async () => {
    const app = appFor();
    const catalog = data<{ repositories: string[] }>(await call(app, { action: 'list_repositories', registry: paging.host }));
    expect(catalog.repositories).toEqual(expect.arrayContaining(['acme/many', 'acme/other']));
    const probe = data(await call(app, { action: 'api_version', registry: paging.host }));
    expect(probe).toMatchObject({ supported: true, api_version: 'registry/2.0' });
  });
});

describe.skipIf(skip)('hub_registry reads on an htpasswd (Basic) registry', () => {
  let reg: RegistryHandle;

  beforeAll(async () => {
    reg = await startRegistry({ auth: 'htpasswd' });
    await Fixtures.for(reg).pushImage('acme/basic', 'v1', { platform: 'linux/arm64/v8' });
  }, 60_000);

  afterAll(async () => {
    await reg?.stop();
  });

  it('uses Basic credentials from the docker config, and explains a wrong password', async () => {
    const good = appFor({ [reg.host]: { user: 'tester', password: reg.users.tester! } });
    const result = data<{ platforms: { platform: string }[] }>(await call(good, { action: 'inspect', repo: `${reg.host}/acme/basic:v1` }));
    expect(result.platforms[0]!.platform).toBe('linux/arm64/v8');
    const bad = appFor({ [reg.host]: { user: 'tester', password: 'wrong' } });
    expect(errorOf(await call(bad, { action: 'inspect', repo: `${reg.host}/acme/basic:v1` })).type).toBe('unauthorized');
  });
});
