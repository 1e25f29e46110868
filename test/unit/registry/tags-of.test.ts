// hub_registry tags_of: which tags point at the digest a tag (or digest) names.
import { describe, expect, it } from 'vitest';
import {
  buildImage,
  callRegistry,
  exampleRegistry,
  failed,
  ok,
  registryApp,
  useRegistryMsw,
} from '../../helpers/unit-registry/fake-registry.js';

const msw = useRegistryMsw();

describe('tags_of', () => {
  it('lists every tag on the digest, the asked tag first, and no other', async () => {
    const one = buildImage({ platform: { os: 'linux', architecture: 'amd64' } });
    const two = buildImage({ platform: { os: 'linux', architecture: 'arm64' } });
    const reg = exampleRegistry().putImage('team/app', one, 'v1').putImage('team/app', one, 'stable').putImage('team/app', two, 'v2');
    msw.server.use(...reg.handlers());
    const data = ok<{ digest: string; tags: string[]; complete: boolean }>(
      await callRegistry(registryApp(), { action: 'tags_of', repo: 'reg.example.test/team/app', reference: 'stable' }),
    ).data;
    expect(data.digest).toBe(one.manifest.digest);
    expect(data.tags).toEqual(['stable', 'v1']);
    expect(data.complete).toBe(true);
  });

  it('a missing tag is not_found', async () => {
    msw.server.use(...exampleRegistry().handlers());
    const result = await callRegistry(registryApp(), { action: 'tags_of', repo: 'reg.example.test/team/app', reference: 'nope' });
    expect(failed(result).type).toBe('not_found');
  });
});
