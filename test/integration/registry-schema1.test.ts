// Docker schema1 images on a real registry: distribution 2.8 with `compatibility: schema1:
// enabled: true` takes a signed schema1 push (JWS checked, digest over the payload) and serves it
// back re-signed. Every hub_registry read works on it, copy keeps its digest where the target
// accepts schema1 and says why where it does not, and a schema1 image written by skopeo (the peer
// tool) reads the same.
import { execFile } from 'node:child_process';
import { callRegistryTool, dataOf } from '../helpers/registry-tool.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../../src/context.js';
import { silentLogger } from '../../src/log.js';
import { type CallResult } from '../../src/tools/framework.js';
import { Fixtures } from '../helpers/registry/fixtures.js';
import { REGISTRY_MISSING, registryAvailable, startRegistry, type RegistryHandle } from '../helpers/registry/launch.js';
import { PushClient } from '../helpers/registry/push-client.js';
import { signSchema1, v1Entry, SCHEMA1_SIGNED, type Schema1Manifest } from '../helpers/registry/schema1.js';
import { testConfig } from '../helpers/unit/app.js';

const skip = !registryAvailable() && !process.env.CI;
if (skip) console.warn(`skipping schema1 integration tests: ${REGISTRY_MISSING}`);

const call = callRegistryTool;

const data = dataOf;

function errorOf(result: CallResult): { type: string; message: string; hint?: string } {
  expect(result.isError, JSON.stringify(result.structuredContent).slice(0, 300)).toBe(true);
  return (result.structuredContent as { error: { type: string; message: string; hint?: string } }).error;
}

function skopeo(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('skopeo', args, { timeout: 60_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`skopeo ${args.join(' ')}: ${stderr || error.message}`)) : resolve(stdout),
    );
  });
}

const skopeoMissing = await skopeo(['--version']).then(
  () => false,
  () => true,
);
if (skopeoMissing) console.warn('skipping the skopeo cross-check: skopeo is not installed (apt-get install skopeo)');

describe.skipIf(skip)('schema1 on distribution 2.8 with schema1 compatibility', () => {
  let legacy: RegistryHandle;
  let legacy2: RegistryHandle;
  let modern: RegistryHandle;
  let manifest: Schema1Manifest;
  let layers: string[];
  let app: AppContext;

  beforeAll(async () => {
    [legacy, legacy2, modern] = await Promise.all([startRegistry({ schema1: true }), startRegistry({ schema1: true }), startRegistry()]);
    const client = PushClient.for(legacy);
    const base = await client.pushBlob('old/app', Buffer.from('base layer of an old image'));
    const top = await client.pushBlob('old/app', Buffer.from('top layer of an old image'));
    layers = [base.digest, top.digest];
    manifest = await signSchema1({
      name: 'old/app',
      tag: 'v1',
      architecture: 'amd64',
      layers: [
        {
          blobSum: top.digest,
          v1: v1Entry({
            id: 'b',
            parent: 'a',
            created: '2016-02-01T00:00:00Z',
            cmd: ['/bin/sh', '-c', 'echo hi > /hi'],
            os: 'linux',
            architecture: 'amd64',
            config: { Env: ['PATH=/bin'], Cmd: ['sh'] },
          }),
        },
        {
          blobSum: base.digest,
          v1: v1Entry({ id: 'a', created: '2016-01-01T00:00:00Z', cmd: ['/bin/sh', '-c', '#(nop) ADD file:0 in /'] }),
        },
      ],
    });
    // Plain PUT: the push helper checks the raw-bytes digest, which schema1 does not use.
    const pushed = await fetch(`${legacy.url}/v2/old/app/manifests/v1`, {
      method: 'PUT',
      body: manifest.bytes,
      headers: { 'content-type': SCHEMA1_SIGNED },
    });
    expect(pushed.status, await pushed.text()).toBe(201);
    expect(pushed.headers.get('docker-content-digest')).toBe(manifest.digest);
    app = createAppContext(testConfig({ DOCKERHUB_ALLOW_DESTRUCTIVE: 'true', DOCKER_CONFIG: '/nonexistent' }), silentLogger, 'test');
  }, 60_000);

  afterAll(async () => {
    await Promise.all([legacy?.stop(), legacy2?.stop(), modern?.stop()]);
  });

  it('get_manifest, resolve_digest, inspect, list_platforms, get_config all read it', async () => {
    const repo = `${legacy.host}/old/app:v1`;
    const got = data<{ digest: string; media_type: string; schema1: { layers: { digest: string }[] } }>(
      await call(app, { action: 'get_manifest', repo }),
    );
    expect(got.digest).toBe(manifest.digest);
    expect(got.media_type).toBe(SCHEMA1_SIGNED);
    expect(got.schema1.layers.map((l) => l.digest)).toEqual(layers);
    expect(data<{ digest: string }>(await call(app, { action: 'resolve_digest', repo })).digest).toBe(manifest.digest);
    const inspected = data<{ platforms: Record<string, unknown>[] }>(await call(app, { action: 'inspect', repo, include_config: true }));
    expect(inspected.platforms[0]).toMatchObject({ platform: 'linux/amd64', layers: 2, created: '2016-02-01T00:00:00Z' });
    expect(inspected.platforms[0]?.config).toMatchObject({ env: ['PATH=/bin'], cmd: ['sh'] });
    const platforms = data<{ platforms: { platform: string }[] }>(await call(app, { action: 'list_platforms', repo }));
    expect(platforms.platforms.map((p) => p.platform)).toEqual(['linux/amd64']);
    const config = data<{ config: { history: { created_by?: string }[] } }>(await call(app, { action: 'get_config', repo }));
    expect(config.config.history.map((h) => h.created_by)).toEqual(['/bin/sh -c #(nop) ADD file:0 in /', '/bin/sh -c echo hi > /hi']);
  });

  it('copy to a registry that accepts schema1: the same digest there', async () => {
    const copied = data<{ digest: string }>(
      await call(app, { action: 'copy', repo: `${legacy.host}/old/app:v1`, target_repo: `${legacy2.host}/old/copy` }),
    );
    expect(copied.digest).toBe(manifest.digest);
    const there = await PushClient.for(legacy2).getManifest('old/copy', 'v1');
    expect(there.headers.get('docker-content-digest')).toBe(manifest.digest);
    expect(
      data<{ digest: string }>(await call(app, { action: 'get_manifest', repo: `${legacy2.host}/old/copy@${manifest.digest}` })).digest,
    ).toBe(manifest.digest);
  });

  it('copy to a registry that refuses schema1: unsupported_content naming the type, suggesting a conversion', async () => {
    const error = errorOf(await call(app, { action: 'copy', repo: `${legacy.host}/old/app:v1`, target_repo: `${modern.host}/old/copy` }));
    expect(error.type).toBe('unsupported_content');
    expect(error.message).toContain(SCHEMA1_SIGNED);
    expect(error.hint).toMatch(/[Cc]onvert/);
  });

  it.skipIf(skopeoMissing)('an image skopeo converts to schema1 (v2s1) reads with the digest skopeo reports', async () => {
    await Fixtures.for(legacy).pushImage('peer/src', 'v1', { platform: 'linux/arm64', format: 'docker', config: { Cmd: ['run'] } });
    const tls = ['--src-tls-verify=false', '--dest-tls-verify=false'];
    await skopeo(['copy', ...tls, '--format', 'v2s1', `docker://${legacy.host}/peer/src:v1`, `docker://${legacy.host}/peer/s1:v1`]);
    const inspected = JSON.parse(await skopeo(['inspect', '--tls-verify=false', `docker://${legacy.host}/peer/s1:v1`])) as {
      Digest: string;
    };
    const ours = data<{ digest: string; media_type: string }>(
      await call(app, { action: 'get_manifest', repo: `${legacy.host}/peer/s1:v1` }),
    );
    expect(ours.media_type).toBe(SCHEMA1_SIGNED);
    expect(ours.digest).toBe(inspected.Digest);
    const platforms = data<{ platforms: { platform: string }[] }>(
      await call(app, { action: 'inspect', repo: `${legacy.host}/peer/s1:v1` }),
    );
    expect(platforms.platforms[0]?.platform).toBe('linux/arm64');
  });
});
