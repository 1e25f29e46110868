// Odd content from a registry through hub_registry reads: indexes holding null or a string, layers
// that are not descriptors, a manifest nested 100,000 deep, media types we do not parse, configs
// that are not JSON (OCI artifacts). Each is described by its own error type and field, never an
// internal_error, never "corrupt content"; and the content around a non-JSON config is still shown.
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import {
  buildImage,
  callRegistry,
  content,
  descriptor,
  exampleRegistry,
  failed,
  jsonContent,
  MT,
  ok,
  REG_ORIGIN,
  registryApp,
  sha256,
  useRegistryMsw,
} from '../../helpers/unit-registry/fake-registry.js';

const msw = useRegistryMsw();
const REPO = 'reg.example.test/odd/app';
const image = buildImage({ platform: { os: 'linux', architecture: 'amd64' } });

function serve(manifest: ReturnType<typeof content>, tag = 'odd') {
  const reg = exampleRegistry({ auth: 'none' }).putImage('odd/app', image, 'good').putManifest('odd/app', manifest, tag);
  msw.server.use(...reg.handlers());
  return reg;
}

const READS = ['get_manifest', 'inspect', 'list_platforms', 'get_config'] as const;

describe('index and manifest shapes that break the format → invalid_content naming the field', () => {
  const cases: { name: string; body: unknown; mediaType: string; field: string }[] = [
    {
      name: 'manifests: [null]',
      body: { schemaVersion: 2, mediaType: MT.ociIndex, manifests: [null] },
      mediaType: MT.ociIndex,
      field: 'manifests[0]',
    },
    {
      name: 'manifests: "abc"',
      body: { schemaVersion: 2, mediaType: MT.ociIndex, manifests: 'abc' },
      mediaType: MT.ociIndex,
      field: 'manifests',
    },
    {
      name: 'a layer that is a number',
      body: { schemaVersion: 2, mediaType: MT.ociManifest, config: descriptor(image.config), layers: [42] },
      mediaType: MT.ociManifest,
      field: 'layers[0]',
    },
    {
      name: 'a child digest that is a path',
      body: {
        schemaVersion: 2,
        mediaType: MT.ociIndex,
        manifests: [{ mediaType: MT.ociManifest, digest: '../../../v2/_catalog', size: 1 }],
      },
      mediaType: MT.ociIndex,
      field: 'manifests[0].digest',
    },
    {
      name: 'a config that is a string',
      body: { schemaVersion: 2, mediaType: MT.ociManifest, config: 'sha256:abc', layers: [] },
      mediaType: MT.ociManifest,
      field: 'config',
    },
  ];
  for (const c of cases) {
    it(`${c.name}: every read says invalid_content and names ${c.field}; the next call works`, async () => {
      serve(jsonContent(c.body, c.mediaType));
      const app = registryApp();
      for (const action of READS) {
        const error = failed(await callRegistry(app, { action, repo: `${REPO}:odd` }));
        expect(error.type, action).toBe('invalid_content');
        expect(error.message, action).toContain(c.field);
        expect(error.message).not.toMatch(/corrupt/i);
      }
      ok(await callRegistry(app, { action: 'inspect', repo: `${REPO}:good` }));
    });
  }

  it('a manifest nested 100,000 deep: invalid_content before anything recursive sees it', async () => {
    const deep = content(`{"schemaVersion":2,"annotations":${'['.repeat(100_000)}${']'.repeat(100_000)}}`, MT.ociManifest);
    serve(deep);
    const app = registryApp();
    for (const action of READS) {
      const error = failed(await callRegistry(app, { action, repo: `${REPO}:odd` }));
      expect(error.type, action).toBe('invalid_content');
      expect(error.message).toMatch(/nests JSON 100001 levels deep/);
    }
    ok(await callRegistry(app, { action: 'get_manifest', repo: `${REPO}:good` }));
  });
});

describe('content of a kind we do not parse → unsupported_content naming it', () => {
  it('a manifest whose mediaType is not a manifest type we read', async () => {
    const odd = jsonContent(
      { mediaType: 'application/vnd.oci.artifact.manifest.v1+json', blobs: [] },
      'application/vnd.oci.artifact.manifest.v1+json',
    );
    serve(odd);
    const error = failed(await callRegistry(registryApp(), { action: 'get_manifest', repo: `${REPO}:odd` }));
    expect(error.type).toBe('unsupported_content');
    expect(error.message).toContain('application/vnd.oci.artifact.manifest.v1+json');
  });

  it('inspect of an index with one child we do not parse: the other children are still shown', async () => {
    const odd = jsonContent({ mediaType: 'application/vnd.example.thing.v1+json' }, 'application/vnd.example.thing.v1+json');
    const index = jsonContent(
      {
        schemaVersion: 2,
        mediaType: MT.ociIndex,
        manifests: [
          descriptor(image.manifest, { platform: { os: 'linux', architecture: 'amd64' } }),
          descriptor(odd, { platform: { os: 'linux', architecture: 'riscv64' } }),
        ],
      },
      MT.ociIndex,
    );
    msw.server.use(
      ...exampleRegistry({ auth: 'none' })
        .putImage('odd/app', image)
        .putManifest('odd/app', odd)
        .putManifest('odd/app', index, 'mixed')
        .handlers(),
    );
    const result = ok<{ platforms: Record<string, unknown>[] }>(
      await callRegistry(registryApp(), { action: 'inspect', repo: `${REPO}:mixed` }),
    );
    expect(result.data.platforms[0]).toMatchObject({ platform: 'linux/amd64', digest: image.manifest.digest, layers: 2 });
    expect(result.data.platforms[1]).toMatchObject({
      platform: 'linux/riscv64',
      digest: odd.digest,
      content_error: { type: 'unsupported_content' },
    });
    expect(JSON.stringify(result.data.platforms[1])).toContain('application/vnd.example.thing.v1+json');
  });

  it('an HTML page served as the manifest', async () => {
    serve(content('<html><body>login</body></html>', 'text/html'));
    const error = failed(await callRegistry(registryApp(), { action: 'get_manifest', repo: `${REPO}:odd` }));
    expect(error.type).toBe('unsupported_content');
    expect(error.message).toContain('text/html');
  });

  it('a real digest mismatch is still integrity_error', async () => {
    const manifest = image.manifest;
    msw.server.use(
      http.get(`${REG_ORIGIN}/v2/odd/app/manifests/bad`, () =>
        HttpResponse.arrayBuffer(
          new Uint8Array(Buffer.from(manifest.bytes.toString().replace('"schemaVersion":2', '"schemaVersion": 2'))).buffer,
          {
            headers: { 'content-type': MT.ociManifest, 'docker-content-digest': manifest.digest },
          },
        ),
      ),
    );
    const error = failed(await callRegistry(registryApp(), { action: 'get_manifest', repo: `${REPO}:bad` }));
    expect(error.type).toBe('integrity_error');
  });
});

describe('OCI artifacts whose config is not JSON', () => {
  const HELM_CONFIG = 'application/vnd.cncf.helm.config.v1+json';
  function artifact(configBytes: Buffer | string, configType = HELM_CONFIG) {
    const config = content(configBytes, configType);
    const layer = content('chart tarball', 'application/vnd.cncf.helm.chart.content.v1.tar+gzip');
    const manifest = jsonContent(
      { schemaVersion: 2, mediaType: MT.ociManifest, config: descriptor(config), layers: [descriptor(layer)] },
      MT.ociManifest,
    );
    msw.server.use(
      ...exampleRegistry({ auth: 'none' })
        .putBlob('odd/app', config)
        .putBlob('odd/app', layer)
        .putManifest('odd/app', manifest, 'chart')
        .handlers(),
    );
    return { config, layer, manifest };
  }

  it('inspect shows digest, size and layers, and says the config was not JSON', async () => {
    const { config, layer, manifest } = artifact(Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff, 0x00]));
    const result = ok<{ platforms: Record<string, unknown>[] }>(
      await callRegistry(registryApp(), { action: 'inspect', repo: `${REPO}:chart` }),
    );
    expect(result.data.platforms[0]).toMatchObject({
      digest: manifest.digest,
      layers: 1,
      size: manifest.size + config.size + layer.size,
      config_note: { digest: config.digest, size: config.size, media_type: HELM_CONFIG, parsed: false, reason: 'the config is not JSON' },
    });
  });

  it('list_platforms works and carries the same note', async () => {
    const { config } = artifact('not json at all');
    const result = ok<{ platforms: unknown[]; config_note: { digest: string; parsed: boolean } }>(
      await callRegistry(registryApp(), { action: 'list_platforms', repo: `${REPO}:chart` }),
    );
    expect(result.data.platforms).toHaveLength(1);
    expect(result.data.config_note).toMatchObject({ digest: config.digest, parsed: false });
  });

  it('get_config says clearly that the config is not an image config', async () => {
    const { config } = artifact('not json at all');
    const error = failed(await callRegistry(registryApp(), { action: 'get_config', repo: `${REPO}:chart` }));
    expect(error.type).toBe('unsupported_content');
    expect(error.message).toContain(config.digest);
    expect(error.message).toContain(HELM_CONFIG);
    expect(error.message).toContain('not JSON');
  });

  it('the OCI empty config {} is known without a request', async () => {
    const empty = content('{}', MT.ociEmpty);
    const manifest = jsonContent(
      { schemaVersion: 2, mediaType: MT.ociManifest, artifactType: 'application/x.demo', config: descriptor(empty), layers: [] },
      MT.ociManifest,
    );
    msw.server.use(...exampleRegistry({ auth: 'none' }).putManifest('odd/app', manifest, 'empty').handlers());
    const result = ok<{ platforms: Record<string, unknown>[] }>(
      await callRegistry(registryApp(), { action: 'inspect', repo: `${REPO}:empty` }),
    );
    expect(result.data.platforms[0]).not.toHaveProperty('config_note');
    expect(msw.seen.filter((s) => s.url.pathname.includes('/blobs/'))).toHaveLength(0);
  });
});

describe('deep JSON elsewhere', () => {
  it('get_blob shows a blob nested 100,000 deep as text, not parsed', async () => {
    const deep = content('['.repeat(100_000) + ']'.repeat(100_000), 'application/json');
    msw.server.use(...exampleRegistry({ auth: 'none' }).putBlob('odd/app', deep).handlers());
    const result = ok<{ encoding: string; truncated?: boolean }>(
      await callRegistry(registryApp(), { action: 'get_blob', repo: REPO, digest: deep.digest, max_bytes: 1_048_576 }),
    );
    expect(result.data.encoding).toBe('text');
  });

  it('a referrers answer whose descriptor has no digest: invalid_content naming the missing field', async () => {
    const subject = sha256('subject');
    msw.server.use(
      http.get(`${REG_ORIGIN}/v2/odd/app/referrers/${subject}`, () =>
        HttpResponse.json({ manifests: [{}] }, { headers: { 'content-type': MT.ociIndex } }),
      ),
    );
    const error = failed(await callRegistry(registryApp(), { action: 'list_referrers', repo: REPO, digest: subject }));
    expect(error.type).toBe('invalid_content');
    expect(error.message).toContain('manifests[0].digest is missing');
  });

  it('a referrers answer with annotations nested 100,000 deep: invalid_content', async () => {
    const subject = sha256('subject');
    msw.server.use(
      http.get(
        `${REG_ORIGIN}/v2/odd/app/referrers/${subject}`,
        () =>
          new HttpResponse(`{"manifests":[{"annotations":${'['.repeat(100_000)}${']'.repeat(100_000)}}]}`, {
            headers: { 'content-type': MT.ociIndex },
          }),
      ),
    );
    const error = failed(await callRegistry(registryApp(), { action: 'list_referrers', repo: REPO, digest: subject }));
    expect(error.type).toBe('invalid_content');
  });
});
