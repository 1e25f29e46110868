// diff against a real registry: two images built on the same base layer, differing in env,
// labels and their top layer, compared exactly.
import { createHash } from 'node:crypto';
import { callRegistryTool } from '../helpers/registry-tool.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../../src/context.js';
import { REDACTED } from '../../src/redact.js';
import { silentLogger } from '../../src/log.js';
import { Fixtures, type PushedImage } from '../helpers/registry/fixtures.js';
import { REGISTRY_MISSING, registryAvailable, startRegistry, type RegistryHandle } from '../helpers/registry/launch.js';
import { testConfig } from '../helpers/unit/app.js';

const skip = !registryAvailable() && !process.env.CI;
if (skip) console.warn(`skipping diff tests: ${REGISTRY_MISSING}`);

const call = callRegistryTool;

/** Incompressible bytes (a SHA-256 chain), so a gzip layer's tar is as large as its blob. */
function noise(bytes: number, seed: number): Buffer {
  const out: Buffer[] = [];
  let block = createHash('sha256').update(String(seed)).digest();
  for (let n = 0; n < bytes; n += block.length) {
    out.push(block);
    block = createHash('sha256').update(block).digest();
  }
  return Buffer.concat(out).subarray(0, bytes);
}

const size = (image: PushedImage): number => image.size + image.config.size + image.layers.reduce((sum, l) => sum + l.size, 0);

describe.skipIf(skip)('diff', () => {
  let registry: RegistryHandle;
  let app: AppContext;
  let v1: PushedImage;
  let v2: PushedImage;
  const baseLayer = Buffer.from('the shared base layer: same bytes, same digest');

  beforeAll(async () => {
    registry = await startRegistry();
    const fx = Fixtures.for(registry);
    v1 = await fx.pushImage('acme/app', 'v1', {
      layers: [baseLayer, Buffer.from('app v1')],
      config: {
        Env: ['PATH=/usr/bin', 'MODE=dev', 'OLD=1', 'API_TOKEN=first-secret-value'],
        Labels: { 'org.opencontainers.image.version': '1', team: 'core' },
      },
    });
    v2 = await fx.pushImage('acme/app', 'v2', {
      layers: [baseLayer, Buffer.from('app v2, a little larger')],
      config: {
        Env: ['PATH=/usr/bin', 'MODE=prod', 'NEW=yes', 'API_TOKEN=second-secret-value'],
        Labels: { 'org.opencontainers.image.version': '2', team: 'core', tier: 'gold' },
      },
    });
    app = createAppContext(testConfig({ DOCKER_CONFIG: '/nonexistent' }), silentLogger, 'test');
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await registry?.stop();
  });

  it('lists config, layer and size differences exactly, secrets in env hidden', async () => {
    const result = await call(app, { action: 'diff', repo: `${registry.host}/acme/app:v1`, other: `${registry.host}/acme/app:v2` });
    if (result.isError) throw new Error(JSON.stringify(result.structuredContent));
    const data = (result.structuredContent as { data: Record<string, unknown> }).data;
    expect(data).toEqual({
      image: {
        reference: `${registry.host}/acme/app:v1`,
        digest: v1.digest,
        image_digest: v1.digest,
        platform: 'linux/amd64',
        size: size(v1),
        layers: 2,
      },
      other: {
        reference: `${registry.host}/acme/app:v2`,
        digest: v2.digest,
        image_digest: v2.digest,
        platform: 'linux/amd64',
        size: size(v2),
        layers: 2,
      },
      identical: false,
      config_identical: false,
      config: {
        env: {
          added: { NEW: 'yes' },
          removed: { OLD: '1' },
          // A secret-named variable is listed as changed, its values never shown (the result
          // redactor hides the whole entry under a *_TOKEN key).
          changed: { MODE: { from: 'dev', to: 'prod' }, API_TOKEN: REDACTED },
        },
        labels: {
          added: { tier: 'gold' },
          removed: {},
          changed: { 'org.opencontainers.image.version': { from: '1', to: '2' } },
        },
      },
      layers: {
        shared: [{ digest: v1.layers[0]!.digest, size: baseLayer.length }],
        only_in_image: [{ digest: v1.layers[1]!.digest, size: 6 }],
        only_in_other: [{ digest: v2.layers[1]!.digest, size: 23 }],
        shared_prefix: 1,
      },
      size_delta: size(v2) - size(v1),
    });
    expect(JSON.stringify(result)).not.toContain('secret-value');
  });

  it('says an image is identical to itself', async () => {
    const result = await call(app, {
      action: 'diff',
      repo: `${registry.host}/acme/app:v1`,
      other: `${registry.host}/acme/app@${v1.digest}`,
    });
    const data = (
      result.structuredContent as { data: { identical: boolean; config_identical: boolean; config: object; size_delta: number } }
    ).data;
    expect(data).toMatchObject({ identical: true, config_identical: true, config: {}, size_delta: 0 });
  });

  it('files and packages: what the other image adds, drops and changes, reading shared layers once', async () => {
    const dpkg = (packages: [string, string][]): string =>
      packages
        .map(([name, version]) => `Package: ${name}\nStatus: install ok installed\nVersion: ${version}\nArchitecture: amd64\n`)
        .join('\n');
    const fx = Fixtures.for(registry);
    const base = {
      files: {
        'etc/os-release': 'ID=debian\n',
        'usr/bin/tool': 'tool v1',
        'var/lib/dpkg/status': dpkg([
          ['libfoo', '1.0'],
          ['libbar', '2.0'],
        ]),
      },
    };
    await fx.pushImage('acme/contents', 'v1', { layers: [base, { files: { 'app/main': 'v1 code', 'app/old': 'gone later' } }] });
    await fx.pushImage('acme/contents', 'v2', {
      layers: [
        base,
        {
          files: {
            'app/main': 'v2 code, a little longer',
            'app/new': 'added',
            'var/lib/dpkg/status': dpkg([
              ['libfoo', '1.1'],
              ['libbaz', '3.0'],
            ]),
          },
        },
      ],
    });
    const result = await call(app, {
      action: 'diff',
      repo: `${registry.host}/acme/contents:v1`,
      other: `${registry.host}/acme/contents:v2`,
      files: true,
      packages: true,
    });
    expect(result.isError, JSON.stringify(result.structuredContent)).toBeFalsy();
    const data = (result.structuredContent as { data: Record<string, unknown> }).data;
    expect(data.files).toMatchObject({
      added: { count: 1, items: [{ path: 'app/new', type: 'file', size: 5 }] },
      removed: { count: 1, items: [{ path: 'app/old' }] },
      // The dpkg database keeps its size but is written by another layer: flagged as rewritten.
      changed: {
        count: 2,
        items: [
          { path: 'app/main', size_before: 7, size_after: 24 },
          { path: 'var/lib/dpkg/status', rewritten: true },
        ],
      },
    });
    expect(data.packages).toEqual({
      added: { count: 1, items: [{ type: 'deb', name: 'libbaz', version: '3.0' }] },
      removed: { count: 1, items: [{ type: 'deb', name: 'libbar', version: '2.0' }] },
      changed: { count: 1, items: [{ type: 'deb', name: 'libfoo', from: '1.0', to: '1.1' }] },
    });
    // The base layer is shared: three distinct layers streamed, not four; its files are unchanged.
    expect(data.layers_streamed).toBe(3);
    expect(JSON.stringify(data.files)).not.toContain('usr/bin/tool');
  });

  it('files: one DOCKERHUB_MAX_SCAN_BYTES for the whole call, both images together, not one per image', async () => {
    const fx = Fixtures.for(registry);
    // 700 KB of incompressible bytes per image: each fits a 1 MiB scan limit, the two do not.
    await fx.pushImage('acme/budget', 'a', { layers: [{ files: { 'blob.bin': noise(700_000, 1) } }] });
    await fx.pushImage('acme/budget', 'b', { layers: [{ files: { 'blob.bin': noise(700_000, 2) } }] });
    const limited = (): AppContext =>
      createAppContext(testConfig({ DOCKER_CONFIG: '/nonexistent', DOCKERHUB_MAX_SCAN_BYTES: String(1024 * 1024) }), silentLogger, 'test');
    const both = limited();
    try {
      const result = await call(both, {
        action: 'diff',
        repo: `${registry.host}/acme/budget:a`,
        other: `${registry.host}/acme/budget:b`,
        files: true,
      });
      expect(result.isError).toBe(true);
      expect(JSON.stringify(result.structuredContent)).toContain('DOCKERHUB_MAX_SCAN_BYTES');
    } finally {
      await both.close();
    }
    for (const tag of ['a', 'b']) {
      const alone = limited();
      try {
        const result = await call(alone, { action: 'files', repo: `${registry.host}/acme/budget:${tag}` });
        expect(result.isError, JSON.stringify(result.structuredContent)).toBeFalsy();
      } finally {
        await alone.close();
      }
    }
  });
});
