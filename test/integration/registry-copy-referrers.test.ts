// copy with `referrers: true` carries the artifacts that refer to an image (an SBOM, and a
// signature of that SBOM) to the destination, where they are found as at the source.
import { callRegistryTool, dataOf } from '../helpers/registry-tool.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext } from '../../src/context.js';
import { silentLogger } from '../../src/log.js';
import { Fixtures, type PushedImage } from '../helpers/registry/fixtures.js';
import { REGISTRY_MISSING, registryAvailable, startRegistry, type RegistryHandle } from '../helpers/registry/launch.js';
import { testConfig } from '../helpers/unit/app.js';

const skip = !registryAvailable() && !process.env.CI;
if (skip) console.warn(`skipping copy-with-referrers tests: ${REGISTRY_MISSING}`);

const call = callRegistryTool;

const data = dataOf;

describe.skipIf(skip)('copy with referrers', () => {
  let source: RegistryHandle;
  let target: RegistryHandle;
  let image: PushedImage;
  let sbom: string;
  let signature: string;

  beforeAll(async () => {
    source = await startRegistry();
    target = await startRegistry();
    const fx = Fixtures.for(source);
    image = await fx.pushImage('acme/signed', 'v1', { platform: 'linux/amd64' });
    const pushedSbom = await fx.pushReferrer('acme/signed', image.descriptor, 'application/spdx+json');
    sbom = pushedSbom.artifact.digest;
    signature = (await fx.pushReferrer('acme/signed', pushedSbom.artifact.descriptor, 'application/vnd.example.signature')).artifact.digest;
  }, 60_000);

  afterAll(async () => {
    await source?.stop();
    await target?.stop();
  });

  it('previews the referrers in a dry run, copies them, and the destination lists them', async () => {
    const app = createAppContext(testConfig({ DOCKERHUB_ALLOW_DESTRUCTIVE: 'true', DOCKER_CONFIG: '/nonexistent' }), silentLogger, 'test');
    const args = { action: 'copy', repo: `${source.host}/acme/signed:v1`, target_repo: `${target.host}/acme/signed`, referrers: true };
    const preview = data<{ referrers: { digest: string }[] }>(await call(app, { ...args, dry_run: true }));
    expect(preview.referrers.map((r) => r.digest)).toEqual([sbom]);

    const copied = data<{ referrers: { digest: string; subject: string }[] }>(await call(app, args));
    expect(copied.referrers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ digest: sbom, subject: image.digest }),
        expect.objectContaining({ digest: signature, subject: sbom }),
      ]),
    );
    expect(copied.referrers).toHaveLength(2);

    const there = data<{ referrers: { digest: string; artifact_type: string }[] }>(
      await call(app, { action: 'list_referrers', repo: `${target.host}/acme/signed`, digest: image.digest }),
    );
    expect(there.referrers).toEqual([expect.objectContaining({ digest: sbom, artifact_type: 'application/spdx+json' })]);
    const signed = data<{ referrers: { digest: string }[] }>(
      await call(app, { action: 'list_referrers', repo: `${target.host}/acme/signed`, digest: sbom }),
    );
    expect(signed.referrers.map((r) => r.digest)).toEqual([signature]);
  });

  it('copies no referrers unless asked', async () => {
    const app = createAppContext(testConfig({ DOCKERHUB_ALLOW_DESTRUCTIVE: 'true', DOCKER_CONFIG: '/nonexistent' }), silentLogger, 'test');
    const copied = data<{ referrers?: unknown }>(
      await call(app, { action: 'copy', repo: `${source.host}/acme/signed:v1`, target_repo: `${target.host}/acme/plain` }),
    );
    expect(copied.referrers).toBeUndefined();
    const there = data<{ referrers: unknown[] }>(
      await call(app, { action: 'list_referrers', repo: `${target.host}/acme/plain`, digest: image.digest }),
    );
    expect(there.referrers).toEqual([]);
  });
});
