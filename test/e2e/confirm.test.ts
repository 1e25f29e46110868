// Confirmation of destructive calls with the built server, driven by the SDK Client as a human's
// client would: over stdio and a stateful HTTP session the human is asked and only an accept
// deletes; a stateless HTTP request cannot carry a question, so it counts as a client that
// cannot elicit (DOCKERHUB_CONFIRM=always refuses it, when-supported lets it through).
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { elicitingClient, type ElicitingClient } from '../helpers/eliciting-client.js';
import { startFakeHub, type FakeHub } from '../helpers/fake-hub.js';
import { connectStdio, minimalEnv, type StdioSession } from '../helpers/mcp-session.js';
import { ENTRY, startHttpServer, type RunningServer } from '../helpers/spawn-server.js';

const SECRET = 'dckr_pat_e2eConfirmCanary0123456789';
const REPO = '/v2/namespaces/acme/repositories/app';
const DELETE_REPO = { name: 'hub_repos', arguments: { action: 'delete', namespace: 'acme', repository: 'app' } };

type Outcome = { isError?: boolean; structuredContent?: unknown };
const errorType = (result: Outcome): string | undefined =>
  (result.structuredContent as { error?: { type: string } } | undefined)?.error?.type;

async function fakeHub(): Promise<FakeHub> {
  const hub = await startFakeHub({ secret: SECRET });
  hub.route('GET', REPO, { json: { namespace: 'acme', name: 'app', pull_count: 3 } });
  hub.route('DELETE', REPO, { status: 202, text: '' });
  return hub;
}
const hubEnv = (hub: FakeHub, extra: Record<string, string> = {}) => ({
  DOCKER_HUB_USER: 'octo',
  DOCKER_HUB_TOKEN: SECRET,
  DOCKERHUB_URL: hub.url,
  DOCKERHUB_ALLOW_DESTRUCTIVE: 'true',
  ...extra,
});
const deletes = (hub: FakeHub): number => hub.requests.filter((r) => r.method === 'DELETE').length;

/** Decline, then accept: the first changes nothing, the second deletes once. */
async function declineThenAccept(human: ElicitingClient, hub: FakeHub): Promise<void> {
  human.answerWith('decline');
  const declined = (await human.client.callTool(DELETE_REPO)) as Outcome;
  expect(errorType(declined)).toBe('not_confirmed');
  expect(deletes(hub)).toBe(0);
  expect(human.asked).toHaveLength(1);
  expect(human.asked[0]!.message).toContain(`DELETE ${REPO}`);

  human.answerWith('accept');
  const accepted = (await human.client.callTool(DELETE_REPO)) as Outcome;
  expect(accepted.isError, JSON.stringify(accepted.structuredContent)).toBeFalsy();
  expect(accepted.structuredContent).toMatchObject({ status_code: 202 });
  expect(deletes(hub)).toBe(1);
  expect(human.asked).toHaveLength(2);
}

describe('confirmation over stdio', () => {
  let hub: FakeHub;
  let session: StdioSession;
  const human = elicitingClient('decline');
  beforeAll(async () => {
    hub = await fakeHub();
    session = await connectStdio({ command: process.execPath, args: [ENTRY], env: minimalEnv(hubEnv(hub)), client: human.client });
  });
  afterAll(async () => {
    await session?.close();
    await hub?.close();
  });

  it('asks the human with the exact target; decline deletes nothing, accept deletes once', async () => {
    await declineThenAccept(human, hub);
    expect(session.stderr()).toContain('destructive call not confirmed');
    expect(session.stderr()).toContain('destructive call confirmed');
    expect(session.stderr()).not.toContain(SECRET);
  });
});

describe('confirmation over HTTP', () => {
  let hub: FakeHub;
  const servers: RunningServer[] = [];
  beforeAll(async () => {
    hub = await fakeHub();
  });
  afterAll(async () => {
    for (const server of servers) await server.stop();
    await hub?.close();
  });
  async function serve(extra: Record<string, string>, args: string[] = []): Promise<RunningServer> {
    const server = await startHttpServer(hubEnv(hub, extra), args);
    servers.push(server);
    return server;
  }

  it('a stateful session carries the question on the call stream: decline deletes nothing, accept deletes once', async () => {
    hub.requests.length = 0;
    const server = await serve({ DOCKERHUB_CONFIRM: 'always' });
    const human = elicitingClient('decline');
    await human.client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
    try {
      await declineThenAccept(human, hub);
    } finally {
      await human.client.close();
    }
  });

  it('stateless: no question can be asked, so always refuses (nothing deleted) and when-supported goes ahead', async () => {
    hub.requests.length = 0;
    const strict = await serve({ DOCKERHUB_CONFIRM: 'always' }, ['--stateless']);
    const refused = elicitingClient('accept');
    await refused.client.connect(new StreamableHTTPClientTransport(new URL(strict.url)));
    const result = (await refused.client.callTool(DELETE_REPO)) as Outcome;
    await refused.client.close();
    expect(errorType(result)).toBe('confirmation_required');
    expect(deletes(hub)).toBe(0);
    expect(refused.asked).toHaveLength(0);

    const lenient = await serve({}, ['--stateless']);
    const through = elicitingClient('decline');
    await through.client.connect(new StreamableHTTPClientTransport(new URL(lenient.url)));
    const done = (await through.client.callTool(DELETE_REPO)) as Outcome;
    await through.client.close();
    expect(done.isError, JSON.stringify(done.structuredContent)).toBeFalsy();
    expect(deletes(hub)).toBe(1);
    expect(through.asked).toHaveLength(0);
  });
});
