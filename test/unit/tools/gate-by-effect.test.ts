// Gate by effect: a write whose arguments make it a revocation, a demotion or a full replace is
// destructive. With DOCKERHUB_ALLOW_DESTRUCTIVE unset such a call is refused before any request,
// the same write with harmless arguments still runs, dry_run previews the target, and read-only
// mode removes them all.
import { describe, expect, it } from 'vitest';
import { allTools } from '../../../src/tools/catalog.js';
import { describeTool } from '../../../src/tools/framework.js';
import { hintsOf } from '../../helpers/hints.js';
import { AUTHED, call, hubApp, hubConfig, PAT, sc, SCIM_TOKEN, useHub } from '../../helpers/unit/hub-harness.js';

const CLOSED = { DOCKER_HUB_USER: 'octo', DOCKER_HUB_TOKEN: PAT, DOCKERHUB_SCIM_TOKEN: SCIM_TOKEN };
const OPEN = AUTHED;

const errorOf = (result: { structuredContent: Record<string, unknown>; isError?: boolean }) => {
  expect(result.isError).toBe(true);
  return (result.structuredContent as { error: { type: string; message: string; hint?: string } }).error;
};

interface Case {
  tool: string;
  args: Record<string, unknown>;
  method: string;
  path: string;
  /** Words the refusal must name (the reason). */
  reason: RegExp;
}

const DESTRUCTIVE_BY_ARGUMENTS: Case[] = [
  {
    tool: 'hub_auth',
    args: { action: 'update_pat', uuid: 'u1', is_active: false },
    method: 'PATCH',
    path: '/v2/access-tokens/u1',
    reason: /is_active:false deactivates/,
  },
  {
    tool: 'hub_auth',
    args: { action: 'update_pat', uuid: 'u1', token_label: 'ci', is_active: false },
    method: 'PATCH',
    path: '/v2/access-tokens/u1',
    reason: /is_active:false/,
  },
  {
    tool: 'hub_auth',
    args: { action: 'update_oat', org: 'acme', token_id: 't1', is_active: false },
    method: 'PATCH',
    path: '/v2/orgs/acme/access-tokens/t1',
    reason: /is_active:false deactivates/,
  },
  {
    tool: 'hub_auth',
    args: {
      action: 'update_oat',
      org: 'acme',
      token_id: 't1',
      resources: [{ type: 'TYPE_REPO', path: 'acme/web', scopes: ['scope-image-pull'] }],
    },
    method: 'PATCH',
    path: '/v2/orgs/acme/access-tokens/t1',
    reason: /resources replaces/,
  },
  {
    tool: 'hub_scim',
    args: { action: 'patch_user', user_id: 'd80f', active: false },
    method: 'PATCH',
    path: '/v2/scim/2.0/Users/d80f',
    reason: /active:false deactivates the user/,
  },
  {
    tool: 'hub_repos',
    args: { action: 'set_immutable_tags', namespace: 'acme', repository: 'web', enabled: false },
    method: 'PATCH',
    path: '/v2/namespaces/acme/repositories/web/immutabletags',
    reason: /enabled:false lifts tag immutability/,
  },
];

const ALWAYS_DESTRUCTIVE: Case[] = [
  {
    tool: 'hub_org',
    args: { action: 'update_member', org: 'acme', username: 'jo', role: 'member' },
    method: 'PUT',
    path: '/v2/orgs/acme/members/jo',
    reason: /destructive/,
  },
  {
    tool: 'hub_teams',
    args: { action: 'update', org: 'acme', group_name: 'devs', name: 'devs' },
    method: 'PUT',
    path: '/v2/orgs/acme/groups/devs',
    reason: /destructive/,
  },
  {
    tool: 'hub_scim',
    args: { action: 'update_user', user_id: 'd80f', given_name: 'Jo' },
    method: 'PUT',
    path: '/v2/scim/2.0/Users/d80f',
    reason: /destructive/,
  },
];

describe('gate closed: a revocation, demotion or full replace makes no request', () => {
  const hub = useHub();
  for (const c of [...DESTRUCTIVE_BY_ARGUMENTS, ...ALWAYS_DESTRUCTIVE]) {
    it(`${c.tool}.${String(c.args.action)} ${JSON.stringify(c.args).slice(0, 90)}`, async () => {
      hub.answer(c.method, c.path, { ok: true });
      const error = errorOf(await call(hubApp(CLOSED), c.tool, c.args));
      expect(error.type).toBe('gate_closed');
      expect(error.message).toMatch(c.reason);
      expect(error.message).toContain(`${c.tool}.${String(c.args.action)}`);
      expect(error.hint).toContain('DOCKERHUB_ALLOW_DESTRUCTIVE=true');
      expect(error.hint).toContain('dry_run');
      expect(hub.seen).toHaveLength(0);
    });
  }
});

describe('gate open: the same calls reach Hub', () => {
  const hub = useHub();
  for (const c of [...DESTRUCTIVE_BY_ARGUMENTS, ...ALWAYS_DESTRUCTIVE]) {
    it(`${c.tool}.${String(c.args.action)} ${JSON.stringify(c.args).slice(0, 90)}`, async () => {
      hub.answer(c.method, c.path, { ok: true });
      const result = await call(hubApp(OPEN), c.tool, c.args);
      expect(result.isError).toBeFalsy();
      expect(hub.calls().map((s) => `${s.method} ${s.path}`)).toEqual([`${c.method} ${c.path}`]);
    });
  }
});

describe('gate closed: harmless arguments still run', () => {
  const hub = useHub();
  const harmless: Case[] = [
    {
      tool: 'hub_auth',
      args: { action: 'update_pat', uuid: 'u1', token_label: 'renamed' },
      method: 'PATCH',
      path: '/v2/access-tokens/u1',
      reason: /./,
    },
    {
      tool: 'hub_auth',
      args: { action: 'update_pat', uuid: 'u1', is_active: true },
      method: 'PATCH',
      path: '/v2/access-tokens/u1',
      reason: /./,
    },
    {
      tool: 'hub_auth',
      args: { action: 'update_oat', org: 'acme', token_id: 't1', label: 'renamed', description: 'ci' },
      method: 'PATCH',
      path: '/v2/orgs/acme/access-tokens/t1',
      reason: /./,
    },
    {
      tool: 'hub_scim',
      args: { action: 'patch_user', user_id: 'd80f', given_name: 'Jo', active: true },
      method: 'PATCH',
      path: '/v2/scim/2.0/Users/d80f',
      reason: /./,
    },
    {
      tool: 'hub_teams',
      args: { action: 'patch', org: 'acme', group_name: 'devs', description: 'the devs' },
      method: 'PATCH',
      path: '/v2/orgs/acme/groups/devs',
      reason: /./,
    },
  ];
  for (const c of harmless) {
    it(`${c.tool}.${String(c.args.action)} ${JSON.stringify(c.args).slice(0, 90)}`, async () => {
      hub.answer(c.method, c.path, { ok: true });
      const result = await call(hubApp(CLOSED), c.tool, c.args);
      expect(result.isError).toBeFalsy();
      expect(hub.calls().map((s) => `${s.method} ${s.path}`)).toEqual([`${c.method} ${c.path}`]);
    });
  }

  it('a bad argument is still reported as invalid, not as the gate', async () => {
    const error = errorOf(await call(hubApp(CLOSED), 'hub_auth', { action: 'update_pat', uuid: 'u1', is_active: 'false' }));
    expect(error.type).toBe('invalid_argument');
    expect(hub.seen).toHaveLength(0);
  });
});

describe('dry_run with the gate closed: the target and what would change, nothing sent', () => {
  const hub = useHub();

  it('update_pat is_active:false reads the token and shows is_active true → false', async () => {
    hub.answer('GET', '/v2/access-tokens/u1', { uuid: 'u1', token_label: 'ci', is_active: true, token: '' });
    const result = await call(hubApp(CLOSED), 'hub_auth', { action: 'update_pat', uuid: 'u1', is_active: false, dry_run: true });
    expect(result.isError).toBeFalsy();
    expect(sc(result).data).toEqual({
      dry_run: true,
      would_send: { method: 'PATCH', path: '/v2/access-tokens/u1', body: { is_active: false } },
      target: { uuid: 'u1', token_label: 'ci', is_active: true, token: '' },
      would_change: [{ field: 'is_active', from: true, to: false }],
    });
    expect(hub.calls().map((c) => c.method)).toEqual(['GET']);
  });

  it('set_immutable_tags enabled:false reads the repository and sends nothing else', async () => {
    hub.answer('GET', '/v2/namespaces/acme/repositories/web', { name: 'web', immutable_tags_settings: { enabled: true, rules: ['v.*'] } });
    const result = await call(hubApp(CLOSED), 'hub_repos', {
      action: 'set_immutable_tags',
      namespace: 'acme',
      repository: 'web',
      enabled: false,
      dry_run: true,
    });
    expect(result.isError, JSON.stringify(result.structuredContent)).toBeFalsy();
    expect(sc(result).data).toMatchObject({
      dry_run: true,
      would_send: { method: 'PATCH', path: '/v2/namespaces/acme/repositories/web/immutabletags' },
      target: { immutable_tags_settings: { enabled: true } },
    });
    expect(hub.calls().map((c) => c.method)).toEqual(['GET']);
  });

  it('update_oat with resources reads the OAT and shows the access it would replace', async () => {
    const before = [{ type: 'TYPE_ORG', path: 'acme', scopes: ['scope-image-pull'] }];
    const after = [{ type: 'TYPE_REPO', path: 'acme/web', scopes: ['scope-image-pull'] }];
    hub.answer('GET', '/v2/orgs/acme/access-tokens/t1', { id: 't1', label: 'ci', is_active: true, resources: before });
    const result = await call(hubApp(CLOSED), 'hub_auth', {
      action: 'update_oat',
      org: 'acme',
      token_id: 't1',
      resources: after,
      dry_run: true,
    });
    expect(sc(result).data).toMatchObject({ would_change: [{ field: 'resources', from: before, to: after }] });
    expect(hub.calls().map((c) => c.method)).toEqual(['GET']);
  });

  it('scim patch_user active:false reads the user over SCIM and shows active true → false', async () => {
    hub.answer('GET', '/v2/scim/2.0/Users/d80f', { id: 'd80f', userName: 'jo@acme.io', active: true });
    const result = await call(hubApp(CLOSED), 'hub_scim', { action: 'patch_user', user_id: 'd80f', active: false, dry_run: true });
    expect(sc(result).data).toMatchObject({
      dry_run: true,
      target: { id: 'd80f', active: true },
      would_change: [{ field: 'active', from: true, to: false }],
    });
    const seen = hub.calls();
    expect(seen.map((c) => c.method)).toEqual(['GET']);
    expect(seen[0]!.headers.get('authorization')).toBe(`Bearer ${SCIM_TOKEN}`);
  });

  it('org update_member finds the member by search (there is no GET of one member) and shows the role change', async () => {
    hub.answer('GET', '/v2/orgs/acme/members', {
      count: 2,
      next: null,
      results: [
        { username: 'jo2', role: 'member' },
        { username: 'jo', role: 'owner' },
      ],
    });
    const result = await call(hubApp(CLOSED), 'hub_org', {
      action: 'update_member',
      org: 'acme',
      username: 'jo',
      role: 'member',
      dry_run: true,
    });
    expect(result.isError).toBeFalsy();
    expect(sc(result).data).toMatchObject({
      would_send: { method: 'PUT', path: '/v2/orgs/acme/members/jo', body: { role: 'member' } },
      target: { username: 'jo', role: 'owner' },
      would_change: [{ field: 'role', from: 'owner', to: 'member' }],
    });
    const seen = hub.calls();
    expect(seen.map((c) => `${c.method} ${c.path}`)).toEqual(['GET /v2/orgs/acme/members']);
    expect(seen[0]!.query).toEqual({ search: 'jo' });
  });

  it('teams update (PUT) reads the group and shows that a description left out is cleared', async () => {
    hub.answer('GET', '/v2/orgs/acme/groups/devs', { name: 'devs', description: 'the devs' });
    const result = await call(hubApp(CLOSED), 'hub_teams', {
      action: 'update',
      org: 'acme',
      group_name: 'devs',
      name: 'core',
      dry_run: true,
    });
    expect(sc(result).data).toMatchObject({
      would_send: { method: 'PUT', body: { name: 'core' } },
      target: { name: 'devs', description: 'the devs' },
      would_change: [
        { field: 'name', from: 'devs', to: 'core' },
        { field: 'description', from: 'the devs', to: null },
      ],
    });
    expect(hub.calls().map((c) => c.method)).toEqual(['GET']);
  });

  it('scim update_user (PUT) shows the user is disabled and a name left out is cleared', async () => {
    hub.answer('GET', '/v2/scim/2.0/Users/d80f', {
      id: 'd80f',
      active: true,
      enabled: true,
      name: { givenName: 'Jo', familyName: 'Snow' },
    });
    const result = await call(hubApp(CLOSED), 'hub_scim', {
      action: 'update_user',
      user_id: 'd80f',
      given_name: 'Joanna',
      active: false,
      dry_run: true,
    });
    expect(sc(result).data).toMatchObject({
      would_change: [
        { field: 'name.givenName', from: 'Jo', to: 'Joanna' },
        { field: 'enabled', from: true, to: false },
        { field: 'name.familyName', from: 'Snow', to: null },
      ],
    });
    expect(hub.calls().map((c) => c.method)).toEqual(['GET']);
  });
});

describe('what the model sees', () => {
  const definition = (tool: string, env: Record<string, string>) =>
    describeTool(
      allTools().find((t) => t.name === tool)!,
      hubConfig(env),
    )!;
  const actionLine = (tool: string, action: string, env: Record<string, string>) => {
    const property = definition(tool, env).inputSchema.properties.action as { enum: string[]; description: string };
    return { enum: property.enum, line: property.description.split('; ').find((l) => l.startsWith(`${action}`)) ?? '' };
  };

  it('with the gate closed, a conditionally destructive action stays in the enum and says which arguments need the gate', () => {
    const pat = actionLine('hub_auth', 'update_pat', CLOSED);
    expect(pat.enum).toContain('update_pat');
    const description = (definition('hub_auth', CLOSED).inputSchema.properties.action as { description: string }).description;
    expect(description).toContain('update_pat(uuid): relabel or (de)activate a PAT; is_active:false needs the destructive gate');
    expect(description).toContain('is_active:false or resources needs the destructive gate');
    const scim = (definition('hub_scim', CLOSED).inputSchema.properties.action as { description: string }).description;
    expect(scim).toContain('active:false needs the destructive gate');
  });

  it('with the gate closed, update_member and teams update are not offered', () => {
    const org = definition('hub_org', CLOSED);
    expect((org.inputSchema.properties.action as { enum: string[] }).enum).not.toContain('update_member');
    expect(JSON.stringify(org)).not.toContain('update_member');
    const teams = definition('hub_teams', CLOSED);
    expect((teams.inputSchema.properties.action as { enum: string[] }).enum).not.toContain('update');
    expect((teams.inputSchema.properties.action as { enum: string[] }).enum).toContain('patch');
  });

  it('with the gate open the note is gone and the tool is marked destructive', () => {
    const description = (definition('hub_auth', OPEN).inputSchema.properties.action as { description: string }).description;
    expect(description).not.toContain('needs the destructive gate');
    expect(hintsOf(definition('hub_scim', OPEN).annotations).destructiveHint).toBe(true);
  });

  it('read-only mode removes them', () => {
    const env = { ...CLOSED, DOCKERHUB_READ_ONLY: 'true' };
    expect((definition('hub_auth', env).inputSchema.properties.action as { enum: string[] }).enum).not.toContain('update_pat');
    expect((definition('hub_scim', env).inputSchema.properties.action as { enum: string[] }).enum).not.toContain('patch_user');
  });
});

describe('read-only mode refuses them, dry_run included', () => {
  const hub = useHub();
  for (const c of [...DESTRUCTIVE_BY_ARGUMENTS, ...ALWAYS_DESTRUCTIVE]) {
    it(`${c.tool}.${String(c.args.action)}`, async () => {
      const env = { ...OPEN, DOCKERHUB_READ_ONLY: 'true' };
      expect(errorOf(await call(hubApp(env), c.tool, { ...c.args, dry_run: true })).type).toBe('read_only');
      expect(hub.seen).toHaveLength(0);
    });
  }
});
