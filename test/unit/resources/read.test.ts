// Resource templates over MCP against a fake registry (msw): a manifest and a config read by
// digest are the verified bytes themselves, an index's config is refused with the URIs to read
// instead, and every refusal is typed (-32602 for a bad URI part, -32002 for content that is not
// there) and made before any request when the URI alone is wrong. Redaction, the result cap and
// the egress policy apply as they do to tool results.
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { META_REDACTED } from '../../../src/resources/read.js';
import {
  buildImage,
  buildIndex,
  exampleRegistry,
  registryApp,
  REG_HOST,
  REG_ORIGIN,
  useRegistryMsw,
} from '../../helpers/unit-registry/fake-registry.js';
import { connectInProcess, type InProcessSession } from '../../helpers/unit/mcp-client.js';

const msw = useRegistryMsw();
let session: InProcessSession | undefined;
afterEach(async () => {
  await session?.close();
  session = undefined;
});

async function open(env: Record<string, string> = {}) {
  session = await connectInProcess(registryApp(env));
  return session.client;
}

const image = buildImage({ platform: { os: 'linux', architecture: 'amd64' }, labels: { 'org.example.team': 'core' } });
const manifestUri = (digest: string, repo = 'team/app'): string => `oci://${REG_HOST}/${repo}@${digest}`;

async function rejection(promise: Promise<unknown>): Promise<McpError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(McpError);
  return error as McpError;
}

describe('resources/templates/list and resources/list', () => {
  it('lists the manifest, config and README templates; no fixed resources', async () => {
    const client = await open();
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual([
      'oci://{registry}/{+repository}@{digest}',
      'oci://{registry}/{+repository}@{digest}/config',
      'dockerhub://{namespace}/{repository}/readme',
    ]);
    expect((await client.listResources()).resources).toEqual([]);
  });

  it('offers only the templates of served tools (MCP_TOOLS=hub_registry: no README)', async () => {
    const client = await open({ MCP_TOOLS: 'hub_registry' });
    expect((await client.listResourceTemplates()).resourceTemplates.map((t) => t.name)).toEqual(['image_manifest', 'image_config']);
  });
});

describe('resources/read', () => {
  it('a manifest by digest: the exact bytes, with their media type', async () => {
    msw.server.use(...exampleRegistry().putImage('team/app', image, 'v1').handlers());
    const client = await open();
    const { contents } = await client.readResource({ uri: manifestUri(image.manifest.digest) });
    expect(contents).toEqual([
      { uri: manifestUri(image.manifest.digest), mimeType: image.manifest.mediaType, text: image.manifest.bytes.toString('utf8') },
    ]);
  });

  it('a config by its manifest digest: the config bytes; a repository sent %2F-encoded reads the same', async () => {
    msw.server.use(...exampleRegistry().putImage('team/app', image, 'v1').handlers());
    const client = await open();
    const uri = `oci://${REG_HOST}/team%2Fapp@${image.manifest.digest}/config`;
    const { contents } = await client.readResource({ uri });
    expect(contents).toEqual([{ uri, mimeType: image.config.mediaType, text: image.config.bytes.toString('utf8') }]);
  });

  it("an index's config is refused with the config URIs of its platforms", async () => {
    const arm = buildImage({ platform: { os: 'linux', architecture: 'arm64' } });
    const index = buildIndex([image, arm], false);
    msw.server.use(...exampleRegistry().putIndex('team/app', index, 'v2').handlers());
    const client = await open();
    const error = await rejection(client.readResource({ uri: `${manifestUri(index.index.digest)}/config` }));
    expect(error.code).toBe(ErrorCode.InvalidParams);
    expect(error.message).toContain('is an index');
    const data = error.data as { type: string; hint: string };
    expect(data.type).toBe('invalid_argument');
    expect(data.hint).toContain(`${manifestUri(image.manifest.digest)}/config (linux/amd64)`);
    expect(data.hint).toContain(`${manifestUri(arm.manifest.digest)}/config (linux/arm64)`);
  });

  it.each([
    [`oci://${REG_HOST}/team/app@sha256:abc`, "'digest' is not a valid digest"],
    [`oci://${REG_HOST}/Team/App@sha256:${'a'.repeat(64)}`, "repository name 'reg.example.test/Team/App' is invalid"],
    [`oci://bad_host!.test/team/app@sha256:${'a'.repeat(64)}`, 'is not a valid host[:port]'],
    [`oci://library/nginx@sha256:${'a'.repeat(64)}`, "'registry' 'library' is not a registry host"],
    [`oci://${REG_HOST}/team/app:v1`, 'matches none of'],
    ['dockerhub://Acme/app/readme', "'namespace' 'Acme' is not a Docker Hub namespace"],
  ])('%s is refused with -32602 before any request', async (uri, message) => {
    const client = await open();
    const error = await rejection(client.readResource({ uri }));
    expect(error.code).toBe(ErrorCode.InvalidParams);
    expect(error.message).toContain(message);
    expect(msw.seen).toEqual([]);
  });

  it('content the registry does not have is -32002 (resource not found), typed not_found', async () => {
    msw.server.use(...exampleRegistry().putImage('team/app', image, 'v1').handlers());
    const client = await open();
    const error = await rejection(client.readResource({ uri: manifestUri(`sha256:${'e'.repeat(64)}`) }));
    expect(error.code).toBe(-32002);
    expect((error.data as { type: string }).type).toBe('not_found');
  });

  it('a URI of no template, or of a template whose tool is not served, is -32002', async () => {
    const client = await open({ MCP_TOOLS: 'hub_admin' });
    for (const uri of ['test://static-text', manifestUri(image.manifest.digest)]) {
      const error = await rejection(client.readResource({ uri }));
      expect(error.code).toBe(-32002);
    }
    expect(msw.seen).toEqual([]);
  });

  it('redacts secrets in a config as tool results are, and says the text is not the verbatim bytes', async () => {
    const pat = 'dckr_pat_resourceCanary0123456789';
    const leaky = buildImage({ platform: { os: 'linux', architecture: 'amd64' }, env: [`HUB_TOKEN=${pat}`, 'PATH=/usr/bin'] });
    msw.server.use(...exampleRegistry().putImage('team/app', leaky, 'v1').handlers());
    const client = await open();
    const { contents } = await client.readResource({ uri: `${manifestUri(leaky.manifest.digest)}/config` });
    const content = contents[0] as { text: string; _meta?: Record<string, unknown> };
    expect(content.text).not.toContain(pat);
    expect(JSON.parse(content.text)).toMatchObject({ config: { Env: ['HUB_TOKEN=***redacted***', 'PATH=/usr/bin'] } });
    expect(content._meta).toEqual({ [META_REDACTED]: true });
  });

  it('a config over DOCKERHUB_MAX_RESULT_BYTES is refused whole (never half a JSON document), without fetching it', async () => {
    const big = buildImage({ platform: { os: 'linux', architecture: 'amd64' }, labels: { note: 'x'.repeat(4000) } });
    msw.server.use(...exampleRegistry().putImage('team/app', big, 'v1').handlers());
    const client = await open({ DOCKERHUB_MAX_RESULT_BYTES: '2048' });
    const error = await rejection(client.readResource({ uri: `${manifestUri(big.manifest.digest)}/config` }));
    expect(error.message).toContain(`over the 2048-byte result cap`);
    expect((error.data as { type: string; hint: string }).hint).toContain('get_config');
    expect(msw.seen.filter((s) => s.url.pathname.includes('/blobs/'))).toEqual([]);
  });

  it('over HTTP, a loopback registry outside the egress policy is refused before any connection', async () => {
    const client = await open({ TRANSPORT: 'streamable-http' });
    const error = await rejection(client.readResource({ uri: manifestUri(image.manifest.digest).replace(REG_HOST, '127.0.0.1:5999') }));
    expect((error.data as { type: string }).type).toBe('egress_denied');
    expect(msw.seen).toEqual([]);
  });
});

describe('completion/complete (registry)', () => {
  const manifestRef = { type: 'ref/resource' as const, uri: 'oci://{registry}/{+repository}@{digest}' };

  it('a tag typed in the digest field completes to its digest (one HEAD)', async () => {
    msw.server.use(...exampleRegistry().putImage('team/app', image, 'v1').handlers());
    const client = await open();
    const result = await client.complete({
      ref: manifestRef,
      argument: { name: 'digest', value: 'v1' },
      context: { arguments: { registry: REG_HOST, repository: 'team/app' } },
    });
    expect(result.completion).toEqual({ values: [image.manifest.digest], hasMore: false });
    // A HEAD (the first one answered 401 with the token challenge), never a GET.
    const methods = msw
      .to(REG_ORIGIN)
      .filter((s) => s.url.pathname.startsWith('/v2/team/app/manifests/'))
      .map((s) => s.method);
    expect(new Set(methods)).toEqual(new Set(['HEAD']));
  });

  it("an image argument completes tags after ':', kept in the user's spelling; in a list only the last item", async () => {
    const registry = exampleRegistry();
    for (const tag of ['v1', 'v1.1', 'v2', 'latest']) registry.putImage('team/app', image, tag);
    msw.server.use(...registry.handlers());
    const client = await open();
    const audit = await client.complete({
      ref: { type: 'ref/prompt', name: 'audit_image' },
      argument: { name: 'image', value: `${REG_HOST}/team/app:v1` },
    });
    expect(audit.completion).toEqual({ values: [`${REG_HOST}/team/app:v1`, `${REG_HOST}/team/app:v1.1`], hasMore: false });
    const pin = await client.complete({
      ref: { type: 'ref/prompt', name: 'pin_digests' },
      argument: { name: 'images', value: `nginx:1.27, ${REG_HOST}/team/app:l` },
    });
    expect(pin.completion.values).toEqual([`nginx:1.27, ${REG_HOST}/team/app:latest`]);
  });

  it("a repository variable completes from the registry's catalog, without the host", async () => {
    const { http, HttpResponse } = await import('msw');
    msw.server.use(http.get(`${REG_ORIGIN}/v2/_catalog`, () => HttpResponse.json({ repositories: ['team/api', 'team/app', 'tools/x'] })));
    const client = await open();
    const result = await client.complete({
      ref: manifestRef,
      argument: { name: 'repository', value: 'team/ap' },
      context: { arguments: { registry: REG_HOST } },
    });
    expect(result.completion).toEqual({ values: ['team/api', 'team/app'], hasMore: false });
    // A tag or digest is not part of a repository variable.
    const tagged = await client.complete({
      ref: manifestRef,
      argument: { name: 'repository', value: 'team/app:' },
      context: { arguments: { registry: REG_HOST } },
    });
    expect(tagged.completion.values).toEqual([]);
  });

  it('typing on lists the tags once: the next keystrokes complete from that list', async () => {
    const registry = exampleRegistry();
    for (const tag of ['v1', 'v1.1', 'v2']) registry.putImage('team/app', image, tag);
    msw.server.use(...registry.handlers());
    const client = await open();
    const values: string[][] = [];
    for (const typed of ['', 'v', 'v1', 'v1.']) {
      const result = await client.complete({
        ref: { type: 'ref/prompt', name: 'audit_image' },
        argument: { name: 'image', value: `${REG_HOST}/team/app:${typed}` },
      });
      values.push(result.completion.values.map((v) => v.slice(`${REG_HOST}/team/app:`.length)));
    }
    expect(values).toEqual([['v1', 'v1.1', 'v2'], ['v1', 'v1.1', 'v2'], ['v1', 'v1.1'], ['v1.1']]);
    expect(msw.to(REG_ORIGIN).filter((s) => s.url.pathname === '/v2/team/app/tags/list' && s.headers.has('authorization'))).toHaveLength(1);
  });

  it('at most 100 values, with hasMore', async () => {
    const registry = exampleRegistry();
    for (let i = 0; i < 150; i++) registry.putImage('team/app', image, `build-${i}`);
    msw.server.use(...registry.handlers());
    const client = await open();
    const result = await client.complete({
      ref: { type: 'ref/prompt', name: 'audit_image' },
      argument: { name: 'image', value: `${REG_HOST}/team/app:build` },
    });
    expect(result.completion.values).toHaveLength(100);
    expect(result.completion.hasMore).toBe(true);
  });

  it('an upstream failure, an egress refusal or an unknown prompt complete to nothing, never to an error', async () => {
    msw.server.use(...exampleRegistry({ token: 'other' }).handlers());
    const client = await open({ TRANSPORT: 'streamable-http', DOCKER_REGISTRY_ALLOWED_HOSTS: REG_HOST });
    const empty = { values: [], hasMore: false };
    // 404 for the repository's tags.
    expect(
      (
        await client.complete({
          ref: { type: 'ref/prompt', name: 'audit_image' },
          argument: { name: 'image', value: `${REG_HOST}/none/here:` },
        })
      ).completion,
    ).toEqual(empty);
    expect(
      (
        await client.complete({
          ref: { type: 'ref/prompt', name: 'audit_image' },
          argument: { name: 'image', value: '127.0.0.1:5999/x/y:' },
        })
      ).completion,
    ).toEqual(empty);
    expect(
      (
        await client.complete({
          ref: { type: 'ref/prompt', name: 'test_prompt_with_arguments' },
          argument: { name: 'arg1', value: 'test' },
        })
      ).completion,
    ).toEqual(empty);
    expect(
      (await client.complete({ ref: { type: 'ref/prompt', name: 'audit_image' }, argument: { name: 'platform', value: 'linux' } }))
        .completion,
    ).toEqual(empty);
  });

  it('a registry that never answers completes to nothing once the deadline passes', async () => {
    const { http } = await import('msw');
    msw.server.use(http.all(`${REG_ORIGIN}/v2/*`, () => new Promise<never>(() => undefined)));
    const client = await open({ DOCKERHUB_TIMEOUT: '1' });
    const result = await client.complete({
      ref: { type: 'ref/prompt', name: 'audit_image' },
      argument: { name: 'image', value: `${REG_HOST}/team/app:` },
    });
    expect(result.completion).toEqual({ values: [], hasMore: false });
  });
});
