// Content outside the image mainstream on a real registry (Debian's docker-registry, distribution
// 2.8.2, which has no referrers API): deleting an artifact that has a `subject` keeps the subject's
// `sha256-<hex>` fallback index right, and an artifact whose config is not JSON is still inspected.
import { callRegistryTool, dataOf } from '../helpers/registry-tool.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../../src/context.js';
import { silentLogger } from '../../src/log.js';
import { Fixtures, MT, referrersTag, sha256Digest, type PushedImage } from '../helpers/registry/fixtures.js';
import { REGISTRY_MISSING, registryAvailable, startRegistry, type RegistryHandle } from '../helpers/registry/launch.js';
import { PushClient } from '../helpers/registry/push-client.js';
import { testConfig } from '../helpers/unit/app.js';

const skip = !registryAvailable() && !process.env.CI;
if (skip) console.warn(`skipping odd-content integration tests: ${REGISTRY_MISSING}`);

const call = callRegistryTool;

const data = dataOf;

describe.skipIf(skip)('odd content on distribution 2.8.2', () => {
  let reg: RegistryHandle;
  let fx: Fixtures;
  let app: AppContext;

  beforeAll(async () => {
    reg = await startRegistry();
    fx = Fixtures.for(reg);
    app = createAppContext(testConfig({ DOCKERHUB_ALLOW_DESTRUCTIVE: 'true', DOCKER_CONFIG: '/nonexistent' }), silentLogger, 'test');
  }, 60_000);

  afterAll(async () => {
    await reg?.stop();
  });

  async function referrers(image: PushedImage): Promise<string[]> {
    const listed = data<{ source: string; referrers: { digest: string }[] }>(
      await call(app, { action: 'list_referrers', repo: `${reg.host}/acme/signed`, digest: image.digest }),
    );
    expect(listed.source).toBe('fallback_tag');
    return listed.referrers.map((r) => r.digest);
  }

  it('delete_manifest of an artifact with a subject removes it from the fallback index; dry_run shows it first', async () => {
    const image = await fx.pushImage('acme/signed', 'v1', { platform: 'linux/amd64' });
    const sbom = (await fx.pushReferrer('acme/signed', image.descriptor, 'application/spdx+json')).artifact.digest;
    const sig = (await fx.pushReferrer('acme/signed', image.descriptor, 'application/vnd.example.signature')).artifact.digest;
    expect(await referrers(image)).toEqual([sbom, sig]);
    const tag = referrersTag(image.digest);

    const preview = data<{ referrers_fallback: Record<string, unknown> }>(
      await call(app, { action: 'delete_manifest', repo: `${reg.host}/acme/signed`, reference: sbom, dry_run: true }),
    );
    expect(preview.referrers_fallback).toEqual({ subject: image.digest, tag, action: 'remove', remaining: 1 });
    expect(await referrers(image)).toEqual([sbom, sig]);

    const first = data<{ deleted: boolean; referrers_fallback: Record<string, unknown> }>(
      await call(app, { action: 'delete_manifest', repo: `${reg.host}/acme/signed`, reference: sbom }),
    );
    expect(first.deleted).toBe(true);
    expect(first.referrers_fallback).toMatchObject({ tag, action: 'remove', remaining: 1 });
    expect(await referrers(image)).toEqual([sig]);

    const last = data<{ referrers_fallback: { action: string; remaining: number } }>(
      await call(app, { action: 'delete_manifest', repo: `${reg.host}/acme/signed`, reference: sig }),
    );
    console.log(`last referrer removed from the fallback index by: ${last.referrers_fallback.action}`);
    // The last one: the tag goes (or, where tags cannot be deleted, an empty index stays).
    expect(['delete_tag', 'push_empty_index']).toContain(last.referrers_fallback.action);
    expect(last.referrers_fallback.remaining).toBe(0);
    expect(await referrers(image)).toEqual([]);
    // The image itself is untouched.
    expect(data<{ exists: boolean }>(await call(app, { action: 'check_manifest', repo: `${reg.host}/acme/signed:v1` })).exists).toBe(true);
  });

  it('an artifact whose config is not JSON: inspect shows it, get_config says what it is', async () => {
    const client = PushClient.for(reg);
    const configBytes = Buffer.from([0x00, 0x01, 0x02, 0xff, 0xfe]);
    const helmType = 'application/vnd.cncf.helm.config.v1+json';
    const config = await client.pushBlob('acme/chart', configBytes);
    const layer = await client.pushBlob('acme/chart', Buffer.from('a chart'));
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MT.ociManifest,
        config: { mediaType: helmType, digest: config.digest, size: config.size },
        layers: [{ mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', digest: layer.digest, size: layer.size }],
      }),
    );
    await client.pushManifest('acme/chart', '1.0.0', manifest, MT.ociManifest);
    const inspected = data<{ platforms: Record<string, unknown>[] }>(
      await call(app, { action: 'inspect', repo: `${reg.host}/acme/chart:1.0.0` }),
    );
    expect(inspected.platforms[0]).toMatchObject({
      digest: sha256Digest(manifest),
      layers: 1,
      config_note: { digest: config.digest, media_type: helmType, parsed: false },
    });
    const result = await call(app, { action: 'get_config', repo: `${reg.host}/acme/chart:1.0.0` });
    expect(result.isError).toBe(true);
    expect((result.structuredContent as { error: { type: string } }).error.type).toBe('unsupported_content');
  });
});
