// hub_registry read actions through callTool, against a Docker Hub and a third-party registry
// mocked with msw: what each action returns, and how few requests it takes cold and warm.
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import {
  buildImage,
  buildIndex,
  callRegistry,
  content,
  exampleRegistry,
  failed,
  HUB_ORIGIN,
  hubRegistry,
  jsonContent,
  MT,
  ok,
  REG_ORIGIN,
  registryApp,
  sha256,
  twoPlatformIndex,
  useRegistryMsw,
  type BuiltIndex,
} from '../../helpers/unit-registry/fake-registry.js';

const msw = useRegistryMsw();

const built: BuiltIndex = twoPlatformIndex();
const [amd64, arm64] = built.images as [(typeof built.images)[0], (typeof built.images)[0]];
const REPO = 'acme/app';

function hubWithIndex() {
  const hub = hubRegistry().putIndex(REPO, built, '1.0');
  msw.server.use(...hub.handlers());
  return hub;
}

const imageSize = (image: typeof amd64): number =>
  image.manifest.size + image.config.size + image.layers.reduce((sum, l) => sum + l.size, 0);

interface InspectData {
  digest: string;
  media_type: string;
  reference: string;
  platforms: Record<string, unknown>[];
  attestations: Record<string, unknown>[];
}

describe('resolve_digest', () => {
  it('is one HEAD (and one token) cold on Docker Hub, exactly one HEAD warm', async () => {
    const hub = hubWithIndex();
    const app = registryApp();
    const cold = ok<{ digest: string; media_type: string; exists: boolean; reference: string }>(
      await callRegistry(app, { action: 'resolve_digest', repo: REPO, reference: '1.0' }),
    );
    expect(cold.data).toEqual({ reference: '1.0', digest: built.index.digest, media_type: MT.ociIndex, exists: true });
    expect(msw.to(HUB_ORIGIN).map((s) => s.method)).toEqual(['HEAD']);
    expect(hub.tokenRequests).toHaveLength(1);

    msw.seen.length = 0;
    ok(await callRegistry(app, { action: 'resolve_digest', repo: `${REPO}:1.0` }));
    expect(msw.seen.map((s) => `${s.method} ${s.url.origin}${s.url.pathname}`)).toEqual([`HEAD ${HUB_ORIGIN}/v2/acme/app/manifests/1.0`]);
    expect(hub.tokenRequests).toHaveLength(1);
  });

  it('an unknown tag: exists false, status 404, not an error', async () => {
    hubWithIndex();
    const result = ok<{ exists: boolean; digest: null }>(
      await callRegistry(registryApp(), { action: 'resolve_digest', repo: `${REPO}:nope` }),
    );
    expect(result.status_code).toBe(404);
    expect(result.data).toMatchObject({ exists: false, digest: null });
  });
});

describe('inspect a 2-platform OCI index with attestations', () => {
  it('lists platforms without attestations, attestations with for_digest, sizes, created, layers', async () => {
    hubWithIndex();
    const result = ok<InspectData>(await callRegistry(registryApp(), { action: 'inspect', repo: `${REPO}:1.0` }));
    expect(result.data).toMatchObject({ digest: built.index.digest, media_type: MT.ociIndex, reference: '1.0' });
    expect(result.data.platforms).toEqual([
      {
        platform: 'linux/amd64',
        os: 'linux',
        architecture: 'amd64',
        digest: amd64.manifest.digest,
        media_type: MT.ociManifest,
        size: imageSize(amd64),
        layers: 2,
        created: '2024-06-01T10:00:00Z',
      },
      {
        platform: 'linux/arm64/v8',
        os: 'linux',
        architecture: 'arm64',
        variant: 'v8',
        digest: arm64.manifest.digest,
        media_type: MT.ociManifest,
        size: imageSize(arm64),
        layers: 3,
        created: '2024-06-02T11:00:00Z',
      },
    ]);
    expect(result.data.attestations).toEqual(
      built.attestations.map((att, i) => ({
        digest: att.digest,
        media_type: MT.ociManifest,
        size: att.size,
        for_digest: built.images[i]!.manifest.digest,
      })),
    );
    expect(result.data.platforms.map((p) => p.platform)).not.toContain('unknown/unknown');
  });

  it('include_config adds the config summary', async () => {
    hubWithIndex();
    const result = ok<InspectData>(
      await callRegistry(registryApp(), { action: 'inspect', repo: `${REPO}:1.0`, include_config: true, platform: 'linux/amd64' }),
    );
    expect(result.data.platforms).toHaveLength(1);
    expect(result.data.platforms[0]?.config).toEqual({
      env: ['PATH=/usr/bin', 'APP_MODE=prod'],
      entrypoint: ['/entry.sh'],
      cmd: ['serve', '--port', '8080'],
      user: 'app',
      working_dir: '/app',
      labels: { 'org.opencontainers.image.title': 'demo' },
      exposed_ports: ['8080/tcp', '9090/udp'],
      history_length: 5,
    });
  });

  it('without include_config there is no config summary', async () => {
    hubWithIndex();
    const result = ok<InspectData>(await callRegistry(registryApp(), { action: 'inspect', repo: `${REPO}:1.0` }));
    for (const p of result.data.platforms) expect(p).not.toHaveProperty('config');
  });

  it('request counts: cold 1 + 2 + 2 = 5 registry requests (+1 token), by tag again 1 HEAD, by digest 0', async () => {
    const hub = hubWithIndex();
    const app = registryApp();
    ok(await callRegistry(app, { action: 'inspect', repo: `${REPO}:1.0` }));
    const cold = msw.to(HUB_ORIGIN);
    expect(cold).toHaveLength(5);
    expect(cold.every((s) => s.method === 'GET' && s.headers.get('authorization') === `Bearer ${hub.token}`)).toBe(true);
    expect(cold.map((s) => s.url.pathname).sort()).toEqual(
      [
        '/v2/acme/app/manifests/1.0',
        `/v2/acme/app/manifests/${amd64.manifest.digest}`,
        `/v2/acme/app/manifests/${arm64.manifest.digest}`,
        `/v2/acme/app/blobs/${amd64.config.digest}`,
        `/v2/acme/app/blobs/${arm64.config.digest}`,
      ].sort(),
    );
    expect(hub.tokenRequests).toHaveLength(1);

    msw.seen.length = 0;
    const byTag = ok<InspectData>(await callRegistry(app, { action: 'inspect', repo: `${REPO}:1.0` }));
    expect(msw.seen.map((s) => `${s.method} ${s.url.pathname}`)).toEqual(['HEAD /v2/acme/app/manifests/1.0']);
    expect(byTag.data.platforms).toHaveLength(2);

    msw.seen.length = 0;
    const byDigest = ok<InspectData>(await callRegistry(app, { action: 'inspect', repo: `${REPO}@${built.index.digest}` }));
    expect(msw.seen).toHaveLength(0);
    expect(byDigest.data.platforms).toEqual(byTag.data.platforms);
    expect(hub.tokenRequests).toHaveLength(1);
  });

  it('platform linux/arm64/v8 picks the arm64 image only (index + 1 manifest + 1 config)', async () => {
    hubWithIndex();
    const result = ok<InspectData>(
      await callRegistry(registryApp(), { action: 'inspect', repo: `${REPO}:1.0`, platform: 'linux/arm64/v8' }),
    );
    expect(result.data.platforms.map((p) => [p.platform, p.digest])).toEqual([['linux/arm64/v8', arm64.manifest.digest]]);
    expect(msw.to(HUB_ORIGIN)).toHaveLength(3);
  });

  it('platform linux/arm64 (no variant) also finds the v8 image', async () => {
    hubWithIndex();
    const result = ok<InspectData>(await callRegistry(registryApp(), { action: 'inspect', repo: `${REPO}:1.0`, platform: 'linux/arm64' }));
    expect(result.data.platforms.map((p) => p.digest)).toEqual([arm64.manifest.digest]);
  });

  it('an unknown platform is not_found, with the available platforms in the hint', async () => {
    hubWithIndex();
    const error = failed(await callRegistry(registryApp(), { action: 'inspect', repo: `${REPO}:1.0`, platform: 'linux/s390x' }));
    expect(error.type).toBe('not_found');
    expect(error.message).toContain('linux/s390x');
    expect(error.hint ?? '(no hint)').toContain('linux/amd64, linux/arm64/v8');
  });

  it('a malformed platform is invalid_argument before any request', async () => {
    hubWithIndex();
    expect(failed(await callRegistry(registryApp(), { action: 'inspect', repo: `${REPO}:1.0`, platform: 'linux' })).type).toBe(
      'invalid_argument',
    );
    expect(msw.seen).toHaveLength(0);
  });

  it('a single-platform image inspects to one platform', async () => {
    const single = buildImage({ platform: { os: 'linux', architecture: 'riscv64' }, layers: ['only'] });
    const hub = hubRegistry().putImage('library/busybox', single, 'latest');
    msw.server.use(...hub.handlers());
    const result = ok<InspectData>(await callRegistry(registryApp(), { action: 'inspect', repo: 'busybox' }));
    expect(result.data).toMatchObject({
      digest: single.manifest.digest,
      media_type: MT.ociManifest,
      reference: 'latest',
      attestations: [],
    });
    expect(result.data.platforms).toEqual([
      {
        platform: 'linux/riscv64',
        os: 'linux',
        architecture: 'riscv64',
        digest: single.manifest.digest,
        media_type: MT.ociManifest,
        size: imageSize(single),
        layers: 1,
        created: '2024-05-01T12:00:00Z',
      },
    ]);
  });
});

describe('get_config / get_manifest / list_platforms', () => {
  it('get_config defaults to linux/amd64', async () => {
    hubWithIndex();
    const result = ok<{ manifest_digest: string; config_digest: string; media_type: string; config: unknown }>(
      await callRegistry(registryApp(), { action: 'get_config', repo: `${REPO}:1.0` }),
    );
    expect(result.data).toEqual({
      manifest_digest: amd64.manifest.digest,
      config_digest: amd64.config.digest,
      media_type: MT.ociConfig,
      config: amd64.configJson,
    });
  });

  it('get_config for linux/arm64/v8', async () => {
    hubWithIndex();
    const result = ok<{ config_digest: string }>(
      await callRegistry(registryApp(), { action: 'get_config', repo: `${REPO}:1.0`, platform: 'linux/arm64/v8' }),
    );
    expect(result.data.config_digest).toBe(arm64.config.digest);
  });

  it('get_config for a missing platform: not_found listing the available ones', async () => {
    hubWithIndex();
    const error = failed(await callRegistry(registryApp(), { action: 'get_config', repo: `${REPO}:1.0`, platform: 'windows/amd64' }));
    expect(error.type).toBe('not_found');
    expect(error.hint).toContain('linux/amd64, linux/arm64/v8');
    expect(error.hint).not.toContain('unknown');
  });

  it('get_manifest returns the index as stored', async () => {
    hubWithIndex();
    const result = ok<{ digest: string; media_type: string; size: number; manifest: unknown }>(
      await callRegistry(registryApp(), { action: 'get_manifest', repo: REPO, reference: '1.0' }),
    );
    expect(result.data).toEqual({
      repository: REPO,
      digest: built.index.digest,
      media_type: MT.ociIndex,
      size: built.index.size,
      manifest: JSON.parse(built.index.bytes.toString('utf8')),
    });
  });

  it('get_manifest with platform returns that image manifest and the index digest', async () => {
    hubWithIndex();
    const result = ok<Record<string, unknown>>(
      await callRegistry(registryApp(), { action: 'get_manifest', repo: `${REPO}:1.0`, platform: 'linux/arm64/v8' }),
    );
    expect(result.data).toMatchObject({
      digest: arm64.manifest.digest,
      media_type: MT.ociManifest,
      size: arm64.manifest.size,
      index_digest: built.index.digest,
    });
    expect(result.data.manifest).toEqual(JSON.parse(arm64.manifest.bytes.toString('utf8')));
  });

  it('list_platforms for an index: platforms and attestations apart, one request', async () => {
    hubWithIndex();
    const result = ok<{ digest: string; platforms: Record<string, unknown>[]; attestations: Record<string, unknown>[] }>(
      await callRegistry(registryApp(), { action: 'list_platforms', repo: `${REPO}:1.0` }),
    );
    expect(result.data.digest).toBe(built.index.digest);
    expect(result.data.platforms).toEqual([
      {
        platform: 'linux/amd64',
        os: 'linux',
        architecture: 'amd64',
        digest: amd64.manifest.digest,
        media_type: MT.ociManifest,
        size: amd64.manifest.size,
      },
      {
        platform: 'linux/arm64/v8',
        os: 'linux',
        architecture: 'arm64',
        variant: 'v8',
        digest: arm64.manifest.digest,
        media_type: MT.ociManifest,
        size: arm64.manifest.size,
      },
    ]);
    expect(result.data.attestations.map((a) => a.for_digest)).toEqual([amd64.manifest.digest, arm64.manifest.digest]);
    expect(msw.to(HUB_ORIGIN)).toHaveLength(1);
  });

  it('list_platforms for a single image reads its platform from the config', async () => {
    const single = buildImage({ platform: { os: 'linux', architecture: 'arm', variant: 'v7' } });
    const hub = hubRegistry().putImage('library/tiny', single, 'latest');
    msw.server.use(...hub.handlers());
    const result = ok<{ digest: string; platforms: Record<string, unknown>[]; attestations: unknown[] }>(
      await callRegistry(registryApp(), { action: 'list_platforms', repo: 'tiny' }),
    );
    expect(result.data.digest).toBe(single.manifest.digest);
    expect(result.data.attestations).toEqual([]);
    expect(result.data.platforms).toHaveLength(1);
    expect(result.data.platforms[0]).toMatchObject({
      platform: 'linux/arm/v7',
      os: 'linux',
      architecture: 'arm',
      variant: 'v7',
      digest: single.manifest.digest,
      size: single.manifest.size,
    });
  });
});

describe('get_blob', () => {
  function blobRegistry(...blobs: ReturnType<typeof content>[]) {
    const reg = exampleRegistry({ auth: 'none' });
    for (const b of blobs) reg.putBlob('team/app', b);
    msw.server.use(...reg.handlers());
    return reg;
  }

  it('JSON is parsed and verified', async () => {
    blobRegistry(amd64.config);
    const result = ok<Record<string, unknown>>(
      await callRegistry(registryApp(), { action: 'get_blob', repo: 'reg.example.test/team/app', digest: amd64.config.digest }),
    );
    expect(result.data).toMatchObject({
      digest: amd64.config.digest,
      size: amd64.config.size,
      encoding: 'json',
      verified: true,
      content: amd64.configJson,
    });
    expect(result.truncated).toBeUndefined();
  });

  it('text stays text', async () => {
    const text = content('hello\nworld\n', 'text/plain');
    blobRegistry(text);
    const result = ok<Record<string, unknown>>(
      await callRegistry(registryApp(), { action: 'get_blob', repo: 'reg.example.test/team/app', digest: text.digest }),
    );
    expect(result.data).toMatchObject({ encoding: 'text', content: 'hello\nworld\n', verified: true });
  });

  it('binary is base64', async () => {
    const binary = content(Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff, 0xfe, 0x00, 0x01]), MT.ociLayerGzip);
    blobRegistry(binary);
    const result = ok<Record<string, unknown>>(
      await callRegistry(registryApp(), { action: 'get_blob', repo: 'reg.example.test/team/app', digest: binary.digest }),
    );
    expect(result.data).toMatchObject({ encoding: 'base64', content: binary.bytes.toString('base64'), verified: true, size: 8 });
  });

  it('max_bytes cuts the read: truncated, not verified, size still the full size', async () => {
    const big = content('0123456789'.repeat(50), 'text/plain');
    blobRegistry(big);
    const result = ok<Record<string, unknown>>(
      await callRegistry(registryApp(), { action: 'get_blob', repo: 'reg.example.test/team/app', digest: big.digest, max_bytes: 25 }),
    );
    expect(result.truncated).toBe(true);
    expect(result.data).toMatchObject({
      truncated: true,
      verified: false,
      encoding: 'text',
      content: '0123456789012345678901234',
      size: 500,
    });
  });

  it('a blob exactly max_bytes long is read whole and verified', async () => {
    const exact = content('x'.repeat(32), 'text/plain');
    blobRegistry(exact);
    const result = ok<Record<string, unknown>>(
      await callRegistry(registryApp(), { action: 'get_blob', repo: 'reg.example.test/team/app', digest: exact.digest, max_bytes: 32 }),
    );
    expect(result.data).toMatchObject({ verified: true, content: 'x'.repeat(32) });
    expect(result.truncated).toBeUndefined();
  });

  it('a full read that does not hash to the digest → integrity_error, no content', async () => {
    const claimed = sha256('what the client asked for');
    msw.server.use(http.get(`${REG_ORIGIN}/v2/team/app/blobs/${claimed}`, () => new HttpResponse(Buffer.from('something else entirely'))));
    const error = failed(await callRegistry(registryApp(), { action: 'get_blob', repo: 'reg.example.test/team/app', digest: claimed }));
    expect(error.type).toBe('integrity_error');
    expect(JSON.stringify(error)).not.toContain('something else entirely');
  });

  it('a bad digest is invalid_argument before any request', async () => {
    expect(
      failed(await callRegistry(registryApp(), { action: 'get_blob', repo: 'reg.example.test/team/app', digest: 'sha256:abc' })).type,
    ).toBe('invalid_argument');
    expect(msw.seen).toHaveLength(0);
  });
});

describe('check_blob / check_manifest', () => {
  it('present: exists true with size and digest', async () => {
    hubWithIndex();
    const app = registryApp();
    expect(ok(await callRegistry(app, { action: 'check_blob', repo: REPO, digest: amd64.config.digest })).data).toEqual({
      exists: true,
      digest: amd64.config.digest,
      size: amd64.config.size,
    });
    expect(ok(await callRegistry(app, { action: 'check_manifest', repo: REPO, reference: '1.0' })).data).toEqual({
      exists: true,
      digest: built.index.digest,
      media_type: MT.ociIndex,
      size: built.index.size,
    });
    expect(msw.to(HUB_ORIGIN).map((s) => s.method)).toEqual(['HEAD', 'HEAD']);
  });

  it('404 → exists false (status 404), not an error', async () => {
    hubWithIndex();
    const app = registryApp();
    const blob = ok(await callRegistry(app, { action: 'check_blob', repo: REPO, digest: sha256('missing') }));
    expect(blob.status_code).toBe(404);
    expect(blob.data).toMatchObject({ exists: false, size: null });
    const manifest = ok(await callRegistry(app, { action: 'check_manifest', repo: REPO, reference: 'missing' }));
    expect(manifest.status_code).toBe(404);
    expect(manifest.data).toEqual({ exists: false, digest: null, media_type: null, size: null });
  });
});

describe('list_referrers', () => {
  const subject = amd64.manifest.digest;
  const sbom = {
    mediaType: MT.ociManifest,
    digest: sha256('sbom'),
    size: 500,
    artifactType: 'application/spdx+json',
    annotations: { 'org.opencontainers.image.created': '2024-06-01T00:00:00Z' },
  };
  const sig = {
    mediaType: MT.ociManifest,
    digest: sha256('sig'),
    size: 300,
    artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
  };
  const referrersIndex = (manifests: unknown[]) => ({ schemaVersion: 2, mediaType: MT.ociIndex, manifests });

  it('native API with OCI-Filters-Applied: the registry filtered, the answer is used as is', async () => {
    const asked: (string | null)[] = [];
    msw.server.use(
      http.get(`${REG_ORIGIN}/v2/team/app/referrers/${subject}`, ({ request }) => {
        asked.push(new URL(request.url).searchParams.get('artifactType'));
        return HttpResponse.json(referrersIndex([sbom]), {
          headers: { 'content-type': MT.ociIndex, 'oci-filters-applied': 'artifactType' },
        });
      }),
    );
    const result = ok<{ source: string; subject: string; referrers: unknown[] }>(
      await callRegistry(registryApp(), {
        action: 'list_referrers',
        repo: 'reg.example.test/team/app',
        digest: subject,
        artifact_type: 'application/spdx+json',
      }),
    );
    expect(asked).toEqual(['application/spdx+json']);
    expect(result.data).toEqual({
      subject,
      source: 'referrers_api',
      referrers: [
        {
          digest: sbom.digest,
          media_type: MT.ociManifest,
          artifact_type: 'application/spdx+json',
          size: 500,
          annotations: sbom.annotations,
        },
      ],
    });
  });

  it('without OCI-Filters-Applied the client filters', async () => {
    msw.server.use(
      http.get(`${REG_ORIGIN}/v2/team/app/referrers/${subject}`, () =>
        HttpResponse.json(referrersIndex([sbom, sig]), { headers: { 'content-type': MT.ociIndex } }),
      ),
    );
    const result = ok<{ referrers: { digest: string }[] }>(
      await callRegistry(registryApp(), {
        action: 'list_referrers',
        repo: 'reg.example.test/team/app',
        digest: subject,
        artifact_type: sig.artifactType,
      }),
    );
    expect(result.data.referrers.map((r) => r.digest)).toEqual([sig.digest]);
  });

  it('no filter: everything', async () => {
    msw.server.use(
      http.get(`${REG_ORIGIN}/v2/team/app/referrers/${subject}`, () =>
        HttpResponse.json(referrersIndex([sbom, sig]), { headers: { 'content-type': MT.ociIndex } }),
      ),
    );
    const result = ok<{ referrers: { digest: string }[] }>(
      await callRegistry(registryApp(), { action: 'list_referrers', repo: 'reg.example.test/team/app', digest: subject }),
    );
    expect(result.data.referrers.map((r) => r.digest)).toEqual([sbom.digest, sig.digest]);
  });

  it('404 → the sha256-<hex> fallback tag index', async () => {
    const fallback = jsonContent(referrersIndex([sbom, sig]), MT.ociIndex);
    const reg = exampleRegistry({ auth: 'none' }).putManifest('team/app', fallback, `sha256-${subject.slice('sha256:'.length)}`);
    msw.server.use(...reg.handlers());
    const result = ok<{ source: string; referrers: { digest: string; artifact_type?: string }[] }>(
      await callRegistry(registryApp(), {
        action: 'list_referrers',
        repo: 'reg.example.test/team/app',
        digest: subject,
        artifact_type: 'application/spdx+json',
      }),
    );
    expect(result.data.source).toBe('fallback_tag');
    expect(result.data.referrers).toEqual([
      { digest: sbom.digest, media_type: MT.ociManifest, artifact_type: 'application/spdx+json', size: 500, annotations: sbom.annotations },
    ]);
    expect(msw.to(REG_ORIGIN).map((s) => `${s.method} ${s.url.pathname}`)).toContain(
      `HEAD /v2/team/app/manifests/sha256-${subject.slice(7)}`,
    );
  });

  it('404 and no fallback tag → no referrers', async () => {
    msw.server.use(...exampleRegistry({ auth: 'none' }).handlers());
    const result = ok<{ source: string; referrers: unknown[] }>(
      await callRegistry(registryApp(), { action: 'list_referrers', repo: 'reg.example.test/team/app', digest: subject }),
    );
    expect(result.data).toMatchObject({ source: 'fallback_tag', referrers: [] });
  });
});

describe('list_repositories', () => {
  it('on Docker Hub → unsupported with a hint naming hub_repos, and no request', async () => {
    const error = failed(await callRegistry(registryApp(), { action: 'list_repositories' }));
    expect(error.type).toBe('unsupported');
    expect(error.hint).toContain('hub_repos');
    expect(msw.seen).toHaveLength(0);
    expect(failed(await callRegistry(registryApp(), { action: 'list_repositories', registry: 'docker.io' })).type).toBe('unsupported');
  });

  it('elsewhere reads /v2/_catalog', async () => {
    msw.server.use(http.get(`${REG_ORIGIN}/v2/_catalog`, () => HttpResponse.json({ repositories: ['a/b', 'c/d'] })));
    const result = ok<{ repositories: string[]; count: number }>(
      await callRegistry(registryApp(), { action: 'list_repositories', registry: 'reg.example.test' }),
    );
    expect(result.data).toMatchObject({ registry: 'reg.example.test', repositories: ['a/b', 'c/d'], count: 2 });
  });
});

describe('list_tags sort and filter', () => {
  const tags = ['latest', '1.9.0', '1.10.0', '1.9.0-rc1', 'alpine', '1.2.3', 'v2.0.0'];

  function tagRegistry() {
    msw.server.use(
      http.get(`${HUB_ORIGIN}/v2/library/nginx/tags/list`, () => HttpResponse.json({ name: 'library/nginx', tags })),
      ...hubRegistry().handlers(),
    );
  }

  it('semver: newest version first (1.10.0 > 1.9.0 > 1.9.0-rc1), non-versions last', async () => {
    tagRegistry();
    const result = ok<{ tags: string[] }>(await callRegistry(registryApp(), { action: 'list_tags', repo: 'nginx', sort: 'semver' }));
    expect(result.data.tags).toEqual(['v2.0.0', '1.10.0', '1.9.0', '1.9.0-rc1', '1.2.3', 'alpine', 'latest']);
  });

  it('filter glob', async () => {
    tagRegistry();
    const result = ok<{ tags: string[]; count: number }>(
      await callRegistry(registryApp(), { action: 'list_tags', repo: 'nginx', filter: '1.9.*', sort: 'semver' }),
    );
    expect(result.data).toMatchObject({ tags: ['1.9.0', '1.9.0-rc1'], count: 2 });
  });

  it('filter ? matches one character; a plain filter is a substring', async () => {
    tagRegistry();
    const app = registryApp();
    expect(ok<{ tags: string[] }>(await callRegistry(app, { action: 'list_tags', repo: 'nginx', filter: '1.?.0' })).data.tags).toEqual([
      '1.9.0',
    ]);
    expect(ok<{ tags: string[] }>(await callRegistry(app, { action: 'list_tags', repo: 'nginx', filter: 'alp' })).data.tags).toEqual([
      'alpine',
    ]);
  });

  it('name sort is alphabetical; no sort keeps the registry order', async () => {
    tagRegistry();
    const app = registryApp();
    expect(ok<{ tags: string[] }>(await callRegistry(app, { action: 'list_tags', repo: 'nginx', sort: 'name' })).data.tags).toEqual(
      [...tags].sort((a, b) => a.localeCompare(b)),
    );
    expect(ok<{ tags: string[] }>(await callRegistry(app, { action: 'list_tags', repo: 'nginx' })).data.tags).toEqual(tags);
  });
});

describe('bad input changes nothing', () => {
  it.each([
    { action: 'resolve_digest', repo: 'Nginx' },
    { action: 'inspect', repo: 'nginx', reference: 'sha256:abc' },
    { action: 'get_manifest', repo: '../etc/passwd' },
    { action: 'list_tags', repo: 'a%2fb' },
    { action: 'check_blob', repo: 'nginx', digest: 'md5:abc' },
  ])('%o → invalid_argument, no request', async (args) => {
    expect(failed(await callRegistry(registryApp(), args)).type).toBe('invalid_argument');
    expect(msw.seen).toHaveLength(0);
  });
});

describe('api_version and the registry parameter', () => {
  it('probes /v2/ through the auth dance and reports the API version', async () => {
    const reg = exampleRegistry();
    msw.server.use(
      http.get(`${REG_ORIGIN}/v2/`, ({ request }) =>
        request.headers.get('authorization') === `Bearer ${reg.token}`
          ? HttpResponse.json({}, { headers: { 'docker-distribution-api-version': 'registry/2.0' } })
          : HttpResponse.json(
              { errors: [{ code: 'UNAUTHORIZED' }] },
              { status: 401, headers: { 'www-authenticate': `Bearer realm="${reg.realm}",service="${reg.service}"` } },
            ),
      ),
      ...reg.handlers(),
    );
    const result = ok(await callRegistry(registryApp(), { action: 'api_version', registry: 'reg.example.test' }));
    expect(result.data).toEqual({ registry: 'reg.example.test', supported: true, api_version: 'registry/2.0' });
    expect(reg.tokenRequests[0]?.url.searchParams.getAll('scope')).toEqual([]);
  });

  it.each([
    ['api_version', 'reg.example.test/evil'],
    ['api_version', 'user:pw@reg.example.test'],
    ['list_repositories', 'reg.example.test/evil'],
    ['list_repositories', 'https://reg.example.test'],
  ])('%s with registry %j (not a host[:port]) is invalid_argument and sends nothing', async (action, registry) => {
    // Answer anything sent, so a missing check shows as a wrong result rather than retries.
    msw.server.use(http.get(`${REG_ORIGIN}/*`, () => HttpResponse.json({ repositories: [] })));
    const result = await callRegistry(registryApp(), { action, registry });
    expect(result.isError ? (result.structuredContent as { error: { type: string } }).error.type : 'success').toBe('invalid_argument');
    expect(msw.seen.map((s) => s.url.href)).toEqual([]);
  });
});

describe('a third-party registry end to end', () => {
  it('inspect on reg.example.test: one 401 round trip cold, then 5 content requests; warm by tag 1 HEAD', async () => {
    const idx = buildIndex(
      [
        buildImage({ platform: { os: 'linux', architecture: 'amd64' } }),
        buildImage({ platform: { os: 'linux', architecture: 'ppc64le' } }),
      ],
      false,
    );
    const reg = exampleRegistry().putIndex('team/app', idx, 'v1');
    msw.server.use(...reg.handlers());
    const app = registryApp();
    const result = ok<InspectData>(await callRegistry(app, { action: 'inspect', repo: 'reg.example.test/team/app:v1' }));
    expect(result.data.platforms.map((p) => p.platform)).toEqual(['linux/amd64', 'linux/ppc64le']);
    expect(result.data.attestations).toEqual([]);
    const cold = msw.to(REG_ORIGIN);
    expect(cold.filter((s) => s.headers.get('authorization') === null)).toHaveLength(1);
    expect(cold).toHaveLength(6);
    expect(reg.tokenRequests).toHaveLength(1);
    msw.seen.length = 0;
    ok(await callRegistry(app, { action: 'inspect', repo: 'reg.example.test/team/app:v1' }));
    expect(msw.seen.map((s) => s.method)).toEqual(['HEAD']);
  });
});
