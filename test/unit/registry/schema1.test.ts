// Docker schema1 images (still served for old images) through hub_registry reads, against an
// msw fake registry that serves what a registry stores: the signed bytes, with the digest of the
// JWS payload in Docker-Content-Digest. Every read used to fail with "corrupt content".
import { describe, expect, it } from 'vitest';
import {
  callRegistry,
  content,
  exampleRegistry,
  failed,
  ok,
  registryApp,
  useRegistryMsw,
  type Content,
} from '../../helpers/unit-registry/fake-registry.js';
import { signSchema1, unsignedSchema1, v1Entry, SCHEMA1_SIGNED, type Schema1Spec } from '../../helpers/registry/schema1.js';

const msw = useRegistryMsw();
const REPO = 'reg.example.test/old/app';

const base = content('base layer bytes', 'application/octet-stream');
const top = content('top layer bytes', 'application/octet-stream');
const spec: Schema1Spec = {
  name: 'old/app',
  tag: 'v1',
  architecture: 'amd64',
  layers: [
    {
      blobSum: top.digest,
      v1: v1Entry({
        id: 'c',
        parent: 'b',
        created: '2016-03-01T10:00:00Z',
        cmd: ['/bin/sh', '-c', '#(nop) CMD ["sh"]'],
        os: 'linux',
        architecture: 'amd64',
        throwaway: true,
        config: { Env: ['PATH=/bin'], Cmd: ['sh'] },
      }),
    },
    { blobSum: top.digest, v1: v1Entry({ id: 'b', parent: 'a', created: '2016-02-01T10:00:00Z', cmd: ['/bin/sh', '-c', 'apk add curl'] }) },
    { blobSum: base.digest, v1: v1Entry({ id: 'a', created: '2016-01-01T10:00:00Z', cmd: ['/bin/sh', '-c', '#(nop) ADD file:abc in /'] }) },
  ],
};

async function serveSigned(tag = 'v1'): Promise<Content> {
  const signed = await signSchema1(spec);
  const served: Content = { bytes: signed.bytes, digest: signed.digest, size: signed.bytes.byteLength, mediaType: SCHEMA1_SIGNED };
  msw.server.use(
    ...exampleRegistry({ auth: 'none' }).putBlob('old/app', base).putBlob('old/app', top).putManifest('old/app', served, tag).handlers(),
  );
  return served;
}

describe('a signed schema1 manifest', () => {
  it('its digest is the JWS payload digest, not the digest of the served bytes', async () => {
    const signed = await signSchema1(spec);
    expect(signed.digest).not.toBe(content(signed.bytes, SCHEMA1_SIGNED).digest);
  });

  it('get_manifest by tag and by digest: verified over the payload, layers base first with their history', async () => {
    const served = await serveSigned();
    const app = registryApp();
    const byTag = ok<{ digest: string; media_type: string; schema1: { layers: unknown[]; platform: unknown } }>(
      await callRegistry(app, { action: 'get_manifest', repo: `${REPO}:v1` }),
    );
    expect(byTag.data.digest).toBe(served.digest);
    expect(byTag.data.media_type).toBe(SCHEMA1_SIGNED);
    expect(byTag.data.schema1.platform).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(byTag.data.schema1.layers).toEqual([
      { digest: base.digest, created: '2016-01-01T10:00:00Z', created_by: '/bin/sh -c #(nop) ADD file:abc in /' },
      { digest: top.digest, created: '2016-02-01T10:00:00Z', created_by: '/bin/sh -c apk add curl' },
      { digest: top.digest, created: '2016-03-01T10:00:00Z', created_by: '/bin/sh -c #(nop) CMD ["sh"]', empty_layer: true },
    ]);
    const byDigest = ok<{ digest: string }>(
      await callRegistry(registryApp(), { action: 'get_manifest', repo: `${REPO}@${served.digest}` }),
    );
    expect(byDigest.data.digest).toBe(served.digest);
  });

  it('asks for schema1 only after every v2 / OCI type', async () => {
    await serveSigned();
    ok(await callRegistry(registryApp(), { action: 'get_manifest', repo: `${REPO}:v1` }));
    const accept = msw.seen.find((s) => s.method === 'GET' && s.url.pathname.includes('/manifests/'))?.headers.get('accept') ?? '';
    const types = accept.split(',').map((t) => t.trim());
    expect(types.slice(-2)).toEqual([SCHEMA1_SIGNED, 'application/vnd.docker.distribution.manifest.v1+json']);
    expect(types.indexOf('application/vnd.docker.distribution.manifest.v2+json')).toBeLessThan(types.indexOf(SCHEMA1_SIGNED));
  });

  it('inspect: platform from architecture and the top v1Compatibility, created, layers, config', async () => {
    const served = await serveSigned();
    const result = ok<{ platforms: Record<string, unknown>[] }>(
      await callRegistry(registryApp(), { action: 'inspect', repo: `${REPO}:v1`, include_config: true }),
    );
    const only = result.data.platforms[0]!;
    expect(only).toMatchObject({ platform: 'linux/amd64', os: 'linux', architecture: 'amd64', digest: served.digest, layers: 3 });
    expect(only.created).toBe('2016-03-01T10:00:00Z');
    expect(only.config).toMatchObject({ env: ['PATH=/bin'], cmd: ['sh'], history_length: 3 });
  });

  it('list_platforms and get_config work; get_config builds the history from v1Compatibility', async () => {
    await serveSigned();
    const app = registryApp();
    const platforms = ok<{ platforms: { platform: string }[] }>(await callRegistry(app, { action: 'list_platforms', repo: `${REPO}:v1` }));
    expect(platforms.data.platforms.map((p) => p.platform)).toEqual(['linux/amd64']);
    const config = ok<{ config_digest: null; config: { os: string; history: Record<string, unknown>[] } }>(
      await callRegistry(app, { action: 'get_config', repo: `${REPO}:v1` }),
    );
    expect(config.data.config_digest).toBeNull();
    expect(config.data.config.os).toBe('linux');
    expect(config.data.config.history).toHaveLength(3);
    expect(config.data.config.history[2]).toEqual({
      created: '2016-03-01T10:00:00Z',
      created_by: '/bin/sh -c #(nop) CMD ["sh"]',
      empty_layer: true,
    });
  });

  it('a payload changed after signing is still an integrity error', async () => {
    const signed = await signSchema1(spec);
    const tampered = Buffer.from(signed.bytes.toString('utf8').replace('apk add curl', 'apk add evil'), 'utf8');
    const served: Content = { bytes: tampered, digest: signed.digest, size: tampered.byteLength, mediaType: SCHEMA1_SIGNED };
    msw.server.use(...exampleRegistry({ auth: 'none' }).putManifest('old/app', served, 'v1').handlers());
    const error = failed(await callRegistry(registryApp(), { action: 'get_manifest', repo: `${REPO}:v1` }));
    expect(error.type).toBe('integrity_error');
  });
});

describe('an unsigned schema1 manifest (v1+json)', () => {
  it('is verified over its raw bytes and read like the signed kind', async () => {
    const unsigned = unsignedSchema1(spec);
    const served: Content = { ...content(unsigned.bytes, unsigned.mediaType) };
    msw.server.use(...exampleRegistry({ auth: 'none' }).putManifest('old/app', served, 'v1').handlers());
    const result = ok<{ platforms: { platform: string; digest: string }[] }>(
      await callRegistry(registryApp(), { action: 'inspect', repo: `${REPO}:v1` }),
    );
    expect(result.data.platforms[0]).toMatchObject({ platform: 'linux/amd64', digest: unsigned.digest });
  });
});
