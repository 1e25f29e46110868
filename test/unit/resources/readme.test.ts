// The Docker Hub side of resources and completion against a recorded fake Hub (msw): a README read
// through the Hub client (redacted, capped with a marker), namespaces and repositories completed
// from the Hub API, and a Hub refusal turned into an empty completion.
import { afterEach, describe, expect, it } from 'vitest';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { META_REDACTED, META_TRUNCATED } from '../../../src/resources/read.js';
import { AUTHED, hubApp, PAT, useHub } from '../../helpers/unit/hub-harness.js';
import { connectInProcess, type InProcessSession } from '../../helpers/unit/mcp-client.js';

const hub = useHub();
let session: InProcessSession | undefined;
afterEach(async () => {
  await session?.close();
  session = undefined;
});

async function open(env: Record<string, string> = AUTHED) {
  session = await connectInProcess(hubApp(env));
  return session.client;
}

const README = 'dockerhub://acme/app/readme';
const REPO_PATH = '/v2/namespaces/acme/repositories/app';

describe('the README template', () => {
  it("reads the repository's full_description as Markdown, with one Hub request", async () => {
    hub.answer('GET', REPO_PATH, { name: 'app', namespace: 'acme', full_description: '# App\n\nRun it with `docker run acme/app`.' });
    const client = await open();
    const { contents } = await client.readResource({ uri: README });
    expect(contents).toEqual([{ uri: README, mimeType: 'text/markdown', text: '# App\n\nRun it with `docker run acme/app`.' }]);
    expect(hub.calls().map((c) => `${c.method} ${c.path}`)).toEqual([`GET ${REPO_PATH}`]);
  });

  it('redacts a token pasted into a README and marks the content', async () => {
    hub.answer('GET', REPO_PATH, { full_description: `login with ${PAT}` });
    const client = await open();
    const content = (await client.readResource({ uri: README })).contents[0] as { text: string; _meta?: Record<string, unknown> };
    expect(content.text).toBe('login with ***redacted***');
    expect(content._meta).toEqual({ [META_REDACTED]: true });
  });

  it('cuts a README over DOCKERHUB_MAX_RESULT_BYTES with a marker, within the cap', async () => {
    hub.answer('GET', REPO_PATH, { full_description: 'é'.repeat(3000) });
    const client = await open({ ...AUTHED, DOCKERHUB_MAX_RESULT_BYTES: '2048' });
    const content = (await client.readResource({ uri: README })).contents[0] as { text: string; _meta?: Record<string, unknown> };
    expect(Buffer.byteLength(content.text, 'utf8')).toBeLessThanOrEqual(2048);
    expect(content.text).toMatch(/…\[\d+ characters cut\]$/);
    expect(content._meta).toEqual({ [META_TRUNCATED]: true });
  });

  it("a repository Hub does not have is -32002 with the Hub's error typed not_found", async () => {
    hub.answer('GET', REPO_PATH, { message: 'object not found' }, { status: 404 });
    const client = await open();
    const error = (await client.readResource({ uri: README }).catch((e: unknown) => e)) as McpError;
    expect(error).toBeInstanceOf(McpError);
    expect(error.code).toBe(-32002);
    expect((error.data as { type: string; status: number }).type).toBe('not_found');
  });
});

describe('the README template: errors', () => {
  it('an upstream error naming a secret reaches the client redacted, in message and data', async () => {
    hub.answer('GET', REPO_PATH, { message: `token ${PAT} lacks repo:read` }, { status: 403 });
    const client = await open();
    const error = (await client.readResource({ uri: README }).catch((e: unknown) => e)) as McpError;
    expect(error).toBeInstanceOf(McpError);
    expect((error.data as { type: string }).type).toBe('forbidden');
    expect(error.message).toContain('***redacted***');
    expect(JSON.stringify([error.message, error.data])).not.toContain(PAT);
  });
});

describe('completion/complete (Docker Hub)', () => {
  const readmeRef = { type: 'ref/resource' as const, uri: 'dockerhub://{namespace}/{repository}/readme' };

  it("namespaces: the login's own name and its organizations", async () => {
    hub.answer('GET', '/v2/user/orgs', { count: 2, next: null, results: [{ orgname: 'acme' }, { orgname: 'octo-labs' }] });
    const client = await open();
    const all = await client.complete({ ref: readmeRef, argument: { name: 'namespace', value: '' } });
    expect(all.completion).toEqual({ values: ['octo', 'acme', 'octo-labs'], hasMore: false });
    const octo = await client.complete({ ref: readmeRef, argument: { name: 'namespace', value: 'oc' } });
    expect(octo.completion.values).toEqual(['octo', 'octo-labs']);
  });

  it('namespaces complete to nothing, without a request, when the server has no login', async () => {
    const client = await open({});
    expect((await client.complete({ ref: readmeRef, argument: { name: 'namespace', value: '' } })).completion.values).toEqual([]);
    expect(hub.calls(true)).toEqual([]);
  });

  it('repositories of the namespace given in context, filtered by Hub; more pages say hasMore', async () => {
    hub.answer('GET', '/v2/namespaces/acme/repositories', {
      count: 140,
      next: 'https://hub.test/v2/namespaces/acme/repositories?page=2',
      results: [{ name: 'app' }, { name: 'api' }, { name: 'tools-app' }],
    });
    const client = await open();
    const result = await client.complete({
      ref: readmeRef,
      argument: { name: 'repository', value: 'ap' },
      context: { arguments: { namespace: 'acme' } },
    });
    // Hub's name filter matches substrings; completion keeps the prefix matches.
    expect(result.completion).toEqual({ values: ['app', 'api'], hasMore: true });
    expect(hub.calls()[0]!.query).toMatchObject({ name: 'ap', page_size: '100' });
    // Without the namespace there is nothing to list.
    const none = await client.complete({ ref: readmeRef, argument: { name: 'repository', value: 'ap' } });
    expect(none.completion.values).toEqual([]);
  });

  it('an image argument on Docker Hub completes repositories of the namespace typed', async () => {
    hub.answer('GET', '/v2/namespaces/acme/repositories', { count: 1, next: null, results: [{ name: 'app' }] });
    const client = await open();
    const result = await client.complete({
      ref: { type: 'ref/prompt', name: 'mirror_image' },
      argument: { name: 'source', value: 'acme/a' },
    });
    expect(result.completion.values).toEqual(['acme/app']);
  });

  it('a bare name completes to official images (library namespace), from two letters on', async () => {
    hub.answer('GET', '/v2/namespaces/library/repositories', { count: 2, next: null, results: [{ name: 'nginx' }, { name: 'node' }] });
    const client = await open();
    const ref = { type: 'ref/prompt' as const, name: 'audit_image' };
    expect((await client.complete({ ref, argument: { name: 'image', value: 'n' } })).completion.values).toEqual([]);
    expect(hub.calls()).toEqual([]);
    expect((await client.complete({ ref, argument: { name: 'image', value: 'ng' } })).completion.values).toEqual(['nginx']);
    expect(hub.calls().map((c) => c.query.name)).toEqual(['ng']);
  });

  it('the manifest template on Docker Hub: a bare repository completes to library/<name>, a namespaced one to its repositories', async () => {
    hub.answer('GET', '/v2/namespaces/library/repositories', { count: 1, next: null, results: [{ name: 'nginx' }] });
    const client = await open();
    const ref = { type: 'ref/resource' as const, uri: 'oci://{registry}/{+repository}@{digest}' };
    const context = { arguments: { registry: 'docker.io' } };
    expect((await client.complete({ ref, argument: { name: 'repository', value: 'ng' }, context })).completion.values).toEqual([
      'library/nginx',
    ]);
    expect((await client.complete({ ref, argument: { name: 'repository', value: 'library/ng' }, context })).completion.values).toEqual([
      'library/nginx',
    ]);
    expect((await client.complete({ ref, argument: { name: 'registry', value: 'dock' } })).completion.values).toEqual(['docker.io']);
  });

  it('a Hub refusal completes to nothing, and its message (which may name the login) never reaches the client', async () => {
    hub.answer('GET', '/v2/namespaces/acme/repositories', { message: `denied for ${PAT}` }, { status: 403 });
    const client = await open();
    const result = await client.complete({
      ref: readmeRef,
      argument: { name: 'repository', value: '' },
      context: { arguments: { namespace: 'acme' } },
    });
    expect(result).toEqual({ completion: { values: [], hasMore: false } });
  });
});
