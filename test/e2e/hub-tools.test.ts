// The six Hub tools over stdio, one call each, against a loopback fake Hub: the built server
// mints one JWT for them all, sends SCIM calls with the SCIM token only, and no result or log line
// carries a configured secret.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeHub, type FakeHub } from '../helpers/fake-hub.js';
import { connectStdio, minimalEnv, type StdioSession } from '../helpers/mcp-session.js';
import { ENTRY } from '../helpers/spawn-server.js';

const SECRET = 'dckr_pat_e2eCanary0123456789';
const SCIM = 'scim-e2e-canary-55aa';

describe('Hub tools over stdio against a fake Hub', () => {
  let hub: FakeHub;
  let session: StdioSession;
  beforeAll(async () => {
    hub = await startFakeHub({ secret: SECRET });
    hub.route('GET', '/v2/access-tokens', {
      json: { count: 1, next: null, active_count: 1, results: [{ uuid: 'u1', token_label: 'ci', token: '', last_used: null }] },
    });
    hub.route('GET', '/v2/namespaces/acme/repositories/web/tags', {
      json: { count: 1, next: null, results: [{ name: 'v1', digest: 'sha256:abc', tag_last_pulled: null, brand_new_field: { x: 1 } }] },
    });
    hub.route('GET', '/v2/orgs/acme/members', { json: { count: 1, next: null, results: [{ username: 'jo', role: 'owner' }] } });
    hub.route('GET', '/v2/orgs/acme/groups', { json: { count: 1, next: null, results: [{ id: 7, name: 'devs', member_count: 2 }] } });
    hub.route('GET', '/v2/auditlogs/acme/actions', { json: { actions: { repo: { actions: [{ name: 'repo.tag.push' }] } } } });
    hub.route('GET', '/v2/scim/2.0/Users', {
      contentType: 'application/scim+json',
      json: { totalResults: 1, startIndex: 1, itemsPerPage: 1, Resources: [{ id: 'd80f', userName: 'jo@acme.io', active: true }] },
    });
    session = await connectStdio({
      command: process.execPath,
      args: [ENTRY, '--log-level', 'debug'],
      env: minimalEnv({ DOCKER_HUB_USER: 'octo', DOCKER_HUB_TOKEN: `${SECRET}\n`, DOCKERHUB_SCIM_TOKEN: SCIM, DOCKERHUB_URL: hub.url }),
    });
  });
  afterAll(async () => {
    await session?.close();
    await hub?.close();
  });

  it('lists the six Hub tools, each with described parameters', async () => {
    const listed = await session.client.listTools();
    const names = listed.tools.map((t) => t.name);
    for (const name of ['hub_auth', 'hub_repos', 'hub_org', 'hub_teams', 'hub_audit', 'hub_scim']) expect(names).toContain(name);
    const hubBytes = listed.tools
      .filter((t) => t.name !== 'hub_admin' && t.name !== 'hub_registry' && t.name !== 'hub_scout')
      .reduce((sum, t) => sum + Buffer.byteLength(JSON.stringify(t)), 0);
    console.log(`tools/list: ${Buffer.byteLength(JSON.stringify(listed))} bytes in all, ${hubBytes} bytes for the six Hub tools`);
  });

  const calls: [string, Record<string, unknown>, (data: unknown) => void][] = [
    ['hub_auth', { action: 'list_pats' }, (data) => expect(data).toMatchObject({ results: [{ uuid: 'u1', token: '', last_used: null }] })],
    [
      'hub_repos',
      { action: 'list_tags', namespace: 'acme', repository: 'web' },
      (data) => expect(data).toMatchObject({ results: [{ name: 'v1', tag_last_pulled: null, brand_new_field: { x: 1 } }] }),
    ],
    ['hub_org', { action: 'list_members', org: 'acme' }, (data) => expect(data).toMatchObject({ results: [{ username: 'jo' }] })],
    ['hub_teams', { action: 'list', org: 'acme' }, (data) => expect(data).toMatchObject({ results: [{ name: 'devs' }] })],
    ['hub_audit', { action: 'actions', account: 'acme' }, (data) => expect(data).toMatchObject({ actions: { repo: {} } })],
    [
      'hub_scim',
      { action: 'list_users', filter: 'userName eq "jo@acme.io"' },
      (data) => expect(data).toMatchObject({ Resources: [{ id: 'd80f' }] }),
    ],
  ];
  for (const [tool, args, check] of calls) {
    it(`${tool}.${String(args.action)} answers with the envelope`, async () => {
      const result = await session.client.callTool({ name: tool, arguments: args });
      expect(result.isError, JSON.stringify(result.structuredContent)).toBeFalsy();
      const structured = result.structuredContent as { status_code: number; data: unknown; rate_limit: { limit?: number } | null };
      expect(structured.status_code).toBe(200);
      check(structured.data);
      expect(structured.rate_limit).toMatchObject({ limit: 180 });
      expect(JSON.parse((result.content as { text: string }[])[0]!.text)).toEqual(structured);
    });
  }

  it('minted one JWT for every Hub call and sent SCIM only the SCIM token', () => {
    expect(hub.mints()).toBe(1);
    const scim = hub.requests.filter((r) => r.path.startsWith('/v2/scim/'));
    expect(scim).toHaveLength(1);
    expect(scim[0]!.authorization).toBe(`Bearer ${SCIM}`);
    expect(scim[0]!.accept).toBe('application/scim+json');
    for (const r of hub.requests.filter((r) => !r.path.startsWith('/v2/scim/') && r.path !== '/v2/auth/token'))
      expect(r.authorization).toMatch(/^Bearer ey/);
  });

  it('the gate keeps destructive actions off and sends nothing', async () => {
    const before = hub.requests.length;
    const result = await session.client.callTool({
      name: 'hub_repos',
      arguments: { action: 'delete', namespace: 'acme', repository: 'web' },
    });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.structuredContent)).toContain('gate_closed');
    expect(hub.requests.length).toBe(before);
  });

  it('no result or log line carries a configured secret', async () => {
    const whoami = await session.client.callTool({ name: 'hub_admin', arguments: { action: 'whoami' } });
    const everything = JSON.stringify(whoami) + session.stderr();
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain(SCIM);
    expect(everything).not.toMatch(/eyJ[A-Za-z0-9_-]{4,}\.eyJ/);
  });
});
