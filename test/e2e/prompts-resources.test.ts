// Prompts, resource templates and completion end to end: the built server over stdio and over
// streamable HTTP, driven by the SDK Client, reading a tiny image pushed to a real registry
// (docker-registry on loopback, the configured DOCKER_REGISTRY_URL, so the HTTP egress policy
// admits it) — and refusing a loopback registry the policy does not name.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectStdio, minimalEnv } from '../helpers/mcp-session.js';
import { Fixtures, type PushedImage } from '../helpers/registry/fixtures.js';
import { REGISTRY_MISSING, registryAvailable, startRegistry, type RegistryHandle } from '../helpers/registry/launch.js';
import { ENTRY, startHttpServer, type RunningServer } from '../helpers/spawn-server.js';

interface Session {
  client: Client;
  close(): Promise<void>;
}

const available = registryAvailable();
if (!available) console.log(`prompts-resources e2e skipped: ${REGISTRY_MISSING}`);

let registry: RegistryHandle;
let pushed: PushedImage;

beforeAll(async () => {
  if (!available) return;
  registry = await startRegistry({ auth: 'none' });
  const fx = Fixtures.for(registry);
  pushed = await fx.pushImage('team/app', 'v1', { platform: 'linux/amd64', config: { Labels: { 'org.example.e2e': 'yes' } } });
  await fx.client.pushManifest('team/app', 'v2', pushed.bytes, pushed.mediaType);
}, 60_000);

afterAll(async () => {
  await registry?.stop();
});

const env = (): Record<string, string> => ({ DOCKER_REGISTRY_URL: registry.url, DOCKER_CONFIG: '/nonexistent-docker-config' });

async function overStdio(): Promise<Session> {
  const session = await connectStdio({ command: process.execPath, args: [ENTRY], env: minimalEnv(env()) });
  return { client: session.client, close: session.close };
}

async function overHttp(): Promise<Session> {
  const server: RunningServer = await startHttpServer(env());
  const client = new Client({ name: 'dockerhub-mcp-e2e', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
  return {
    client,
    close: async () => {
      await client.close();
      await server.stop();
    },
  };
}

describe.skipIf(!available).each([
  ['stdio', overStdio],
  ['HTTP', overHttp],
])('prompts, resources and completion over %s', (transport, connect) => {
  let session: Session;
  const image = (): string => `${registry.host}/team/app`;
  const manifestUri = (): string => `oci://${registry.host}/team/app@${pushed.digest}`;

  beforeAll(async () => {
    session = await connect();
  }, 30_000);
  afterAll(async () => {
    await session?.close();
  });

  it('declares prompts, resources and completions', () => {
    expect(session.client.getServerCapabilities()).toMatchObject({ prompts: {}, resources: {}, completions: {} });
  });

  it('prompts/list and prompts/get: the audit workflow names exact calls on the image given', async () => {
    const { prompts } = await session.client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual(['audit_image', 'clean_up_tags', 'pin_digests', 'mirror_image', 'explain_rate_limit']);
    const got = await session.client.getPrompt({ name: 'audit_image', arguments: { image: `${image()}:v1` } });
    const text = (got.messages[0]!.content as { text: string }).text;
    expect(text).toContain(`Call \`hub_registry\` with \`{"action":"inspect","repo":"${image()}:v1","include_config":true}\``);
    const bad = (await session.client.getPrompt({ name: 'pin_digests', arguments: {} }).catch((e: unknown) => e)) as McpError;
    expect(bad).toBeInstanceOf(McpError);
    expect(bad.code).toBe(ErrorCode.InvalidParams);
    expect(bad.message).toContain("missing required argument 'images'");
  });

  it('resources/templates/list, resources/list, and resources/read of a manifest and its config: the pushed bytes', async () => {
    const { resourceTemplates } = await session.client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.name)).toEqual(['image_manifest', 'image_config', 'hub_readme']);
    expect((await session.client.listResources()).resources).toEqual([]);
    const manifest = await session.client.readResource({ uri: manifestUri() });
    expect(manifest.contents).toEqual([{ uri: manifestUri(), mimeType: pushed.mediaType, text: pushed.bytes.toString('utf8') }]);
    const config = await session.client.readResource({ uri: `${manifestUri()}/config` });
    expect(config.contents[0]).toMatchObject({ mimeType: pushed.config.mediaType, text: pushed.config.bytes.toString('utf8') });
    console.log(`${transport}: manifest ${pushed.bytes.length} B, config ${pushed.config.bytes.length} B read as resources`);
  });

  it('resources/read: a missing digest is -32002; a loopback registry outside the egress policy is refused', async () => {
    const missing = (await session.client
      .readResource({ uri: `oci://${registry.host}/team/app@sha256:${'0'.repeat(64)}` })
      .catch((e: unknown) => e)) as McpError;
    expect(missing.code).toBe(-32002);
    // Over stdio every loopback registry may be reached; over HTTP only the configured one.
    const other = `oci://127.0.0.1:9/team/app@${pushed.digest}`;
    const refused = (await session.client.readResource({ uri: other }).catch((e: unknown) => e)) as McpError;
    expect(refused).toBeInstanceOf(McpError);
    expect((refused.data as { type: string }).type).toBe(transport === 'HTTP' ? 'egress_denied' : 'network_error');
  });

  it('completion/complete: tags of the repository, and a tag typed as a digest', async () => {
    const tags = await session.client.complete({
      ref: { type: 'ref/prompt', name: 'audit_image' },
      argument: { name: 'image', value: `${image()}:v` },
    });
    expect(tags.completion).toEqual({ values: [`${image()}:v1`, `${image()}:v2`], hasMore: false });
    const digest = await session.client.complete({
      ref: { type: 'ref/resource', uri: 'oci://{registry}/{+repository}@{digest}' },
      argument: { name: 'digest', value: 'v2' },
      context: { arguments: { registry: registry.host, repository: 'team/app' } },
    });
    expect(digest.completion.values).toEqual([pushed.digest]);
    const unknown = await session.client.complete({ ref: { type: 'ref/prompt', name: 'nope' }, argument: { name: 'x', value: '' } });
    expect(unknown.completion.values).toEqual([]);
  });
});
