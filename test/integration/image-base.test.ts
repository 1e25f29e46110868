// base_image against a real registry: an image names its base in OCI annotations; the base tag is
// then moved (a new image pushed to it) and the answer changes from "current" to "moved", with
// newer semver tags of the same flavour listed.
import { callRegistryTool } from '../helpers/registry-tool.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../../src/context.js';
import { silentLogger } from '../../src/log.js';
import { type CallResult } from '../../src/tools/framework.js';
import { Fixtures, type PushedImage } from '../helpers/registry/fixtures.js';
import { REGISTRY_MISSING, registryAvailable, startRegistry, type RegistryHandle } from '../helpers/registry/launch.js';
import { testConfig } from '../helpers/unit/app.js';

const skip = !registryAvailable() && !process.env.CI;
if (skip) console.warn(`skipping base_image tests: ${REGISTRY_MISSING}`);

const call = callRegistryTool;

interface Base {
  name: string;
  digest?: string;
  source: string;
  check: { status: string; current_digest?: string; message: string; newer_tags?: string[]; error?: { type: string } };
}

function bases(result: CallResult): Base[] {
  if (result.isError) throw new Error(JSON.stringify(result.structuredContent));
  return (result.structuredContent as { data: { bases: Base[] } }).data.bases;
}

describe.skipIf(skip)('base_image', () => {
  let registry: RegistryHandle;
  let fx: Fixtures;
  let app: AppContext;
  const base: Record<string, PushedImage> = {};

  const pushBase = (tag: string, generation = 1): Promise<PushedImage> =>
    fx.pushImage('lib/base', tag, { config: { Labels: { 'example.tag': tag, 'example.generation': String(generation) } } });
  const annotations = (tag: string): Record<string, string> => ({
    'org.opencontainers.image.base.name': `${registry.host}/lib/base:${tag}`,
    'org.opencontainers.image.base.digest': base[tag]!.digest,
  });

  beforeAll(async () => {
    registry = await startRegistry();
    fx = Fixtures.for(registry);
    for (const tag of ['1.1-alpine', '1.2-alpine', '1.3-alpine', '1.4.1-alpine', '1.3-slim', '2.0', 'latest'])
      base[tag] = await pushBase(tag);
    await fx.pushImage('acme/app', 'on-alpine', { annotations: annotations('1.2-alpine') });
    await fx.pushImage('acme/app', 'on-slim', { annotations: annotations('1.3-slim') });
    await fx.pushIndex('acme/app', 'index-annotated', ['linux/amd64', 'linux/arm64'], {
      attestations: false,
      annotations: annotations('1.3-slim'),
    });
    app = createAppContext(testConfig({ DOCKER_CONFIG: '/nonexistent' }), silentLogger, 'test');
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await registry?.stop();
  });

  it('says current, then moved once a new image is pushed to the base tag, listing newer tags of the same flavour', async () => {
    const repo = `${registry.host}/acme/app:on-alpine`;
    const before = bases(await call(app, { action: 'base_image', repo }));
    expect(before).toEqual([
      {
        name: `${registry.host}/lib/base:1.2-alpine`,
        digest: base['1.2-alpine']!.digest,
        source: 'manifest_annotation',
        check: {
          status: 'current',
          current_digest: base['1.2-alpine']!.digest,
          message: `${registry.host}/lib/base:1.2-alpine still points at what the image was built from`,
          // Not 1.3-slim, 2.0 or latest (another flavour or none), not 1.1-alpine (older).
          newer_tags: ['1.4.1-alpine', '1.3-alpine'],
        },
      },
    ]);

    const moved = await pushBase('1.2-alpine', 2);
    const after = bases(await call(app, { action: 'base_image', repo }));
    expect(after[0]!.check.status).toBe('moved');
    expect(after[0]!.check.current_digest).toBe(moved.digest);
    expect(after[0]!.check.message).toContain('rebuild to pick up a newer base');
    expect(after[0]!.check.message).toContain(base['1.2-alpine']!.digest);
  });

  it('says current for an unmoved base, with no newer tag of its flavour', async () => {
    const [only] = bases(await call(app, { action: 'base_image', repo: `${registry.host}/acme/app:on-slim` }));
    expect(only!.check).toMatchObject({ status: 'current', current_digest: base['1.3-slim']!.digest, newer_tags: [] });
  });

  it('reads base annotations from the index when the platform image has none', async () => {
    const [only] = bases(
      await call(app, { action: 'base_image', repo: `${registry.host}/acme/app:index-annotated`, platform: 'linux/arm64' }),
    );
    expect(only).toMatchObject({ source: 'index_annotation', check: { status: 'current' } });
  });

  it('reports a base tag that no longer exists as tag_gone, without failing the call', async () => {
    await fx.pushImage('acme/app', 'gone-base', {
      annotations: {
        'org.opencontainers.image.base.name': `${registry.host}/lib/nothing:1.0`,
        'org.opencontainers.image.base.digest': base['2.0']!.digest,
      },
    });
    const [only] = bases(await call(app, { action: 'base_image', repo: `${registry.host}/acme/app:gone-base` }));
    expect(only!.check.status).toBe('tag_gone');
  });
});
