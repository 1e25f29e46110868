// Confirmation of destructive calls through the real MCP server factory and the SDK Client, in
// process, against an msw Hub: for each DOCKERHUB_CONFIRM mode and each kind of client (one that
// accepts, accepts without ticking, declines, cancels, or cannot elicit at all), the upstream
// destructive requests are counted: none unless a human accepted, or confirmation is off.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { http, HttpResponse } from 'msw';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMcpServer } from '../../../src/server/create-server.js';
import { RunningCalls } from '../../../src/server/running-calls.js';
import { CONFIRM_TIMEOUT_MS } from '../../../src/tools/confirm.js';
import { elicitingClient, type HumanAnswer } from '../../helpers/eliciting-client.js';
import { AUTHED, HUB, hubApp, useHub } from '../../helpers/unit/hub-harness.js';

const REPO = '/v2/namespaces/acme/repositories/app';
type Outcome = { isError?: boolean; structuredContent?: unknown };
const errorOf = (result: Outcome) => (result.structuredContent as { error: { type: string; message: string; hint?: string } }).error;

const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const item of opened.splice(0).reverse()) await item.close();
  vi.useRealTimers();
});

/** The server factory every transport uses, linked in memory to `client`; returns what the client received. */
async function connect(client: Client, env: Record<string, string>): Promise<JSONRPCMessage[]> {
  const app = hubApp({ ...AUTHED, ...env });
  const server = createMcpServer(app, new RunningCalls());
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  opened.push(app, server, client);
  const received: JSONRPCMessage[] = [];
  const deliver = clientSide.onmessage;
  clientSide.onmessage = (message, extra) => {
    received.push(message);
    deliver?.(message, extra);
  };
  return received;
}

/** The server withdrew question `id` (notifications/cancelled naming it). */
const withdrawn = (received: JSONRPCMessage[], id: string | number): boolean =>
  received.some((m) => 'method' in m && m.method === 'notifications/cancelled' && (m.params as { requestId?: unknown }).requestId === id);

function clientFor(answer: HumanAnswer | 'incapable') {
  if (answer === 'incapable') return { client: new Client({ name: 'plain', version: '1' }), asked: [] as { message: string }[] };
  return elicitingClient(answer);
}

describe('hub_repos.delete under each DOCKERHUB_CONFIRM mode and client answer', () => {
  const hub = useHub();
  const repoInfo = { namespace: 'acme', name: 'app', pull_count: 12, last_updated: '2026-01-02T00:00:00Z' };

  // [mode, client, upstream DELETEs, questions asked, error type]
  const matrix: [string, HumanAnswer | 'incapable', number, number, string | undefined][] = [
    ['when-supported', 'accept', 1, 1, undefined],
    ['when-supported', 'accept-unticked', 0, 1, 'not_confirmed'],
    ['when-supported', 'decline', 0, 1, 'not_confirmed'],
    ['when-supported', 'cancel', 0, 1, 'not_confirmed'],
    ['when-supported', 'incapable', 1, 0, undefined],
    ['always', 'accept', 1, 1, undefined],
    ['always', 'decline', 0, 1, 'not_confirmed'],
    ['always', 'cancel', 0, 1, 'not_confirmed'],
    ['always', 'incapable', 0, 0, 'confirmation_required'],
    ['never', 'accept', 1, 0, undefined],
    ['never', 'decline', 1, 0, undefined],
    ['never', 'cancel', 1, 0, undefined],
    ['never', 'incapable', 1, 0, undefined],
  ];
  for (const [mode, answer, deletes, questions, errorType] of matrix) {
    it(`${mode}, client ${answer}: ${deletes} DELETE, ${questions} question${errorType ? `, ${errorType}` : ''}`, async () => {
      hub.answer('GET', REPO, repoInfo);
      hub.answer('DELETE', REPO, null, { status: 202 });
      const { client, asked } = clientFor(answer);
      await connect(client, { DOCKERHUB_CONFIRM: mode });
      const result = (await client.callTool({
        name: 'hub_repos',
        arguments: { action: 'delete', namespace: 'acme', repository: 'app' },
      })) as Outcome;
      expect(hub.calls().filter((c) => c.method === 'DELETE')).toHaveLength(deletes);
      expect(asked).toHaveLength(questions);
      // What asking costs upstream: the dry run's read of the target, and after an accept a second
      // read to check the target did not change meanwhile.
      const reads = questions === 0 ? 0 : answer === 'accept' ? 2 : 1;
      expect(hub.calls().filter((c) => c.method === 'GET')).toHaveLength(reads);
      if (questions > 0) expect(asked[0]!.message).toContain(`DELETE ${REPO}`);
      if (errorType === undefined) {
        expect(result.isError, JSON.stringify(result.structuredContent)).toBeFalsy();
        expect(result.structuredContent).toMatchObject({ status_code: 202 });
      } else {
        expect(result.isError).toBe(true);
        const error = errorOf(result);
        expect(error.type).toBe(errorType);
        expect(error.message).toContain('nothing was changed');
        expect(error.hint).toBeTruthy();
      }
    });
  }

  it('says which answer stopped the call', async () => {
    hub.answer('GET', REPO, repoInfo);
    const messages: Record<string, string> = {};
    for (const answer of ['decline', 'cancel', 'accept-unticked'] as const) {
      const { client } = elicitingClient(answer);
      await connect(client, {});
      messages[answer] = errorOf(
        (await client.callTool({ name: 'hub_repos', arguments: { action: 'delete', namespace: 'acme', repository: 'app' } })) as Outcome,
      ).message;
    }
    expect(messages.decline).toContain('the user declined');
    expect(messages.cancel).toContain('cancelled the confirmation');
    expect(messages['accept-unticked']).toContain('without ticking confirm');
  });

  it('asks for a one-checkbox form the SDK accepts, and never asks for a dry run or with the gate closed', async () => {
    hub.answer('GET', REPO, repoInfo);
    const { client, asked } = elicitingClient('accept');
    await connect(client, {});
    const dry = (await client.callTool({
      name: 'hub_repos',
      arguments: { action: 'delete', namespace: 'acme', repository: 'app', dry_run: true },
    })) as Outcome;
    expect(dry.isError).toBeFalsy();
    expect(asked).toHaveLength(0);

    const closed = elicitingClient('accept');
    await connect(closed.client, { DOCKERHUB_ALLOW_DESTRUCTIVE: 'false' });
    const refused = (await closed.client.callTool({
      name: 'hub_repos',
      arguments: { action: 'delete', namespace: 'acme', repository: 'app' },
    })) as Outcome;
    expect(errorOf(refused).type).toBe('gate_closed');
    expect(closed.asked).toHaveLength(0);
    expect(hub.calls().filter((c) => c.method === 'DELETE')).toHaveLength(0);
  });

  it('asks the human only when arguments make a write destructive (update_pat is_active:false)', async () => {
    const pat = '/v2/access-tokens/0c3e3c0c-2b0e-4a64-9f3e-3d8f2b8f9a11';
    hub.answer('GET', pat, { uuid: 'u', token_label: 'ci', is_active: true });
    hub.answer('PATCH', pat, { uuid: 'u', token_label: 'ci', is_active: false });
    const { client, asked } = elicitingClient('decline');
    await connect(client, {});
    const uuid = pat.split('/').pop();
    const rename = (await client.callTool({
      name: 'hub_auth',
      arguments: { action: 'update_pat', uuid, token_label: 'deploy' },
    })) as Outcome;
    expect(rename.isError, JSON.stringify(rename.structuredContent)).toBeFalsy();
    expect(asked).toHaveLength(0);
    const deactivate = (await client.callTool({
      name: 'hub_auth',
      arguments: { action: 'update_pat', uuid, is_active: false },
    })) as Outcome;
    expect(errorOf(deactivate).type).toBe('not_confirmed');
    expect(asked).toHaveLength(1);
    expect(asked[0]!.message).toContain('is_active: true → false');
    expect(hub.calls().filter((c) => c.method === 'PATCH')).toHaveLength(1);
  });

  it('prune_tags asks with the tags it would delete, and only when dry_run is false', async () => {
    const old = (i: number) => ({
      name: `v1.${i}`,
      digest: `sha256:${String(i).padStart(64, '0')}`,
      tag_last_pushed: '2020-01-01T00:00:00Z',
    });
    const tags = [
      { name: 'latest', digest: null, tag_last_pushed: '2026-01-01T00:00:00Z' },
      ...Array.from({ length: 9 }, (_, i) => old(i)),
    ];
    hub.answer('GET', `${REPO}/tags`, { count: tags.length, next: null, results: tags });
    for (const tag of tags) hub.answer('DELETE', `${REPO}/tags/${tag.name}`, null, { status: 204 });
    for (const [answer, deletes] of [
      ['decline', 0],
      ['accept', 9],
    ] as const) {
      const { client, asked } = elicitingClient(answer);
      await connect(client, {});
      const args = { action: 'prune_tags', namespace: 'acme', repository: 'app', older_than_days: 30 };
      const preview = (await client.callTool({ name: 'hub_repos', arguments: args })) as Outcome;
      expect(preview.structuredContent).toMatchObject({ data: { dry_run: true } });
      expect(asked).toHaveLength(0);
      await client.callTool({ name: 'hub_repos', arguments: { ...args, dry_run: false } });
      expect(asked).toHaveLength(1);
      expect(asked[0]!.message).toContain('delete 9 tags of acme/app: v1.0, v1.1, v1.2, v1.3, v1.4 … (4 more); protected: latest');
      expect(hub.calls().filter((c) => c.method === 'DELETE')).toHaveLength(deletes);
      hub.seen.length = 0;
    }
  });
});

describe('a target that changes while the human reads the question', () => {
  const hub = useHub();

  it('is not deleted: a tag that aged past older_than_days meanwhile stops the prune', async () => {
    const day = 86_400_000;
    const at = (ageDays: number) => new Date(Date.now() - ageDays * day).toISOString();
    let scans = 0;
    hub.useToken();
    hub.server.use(
      http.get(`${HUB}${REPO}/tags`, () => {
        scans++;
        // v2 is 29 days old at the first scan, past 30 days at the second.
        const results = [
          { name: 'v1', digest: null, tag_last_pushed: at(60) },
          { name: 'v2', digest: null, tag_last_pushed: at(scans === 1 ? 29 : 31) },
        ];
        return HttpResponse.json({ count: 2, next: null, results });
      }),
      http.delete(`${HUB}${REPO}/tags/:tag`, () => new HttpResponse(null, { status: 204 })),
    );
    const { client, asked } = elicitingClient('accept');
    await connect(client, {});
    const result = (await client.callTool({
      name: 'hub_repos',
      arguments: { action: 'prune_tags', namespace: 'acme', repository: 'app', older_than_days: 30, dry_run: false },
    })) as Outcome;
    expect(asked[0]!.message).toContain('delete 1 tag of acme/app: v1');
    expect(errorOf(result).type).toBe('not_confirmed');
    expect(errorOf(result).message).toContain('delete 2 tags of acme/app: v2, v1');
    expect(scans).toBe(2);
    expect(hub.calls().filter((c) => c.method === 'DELETE')).toHaveLength(0);
  });
});

describe('a human who never answers', () => {
  const hub = useHub();

  it('is asked once; the call ends when the client cancels it, with nothing deleted and the question withdrawn', async () => {
    hub.answer('GET', REPO, { name: 'app' });
    hub.answer('DELETE', REPO, null, { status: 202 });
    const human = elicitingClient('never');
    const received = await connect(human.client, {});
    const abort = new AbortController();
    const asked = human.nextQuestion();
    const call = human.client.callTool(
      { name: 'hub_repos', arguments: { action: 'delete', namespace: 'acme', repository: 'app' } },
      undefined,
      { signal: abort.signal },
    );
    const question = await asked;
    abort.abort(new Error('user stopped the agent'));
    await expect(call).rejects.toThrow();
    await vi.waitFor(() => expect(withdrawn(received, question.id)).toBe(true));
    expect(hub.calls().filter((c) => c.method === 'DELETE')).toHaveLength(0);
  });

  it(`gets not_confirmed after ${CONFIRM_TIMEOUT_MS / 60_000} minutes, with nothing deleted`, async () => {
    hub.answer('GET', REPO, { name: 'app' });
    hub.answer('DELETE', REPO, null, { status: 202 });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const human = elicitingClient('never');
    const received = await connect(human.client, {});
    const asked = human.nextQuestion();
    const call = human.client.callTool(
      { name: 'hub_repos', arguments: { action: 'delete', namespace: 'acme', repository: 'app' } },
      undefined,
      { timeout: CONFIRM_TIMEOUT_MS * 2 },
    );
    const question = await asked;
    await vi.advanceTimersByTimeAsync(CONFIRM_TIMEOUT_MS + 1);
    const result = (await call) as Outcome;
    expect(errorOf(result).type).toBe('not_confirmed');
    expect(errorOf(result).message).toContain('no answer within 300 seconds');
    expect(withdrawn(received, question.id)).toBe(true);
    expect(hub.calls().filter((c) => c.method === 'DELETE')).toHaveLength(0);
  });
});
