// base_image without annotations: the images the build pulled, from its provenance materials
// (purls and docker-image sources), BuildKit's own SBOM scanner left out; and the base
// resolved through the same client, its recorded platform digest counting as current.
import { describe, expect, it } from 'vitest';
import { tagFlavour } from '../../../src/image/meta/base-check.js';
import { baseFromMaterial } from '../../../src/image/meta/base-sources.js';
import { putAttestedIndex } from '../../helpers/image-meta/attested.js';
import {
  buildImage,
  buildIndex,
  callRegistry,
  exampleRegistry,
  ok,
  registryApp,
  useRegistryMsw,
} from '../../helpers/unit-registry/fake-registry.js';

const msw = useRegistryMsw();

describe('base sources', () => {
  it('reads purls and docker-image sources, and skips the SBOM scanner', () => {
    const d = `sha256:${'a'.repeat(64)}`;
    expect(baseFromMaterial('pkg:docker/alpine@3.19?platform=linux%2Famd64', [d])).toEqual({
      name: 'alpine:3.19',
      digest: d,
      source: 'provenance_material',
    });
    expect(baseFromMaterial('pkg:docker/team/base@1.0?repository_url=ghcr.io', [])).toEqual({
      name: 'ghcr.io/team/base:1.0',
      source: 'provenance_material',
    });
    expect(baseFromMaterial(`docker-image://docker.io/library/alpine:latest@${d}`, [])).toEqual({
      name: 'docker.io/library/alpine:latest',
      digest: d,
      source: 'provenance_material',
    });
    expect(baseFromMaterial('pkg:docker/docker/buildkit-syft-scanner@stable-1', [d])).toBeUndefined();
    expect(baseFromMaterial('https://github.com/acme/app.git', [])).toBeUndefined();
  });

  it('finds the flavour of a version tag', () => {
    expect(tagFlavour('1.2-alpine')).toEqual({ flavour: '-alpine', key: [1, 2, 0] });
    expect(tagFlavour('3.19.1-slim-bookworm')).toEqual({ flavour: '-slim-bookworm', key: [3, 19, 1] });
    expect(tagFlavour('20')).toEqual({ flavour: '', key: [20, 0, 0] });
    expect(tagFlavour('latest')).toBeUndefined();
  });
});

describe('base_image from provenance', () => {
  it('checks each pulled image; a recorded platform digest inside the current index is current', async () => {
    const reg = exampleRegistry();
    const baseIndex = buildIndex([buildImage({ platform: { os: 'linux', architecture: 'amd64' } })], false);
    reg.putIndex('team/base', baseIndex, '1.0');
    const platformDigest = baseIndex.images[0]!.manifest.digest;
    const provenance = {
      _type: 'https://in-toto.io/Statement/v0.1',
      predicateType: 'https://slsa.dev/provenance/v0.2',
      predicate: {
        builder: { id: '' },
        materials: [
          { uri: 'pkg:docker/docker/buildkit-syft-scanner@stable-1', digest: { sha256: 'b'.repeat(64) } },
          { uri: `docker-image://reg.example.test/team/base:1.0@${platformDigest}`, digest: {} },
        ],
      },
    };
    putAttestedIndex(reg, 'team/app', '1.0', [{ body: provenance, annotation: 'https://slsa.dev/provenance/v0.2' }]);
    msw.server.use(...reg.handlers());
    const answer = ok<{ bases: unknown[]; note: string }>(
      await callRegistry(registryApp(), { action: 'base_image', repo: 'reg.example.test/team/app:1.0' }),
    ).data;
    expect(answer.bases).toEqual([
      {
        name: 'reg.example.test/team/base:1.0',
        digest: platformDigest,
        source: 'provenance_material',
        check: {
          status: 'current',
          current_digest: baseIndex.index.digest,
          message: 'reg.example.test/team/base:1.0 still points at what the image was built from',
          newer_tags: [],
        },
      },
    ]);
    expect(answer.note).toContain('provenance materials');
  });
});
