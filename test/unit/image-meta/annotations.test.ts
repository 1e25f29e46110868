// inspect and list_platforms keep what manifests say about themselves: index annotations, the
// annotations of each index entry, each manifest's own annotations, and an artifact's type.
import { describe, expect, it } from 'vitest';
import {
  MT,
  buildImage,
  callRegistry,
  descriptor,
  exampleRegistry,
  jsonContent,
  ok,
  registryApp,
  sha256,
  useRegistryMsw,
} from '../../helpers/unit-registry/fake-registry.js';

const msw = useRegistryMsw();
const BASE = { 'org.opencontainers.image.base.name': 'docker.io/library/alpine:3.19' };

function serve(): { indexDigest: string; imageDigest: string; artifactDigest: string } {
  const reg = exampleRegistry();
  const built = buildImage({ platform: { os: 'linux', architecture: 'amd64' } });
  const image = jsonContent({ ...(JSON.parse(built.manifest.bytes.toString()) as object), annotations: BASE }, MT.ociManifest);
  const artifact = jsonContent(
    {
      schemaVersion: 2,
      mediaType: MT.ociManifest,
      artifactType: 'application/vnd.example.chart',
      config: { mediaType: MT.ociEmpty, digest: sha256('{}'), size: 2 },
      layers: [],
      annotations: { 'org.opencontainers.image.title': 'chart' },
    },
    MT.ociManifest,
  );
  const index = jsonContent(
    {
      schemaVersion: 2,
      mediaType: MT.ociIndex,
      manifests: [descriptor(image, { platform: built.platform, annotations: { 'com.example.entry': 'amd64 entry' } })],
      annotations: { 'org.opencontainers.image.source': 'https://github.com/acme/app' },
    },
    MT.ociIndex,
  );
  reg.putBlob('team/app', built.config);
  for (const layer of built.layers) reg.putBlob('team/app', layer);
  reg.putManifest('team/app', image).putManifest('team/app', index, '1.0').putManifest('team/app', artifact, 'chart');
  msw.server.use(...reg.handlers());
  return { indexDigest: index.digest, imageDigest: image.digest, artifactDigest: artifact.digest };
}

describe('annotations in inspect and list_platforms', () => {
  it('list_platforms shows the index annotations and each entry’s', async () => {
    serve();
    const data = ok<Record<string, unknown>>(
      await callRegistry(registryApp(), { action: 'list_platforms', repo: 'reg.example.test/team/app:1.0' }),
    ).data;
    expect(data.annotations).toEqual({ 'org.opencontainers.image.source': 'https://github.com/acme/app' });
    expect(data.platforms).toEqual([
      expect.objectContaining({ platform: 'linux/amd64', annotations: { 'com.example.entry': 'amd64 entry' } }),
    ]);
  });

  it('inspect shows index, entry and manifest annotations', async () => {
    const { imageDigest } = serve();
    const data = ok<{ annotations: unknown; platforms: Record<string, unknown>[] }>(
      await callRegistry(registryApp(), { action: 'inspect', repo: 'reg.example.test/team/app:1.0' }),
    ).data;
    expect(data.annotations).toEqual({ 'org.opencontainers.image.source': 'https://github.com/acme/app' });
    expect(data.platforms[0]).toMatchObject({
      digest: imageDigest,
      annotations: BASE,
      descriptor_annotations: { 'com.example.entry': 'amd64 entry' },
    });
  });

  it('inspect and list_platforms show an artifact’s type and annotations', async () => {
    serve();
    const app = registryApp();
    const inspected = ok<{ platforms: Record<string, unknown>[] }>(
      await callRegistry(app, { action: 'inspect', repo: 'reg.example.test/team/app:chart' }),
    ).data;
    expect(inspected.platforms[0]).toMatchObject({
      artifact_type: 'application/vnd.example.chart',
      annotations: { 'org.opencontainers.image.title': 'chart' },
    });
    const listed = ok<{ platforms: Record<string, unknown>[] }>(
      await callRegistry(app, { action: 'list_platforms', repo: 'reg.example.test/team/app:chart' }),
    ).data;
    expect(listed.platforms[0]).toMatchObject({ artifact_type: 'application/vnd.example.chart' });
  });
});
