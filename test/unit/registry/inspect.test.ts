// platformsOf, directly: an index's image entries and its attestation manifests, kept apart, with
// the attestation's subject digest and the annotations beyond BuildKit's reference pair.
import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../../src/registry/client.js';
import { platformsOf } from '../../../src/registry/inspect.js';

const d = (c: string): string => `sha256:${c.repeat(64)}`;
const M = 'application/vnd.oci.image.manifest.v1+json';

function index(manifests: NonNullable<Manifest['json']['manifests']>): Manifest {
  return { digest: d('0'), mediaType: 'application/vnd.oci.image.index.v1+json', size: 1, bytes: Buffer.from('{}'), json: { manifests } };
}

describe('platformsOf', () => {
  it('splits images from attestations, naming what each attestation is for', () => {
    const { platforms, attestations } = platformsOf(
      index([
        { mediaType: M, digest: d('a'), size: 10, platform: { os: 'linux', architecture: 'amd64' } },
        { mediaType: M, digest: d('b'), size: 11, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
        {
          mediaType: M,
          digest: d('c'),
          size: 12,
          platform: { os: 'unknown', architecture: 'unknown' },
          annotations: {
            'vnd.docker.reference.type': 'attestation-manifest',
            'vnd.docker.reference.digest': d('a'),
            'org.example.note': 'kept',
          },
        },
      ]),
    );
    expect(platforms.map((p) => p.platform)).toEqual(['linux/amd64', 'linux/arm64/v8']);
    expect(attestations).toEqual([
      { digest: d('c'), media_type: M, size: 12, for_digest: d('a'), annotations: { 'org.example.note': 'kept' } },
    ]);
  });

  it('an index without manifests has neither', () => {
    expect(platformsOf(index([]))).toEqual({ platforms: [], attestations: [] });
  });
});
