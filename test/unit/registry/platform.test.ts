// Platform strings and index entries, directly: parsing, matching with default variants, and
// picking an entry from an index while skipping attestation manifests.
import { describe, expect, it } from 'vitest';
import { formatPlatform, isAttestation, parsePlatform, pickPlatform, platformMatches } from '../../../src/registry/platform.js';
import type { Descriptor } from '../../../src/registry/platform.js';

const entry = (platform: Descriptor['platform'], extra: Partial<Descriptor> = {}): Descriptor => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${'a'.repeat(64)}`,
  size: 1,
  platform,
  ...extra,
});

describe('platform strings', () => {
  it('parses and formats os/arch[/variant]', () => {
    expect(parsePlatform('linux/arm64/v8')).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    expect(formatPlatform(parsePlatform('linux/amd64'))).toBe('linux/amd64');
  });
});

describe('matching and picking', () => {
  it('an entry without a variant matches the architecture default (arm64 → v8, arm → v7)', () => {
    expect(platformMatches({ os: 'linux', architecture: 'arm64' }, parsePlatform('linux/arm64/v8'))).toBe(true);
    expect(platformMatches({ os: 'linux', architecture: 'arm' }, parsePlatform('linux/arm/v6'))).toBe(false);
  });

  it('skips attestation manifests and prefers an exact variant', () => {
    const attestation = entry(
      { os: 'unknown', architecture: 'unknown' },
      { annotations: { 'vnd.docker.reference.type': 'attestation-manifest' } },
    );
    const plain = entry({ os: 'linux', architecture: 'arm64' });
    const exact = entry({ os: 'linux', architecture: 'arm64', variant: 'v8' }, { digest: `sha256:${'b'.repeat(64)}` });
    expect(isAttestation(attestation)).toBe(true);
    expect(pickPlatform([attestation, plain, exact], parsePlatform('linux/arm64/v8'))).toBe(exact);
    expect(pickPlatform([attestation], parsePlatform('linux/amd64'))).toBeUndefined();
  });
});
