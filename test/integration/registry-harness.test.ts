// Self-test of the registry integration harness (test/helpers/registry): the registry launcher in
// its three auth set-ups, the token service, the counting and paging proxies, and the fixtures.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pseudoRandomBlob, streamDigest, pseudoRandomStream } from '../helpers/registry/blob-stream.js';
import { startCountingProxy, type CountingProxyHandle } from '../helpers/registry/counting-proxy.js';
import { Fixtures, MT, referrersTag, type PushedIndex } from '../helpers/registry/fixtures.js';
import { REGISTRY_MISSING, registryAvailable, startRegistry, type RegistryHandle } from '../helpers/registry/launch.js';
import { startPagingProxy, type PagingProxyHandle } from '../helpers/registry/paging-proxy.js';
import { PushClient, basicHeader, tokenAuth } from '../helpers/registry/push-client.js';

// In CI the registry must be installed (.ci/run does it), so only skip outside CI.
const skip = !registryAvailable() && !process.env.CI;
if (skip) console.warn(`skipping registry integration tests: ${REGISTRY_MISSING}`);

const sha256 = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

describe.skipIf(skip)('registry harness: no auth', () => {
  let reg: RegistryHandle;
  let fx: Fixtures;
  let index: PushedIndex;

  beforeAll(async () => {
    reg = await startRegistry();
    fx = Fixtures.for(reg);
    index = await fx.pushIndex('acme/multi', 'v1', ['linux/amd64', 'linux/arm64/v8'], { attestations: true });
  });
  afterAll(async () => {
    await reg?.stop();
  });

  it('answers /v2/ on a loopback port', async () => {
    expect(reg.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(reg.host).toBe(reg.url.slice('http://'.length));
    const res = await fetch(`${reg.url}/v2/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
  });

  it('serves a pushed OCI index with attestations byte-exact', async () => {
    const got = await fx.client.getManifest('acme/multi', 'v1');
    expect(got.status).toBe(200);
    expect(got.mediaType).toBe(MT.ociIndex);
    expect(got.digest).toBe(index.digest);
    expect(got.bytes.equals(index.bytes)).toBe(true);
    const manifests =
      (index.json.manifests as Array<{
        platform: { os: string; architecture: string; variant?: string };
        annotations?: Record<string, string>;
      }>) ?? [];
    expect(manifests.map((m) => `${m.platform.os}/${m.platform.architecture}`)).toEqual([
      'linux/amd64',
      'linux/arm64',
      'unknown/unknown',
      'unknown/unknown',
    ]);
    expect(manifests[1]!.platform.variant).toBe('v8');
    expect(manifests[2]!.annotations).toEqual({
      'vnd.docker.reference.digest': index.images[0]!.digest,
      'vnd.docker.reference.type': 'attestation-manifest',
    });

    const image = index.images[1]!;
    const child = await fx.client.getManifest('acme/multi', image.digest);
    expect(child.bytes.equals(image.bytes)).toBe(true);
    const config = await fx.client.getBlob('acme/multi', image.config.digest);
    const cfg = JSON.parse(config.toString()) as Record<string, unknown> & {
      config: Record<string, unknown>;
      rootfs: { diff_ids: string[] };
    };
    expect(cfg).toMatchObject({ os: 'linux', architecture: 'arm64', variant: 'v8', rootfs: { type: 'layers' } });
    expect(Object.keys(cfg.config)).toEqual(expect.arrayContaining(['Env', 'Entrypoint', 'Cmd', 'User', 'Labels', 'ExposedPorts']));
    expect(cfg.rootfs.diff_ids).toHaveLength(image.layers.length);

    const att = JSON.parse((await fx.client.getManifest('acme/multi', index.attestations[0]!.digest)).bytes.toString()) as {
      layers: Array<{ mediaType: string; annotations: Record<string, string> }>;
    };
    expect(att.layers.map((l) => l.mediaType)).toEqual([MT.inToto, MT.inToto]);
    expect(att.layers.map((l) => l.annotations['in-toto.io/predicate-type'])).toEqual([
      'https://spdx.dev/Document',
      'https://slsa.dev/provenance/v0.2',
    ]);
  });

  it('pushes a Docker schema2 manifest list', async () => {
    const list = await fx.pushDockerManifestList('acme/docker', 'latest', ['linux/amd64', 'linux/arm/v7']);
    const got = await fx.client.getManifest('acme/docker', 'latest');
    expect(got.mediaType).toBe(MT.dockerList);
    expect(got.bytes.equals(list.bytes)).toBe(true);
    const child = JSON.parse((await fx.client.getManifest('acme/docker', list.images[1]!.digest)).bytes.toString()) as {
      mediaType: string;
      config: { mediaType: string };
      layers: Array<{ mediaType: string }>;
    };
    expect(child.mediaType).toBe(MT.dockerManifest);
    expect(child.config.mediaType).toBe(MT.dockerConfig);
    expect(child.layers.every((l) => l.mediaType === MT.dockerLayerGzip)).toBe(true);
  });

  it('keeps a referrers fallback tag index (distribution 2.8 has no referrers API)', async () => {
    const subject = index.images[0]!;
    const sbom = await fx.pushReferrer('acme/multi', subject.descriptor, 'application/spdx+json');
    const sig = await fx.pushReferrer('acme/multi', subject.digest, 'application/vnd.dev.cosign.artifact.sig.v1+json', {
      annotations: { note: 'sig' },
    });
    expect(sbom.fallbackTag).toBe(referrersTag(subject.digest));
    expect(sbom.fallbackTag).toBe(`sha256-${subject.digest.slice(7)}`);

    const native = await fetch(`${reg.url}/v2/acme/multi/referrers/${subject.digest}`);
    expect(native.status).toBe(404);

    const fallback = await fx.client.getManifest('acme/multi', sbom.fallbackTag, MT.ociIndex);
    expect(fallback.status).toBe(200);
    expect(fallback.bytes.equals(sig.fallbackIndex!.bytes)).toBe(true);
    const body = JSON.parse(fallback.bytes.toString()) as {
      manifests: Array<{ digest: string; artifactType: string; annotations: Record<string, string> }>;
    };
    expect(body.manifests.map((m) => [m.digest, m.artifactType])).toEqual([
      [sbom.artifact.digest, 'application/spdx+json'],
      [sig.artifact.digest, 'application/vnd.dev.cosign.artifact.sig.v1+json'],
    ]);
    expect(body.manifests[1]!.annotations.note).toBe('sig');
    const artifact = JSON.parse((await fx.client.getManifest('acme/multi', sbom.artifact.digest)).bytes.toString()) as {
      subject: { digest: string };
    };
    expect(artifact.subject.digest).toBe(subject.digest);

    await fx.removeFromFallback('acme/multi', subject.digest, sbom.artifact.digest);
    const after = JSON.parse((await fx.client.getManifest('acme/multi', sbom.fallbackTag, MT.ociIndex)).bytes.toString()) as {
      manifests: unknown[];
    };
    expect(after.manifests).toHaveLength(1);
  });

  it('streams a blob larger than a chunk without holding it in memory', async () => {
    const size = 6 * 1024 * 1024 + 123;
    const blob = await pseudoRandomBlob(size, 'harness');
    expect((await streamDigest(pseudoRandomStream(size, 'harness'))).digest).toBe(blob.digest);
    const pushed = await fx.pushLargeBlob('acme/big', size, 'harness');
    expect(pushed).toEqual({ digest: blob.digest, size });
    const res = await fetch(`${reg.url}/v2/acme/big/blobs/${blob.digest}`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(size));
    const back = await fx.client.getBlob('acme/big', blob.digest);
    expect(sha256(back)).toBe(blob.digest);
  });

  it('deletes are enabled', async () => {
    const img = await fx.pushImage('acme/del', 'gone');
    const res = await fetch(`${reg.url}/v2/acme/del/manifests/${img.digest}`, { method: 'DELETE' });
    expect(res.status).toBe(202);
    expect((await fx.client.getManifest('acme/del', 'gone')).status).toBe(404);
  });

  describe('counting proxy', () => {
    let proxy: CountingProxyHandle;
    beforeAll(async () => {
      proxy = await startCountingProxy({ upstream: reg.url });
    });
    afterAll(async () => {
      await proxy?.stop();
    });

    it('counts requests by kind and keeps clients on the proxy', async () => {
      proxy.reset();
      const client = new PushClient(proxy.url);
      const img = await new Fixtures(client).pushImage('acme/counted', 'v1', { layers: [Buffer.from('layer-a'), 10_000] });
      // 3 blobs (2 layers + config): HEAD, POST, PUT each; then the manifest PUT.
      expect(proxy.count({ kind: 'blob', method: 'HEAD' })).toBe(3);
      expect(proxy.count({ kind: 'upload', method: 'POST' })).toBe(3);
      expect(proxy.count({ kind: 'upload', method: 'PUT' })).toBe(3);
      expect(proxy.count({ kind: 'manifest', method: 'PUT' })).toBe(1);
      expect(proxy.count()).toBe(10);
      const putUpload = proxy.filter({ kind: 'upload', method: 'PUT' })[0]!;
      expect(putUpload.status).toBe(201);
      expect(putUpload.bytesIn).toBeGreaterThan(0);

      proxy.reset();
      const post = await fetch(`${proxy.url}/v2/acme/counted/blobs/uploads/`, { method: 'POST' });
      expect(post.headers.get('location')!.startsWith(`${proxy.url}/v2/acme/counted/blobs/uploads/`)).toBe(true);
      const get = await fetch(`${proxy.url}/v2/acme/counted/manifests/v1`, { headers: { accept: MT.ociManifest } });
      expect(Buffer.from(await get.arrayBuffer()).equals(img.bytes)).toBe(true);
      expect(proxy.requests.map((r) => r.kind)).toEqual(['upload', 'manifest']);
      expect(proxy.bytes().out).toBe(img.bytes.length + (Number(post.headers.get('content-length')) || 0));
    });

    it('measures sequential steps', async () => {
      proxy.reset();
      proxy.setDelay(30);
      const path = `${proxy.url}/v2/`;
      for (let i = 0; i < 3; i++) await (await fetch(path)).arrayBuffer();
      await Promise.all([1, 2, 3, 4].map(async () => (await fetch(path)).arrayBuffer()));
      proxy.setDelay(0);
      expect(proxy.count({ kind: 'ping' })).toBe(7);
      expect(proxy.sequentialSteps()).toBe(4);
      expect(proxy.steps().map((s) => s.length)).toEqual([1, 1, 1, 4]);
    });

    it('injects faults', async () => {
      proxy.reset();
      proxy.setFaultHook((req) =>
        req.index === 0 ? { status: 503, headers: { 'retry-after': '1' }, body: 'busy' } : req.index === 1 ? 'reset' : 'pass',
      );
      const first = await fetch(`${proxy.url}/v2/`);
      expect(first.status).toBe(503);
      expect(await first.text()).toBe('busy');
      await expect(fetch(`${proxy.url}/v2/`)).rejects.toThrow();
      expect((await fetch(`${proxy.url}/v2/`)).status).toBe(200);
      proxy.setFaultHook(undefined);
      expect(proxy.requests.map((r) => r.status)).toEqual([503, 0, 200]);
    });
  });

  describe('paging proxy', () => {
    let proxy: PagingProxyHandle;
    let tags: string[];
    beforeAll(async () => {
      ({ tags } = await fx.pushTags('acme/many', 25));
      proxy = await startPagingProxy({ upstream: reg.url });
    });
    afterAll(async () => {
      await proxy?.stop();
    });

    it('distribution 2.8 itself ignores n', async () => {
      const res = await fetch(`${reg.url}/v2/acme/many/tags/list?n=5`);
      expect(((await res.json()) as { tags: string[] }).tags).toHaveLength(25);
      expect(res.headers.get('link')).toBeNull();
    });

    it('slices tags/list and emits Link headers', async () => {
      proxy.reset();
      const first = await fetch(`${proxy.url}/v2/acme/many/tags/list?n=10`);
      expect(first.headers.get('link')).toBe(`</v2/acme/many/tags/list?n=10&last=${tags[9]}>; rel="next"`);
      expect(await first.json()).toEqual({ name: 'acme/many', tags: tags.slice(0, 10) });
      const all = await new PushClient(proxy.url).listTags('acme/many', 10);
      expect(all).toEqual(tags);
      expect(proxy.count({ kind: 'tags' })).toBe(4);
      const lastPage = await fetch(`${proxy.url}/v2/acme/many/tags/list?n=10&last=${tags[19]}`);
      expect(lastPage.headers.get('link')).toBeNull();
      expect(((await lastPage.json()) as { tags: string[] }).tags).toEqual(tags.slice(20));
      expect(((await (await fetch(`${proxy.url}/v2/acme/many/tags/list`)).json()) as { tags: string[] }).tags).toEqual(tags);
      expect(((await (await fetch(`${proxy.url}/v2/acme/many/tags/list?n=0`)).json()) as { tags: string[] }).tags).toEqual([]);
      expect((await fetch(`${proxy.url}/v2/acme/many/tags/list?n=x`)).status).toBe(400);
      expect((await fetch(`${proxy.url}/v2/acme/none/tags/list?n=2`)).status).toBe(404);
    });

    it('pages the catalog', async () => {
      const res = await fetch(`${proxy.url}/v2/_catalog?n=2`);
      const body = (await res.json()) as { repositories: string[] };
      expect(body.repositories).toEqual(['acme/big', 'acme/counted']);
      expect(res.headers.get('link')).toBe('</v2/_catalog?n=2&last=acme%2Fcounted>; rel="next"');
    });
  });
});

describe.skipIf(skip)('registry harness: token auth', () => {
  let reg: RegistryHandle;
  beforeAll(async () => {
    reg = await startRegistry({
      auth: 'token',
      users: { pusher: 'push-pw' },
      token: { users: { reader: { password: 'read-pw', access: 'pull' } }, anonymousPull: ['public/app'] },
    });
  });
  afterAll(async () => {
    await reg?.stop();
  });

  it('challenges with the token service realm', async () => {
    const res = await fetch(`${reg.url}/v2/`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(`Bearer realm="${reg.tokenService!.realm}",service="test-registry"`);
    expect(reg.users).toEqual({ pusher: 'push-pw', reader: 'read-pw' });
  });

  it('pushes with a token, grants anonymous pull only where configured, counts token requests', async () => {
    const ts = reg.tokenService!;
    const pusher = Fixtures.for(reg, { user: 'pusher' });
    const pub = await pusher.pushImage('public/app', 'v1');
    const priv = await pusher.pushImage('private/app', 'v1');

    ts.reset();
    const anon = PushClient.for(reg, { user: null });
    expect((await anon.getManifest('public/app', 'v1')).bytes.equals(pub.bytes)).toBe(true);
    expect((await anon.getManifest('private/app', 'v1')).status).toBe(401);
    await expect(new Fixtures(anon).pushImage('public/app', 'v2')).rejects.toThrow(/401/);
    expect(ts.log.find((e) => e.scopes[0] === 'repository:public/app:pull,push,delete')!.granted).toEqual([
      { type: 'repository', name: 'public/app', actions: ['pull'] },
    ]);

    const reader = PushClient.for(reg, { user: 'reader' });
    expect((await reader.getManifest('private/app', 'v1')).bytes.equals(priv.bytes)).toBe(true);
    await expect(new Fixtures(reader).pushImage('private/app', 'v2')).rejects.toThrow(/401/);

    ts.reset();
    const client = PushClient.for(reg, { user: 'pusher' });
    for (let i = 0; i < 10; i++) {
      expect((await client.getManifest(i % 2 ? 'public/app' : 'private/app', 'v1')).status).toBe(200);
    }
    expect(ts.tokenRequests).toBe(2);
    expect(ts.log.every((e) => e.user === 'pusher' && e.service === 'test-registry')).toBe(true);
    expect(ts.scopesRequested()).toEqual(['repository:private/app:pull,push,delete', 'repository:public/app:pull,push,delete']);
  });

  it('refuses bad credentials at the token service', async () => {
    const res = await fetch(`${reg.tokenService!.realm}?service=test-registry&scope=repository:x:pull`, {
      headers: { authorization: basicHeader('pusher', 'wrong') },
    });
    expect(res.status).toBe(401);
    await expect(
      tokenAuth({ realm: reg.tokenService!.realm, service: 'test-registry', user: 'nobody', password: 'x' })('x'),
    ).rejects.toThrow(/401/);
  });

  it('issues ES256 JWTs with x5c and the expected claims', async () => {
    const res = await fetch(`${reg.tokenService!.realm}?service=test-registry&scope=repository:a/b:pull,push&scope=registry:catalog:*`, {
      headers: { authorization: basicHeader('pusher', 'push-pw') },
    });
    const body = (await res.json()) as { token: string; access_token: string; expires_in: number; issued_at: string };
    expect(body.access_token).toBe(body.token);
    expect(body.expires_in).toBe(300);
    expect(Date.parse(body.issued_at)).not.toBeNaN();
    const [header, claims] = body.token
      .split('.')
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>);
    expect(header).toMatchObject({ alg: 'ES256', typ: 'JWT' });
    expect((header!.x5c as string[])[0]).toMatch(/^MII/);
    expect(claims).toMatchObject({
      iss: 'test-token-service',
      sub: 'pusher',
      aud: 'test-registry',
      access: [
        { type: 'repository', name: 'a/b', actions: ['pull', 'push'] },
        { type: 'registry', name: 'catalog', actions: ['*'] },
      ],
    });
    const c = claims as { exp: number; iat: number; nbf: number; jti: string };
    expect(c.exp - c.iat).toBe(300);
    expect(c.nbf).toBeLessThanOrEqual(c.iat);
    expect(c.jti).toBeTruthy();
  });
});

describe.skipIf(skip)('registry harness: token service options', () => {
  it('can omit expires_in and issued_at, and send only access_token', async () => {
    const { startTokenService } = await import('../helpers/registry/token-service.js');
    const ts = await startTokenService({ expiresIn: null, omitIssuedAt: true, fields: 'access_token', anonymousPull: true });
    try {
      const body = (await (await fetch(`${ts.realm}?service=test-registry&scope=repository:x:pull`)).json()) as Record<string, unknown>;
      expect(Object.keys(body)).toEqual(['access_token']);
      expect(ts.tokenRequests).toBe(1);
    } finally {
      await ts.stop();
    }
  });
});

describe.skipIf(skip)('registry harness: htpasswd', () => {
  let reg: RegistryHandle;
  beforeAll(async () => {
    reg = await startRegistry({ auth: 'htpasswd', users: { alice: 'pässw0rd:with colon' } });
  });
  afterAll(async () => {
    await reg?.stop();
  });

  it('accepts Basic credentials and refuses wrong ones', async () => {
    const anon = await fetch(`${reg.url}/v2/`);
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toBe('Basic realm="test-registry"');
    expect((await fetch(`${reg.url}/v2/`, { headers: { authorization: basicHeader('alice', 'wrong') } })).status).toBe(401);
    expect((await fetch(`${reg.url}/v2/`, { headers: { authorization: basicHeader('alice', 'pässw0rd:with colon') } })).status).toBe(200);

    const fx = Fixtures.for(reg);
    const img = await fx.pushImage('team/app', 'v1', { platform: 'linux/arm64' });
    expect((await fx.client.getManifest('team/app', 'v1')).bytes.equals(img.bytes)).toBe(true);
  });
});
