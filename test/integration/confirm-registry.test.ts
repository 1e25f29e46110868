// Confirmation of a registry delete against Debian's real `docker-registry`, through the server
// factory and the SDK Client in process: the question names the digest the tag resolves to and
// every tag the delete also removes; a decline sends no DELETE and the image stays, an accept
// deletes it by digest.
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext } from '../../src/context.js';
import { silentLogger } from '../../src/log.js';
import { createMcpServer } from '../../src/server/create-server.js';
import { RunningCalls } from '../../src/server/running-calls.js';
import { elicitingClient, type HumanAnswer } from '../helpers/eliciting-client.js';
import { startCountingProxy, type CountingProxyHandle } from '../helpers/registry/counting-proxy.js';
import { Fixtures, type PushedImage } from '../helpers/registry/fixtures.js';
import { REGISTRY_MISSING, registryAvailable, startRegistry, type RegistryHandle } from '../helpers/registry/launch.js';
import { testConfig } from '../helpers/unit/app.js';

const available = registryAvailable();
if (!available) console.log(`confirm-registry integration tests skipped: ${REGISTRY_MISSING}`);

type Outcome = { isError?: boolean; structuredContent?: unknown };

describe.skipIf(!available)('hub_registry.delete_manifest asks first (docker-registry)', () => {
  let registry: RegistryHandle;
  let proxy: CountingProxyHandle;
  let image: PushedImage;

  beforeAll(async () => {
    registry = await startRegistry({ auth: 'none' });
    proxy = await startCountingProxy({ upstream: registry.url });
    const fixtures = Fixtures.for(registry);
    image = await fixtures.pushImage('acme/app', 'v1');
    await fixtures.client.pushManifest('acme/app', 'stable', image.bytes, image.mediaType);
  });
  afterAll(async () => {
    await proxy?.stop();
    await registry?.stop();
  });

  async function deleteAnswering(answer: HumanAnswer) {
    const app = createAppContext(
      testConfig({ DOCKER_REGISTRY_URL: proxy.url, DOCKERHUB_ALLOW_DESTRUCTIVE: 'true', DOCKERHUB_CONFIRM: 'always' }),
      silentLogger,
      'test',
    );
    const server = createMcpServer(app, new RunningCalls());
    const human = elicitingClient(answer);
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await Promise.all([server.connect(serverSide), human.client.connect(clientSide)]);
    try {
      proxy.reset();
      const result = (await human.client.callTool({
        name: 'hub_registry',
        arguments: { action: 'delete_manifest', repo: 'acme/app', reference: 'v1' },
      })) as Outcome;
      return { result, asked: human.asked, deletes: proxy.filter({ method: 'DELETE' }).map((r) => r.path) };
    } finally {
      await human.client.close();
      await server.close();
      await app.close();
    }
  }

  const exists = async (tag: string) =>
    (await fetch(`${registry.url}/v2/acme/app/manifests/${tag}`, { method: 'HEAD', headers: { accept: image.mediaType } })).status === 200;

  it('declined: the question names the digest and both tags; no DELETE; the image stays', async () => {
    const { result, asked, deletes } = await deleteAnswering('decline');
    expect(asked).toHaveLength(1);
    expect(asked[0]!.message).toContain(`digest ${image.digest} (tag v1)`);
    expect(asked[0]!.message).toMatch(/tags on it \(also removed\): (v1, stable|stable, v1)/);
    expect((result.structuredContent as { error: { type: string } }).error.type).toBe('not_confirmed');
    expect(deletes).toEqual([]);
    expect(await exists('v1')).toBe(true);
    expect(await exists('stable')).toBe(true);
  });

  it('accepted: one DELETE by digest; both tags are gone', async () => {
    const { result, asked, deletes } = await deleteAnswering('accept');
    expect(asked).toHaveLength(1);
    expect(result.isError, JSON.stringify(result.structuredContent)).toBeFalsy();
    expect(deletes).toEqual([`/v2/acme/app/manifests/${image.digest}`]);
    expect(await exists('v1')).toBe(false);
    expect(await exists('stable')).toBe(false);
  });
});
