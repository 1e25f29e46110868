// Every Hub action: the exact request it sends (method, path, query, body, auth and media type)
// and the envelope it returns, unknown and null upstream fields kept.
import { describe, expect, it } from 'vitest';
import { HUB_ROUTE_TABLES } from '../../../src/hub/routes/index.js';
import { allTools } from '../../../src/tools/catalog.js';
import { call, hubApp, sc, SCIM_TOKEN, useHub } from '../../helpers/unit/hub-harness.js';

interface Case {
  tool: string;
  action: string;
  args: Record<string, unknown>;
  method: string;
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  /** Upstream answer; default {ok: true, extra_new_field: null}. */
  reply?: unknown;
  status?: number;
  auth?: 'hub' | 'scim' | 'none';
  /** Expected result data when it differs from the reply. */
  data?: unknown;
}

const NS = { namespace: 'acme', repository: 'web' };
const REPO = '/v2/namespaces/acme/repositories/web';
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';

const CASES: Case[] = [
  // hub_auth
  {
    tool: 'hub_auth',
    action: 'create_token',
    args: { identifier: 'octo', secret: 'arg-secret-1234' },
    method: 'POST',
    path: '/v2/auth/token',
    body: { identifier: 'octo', secret: 'arg-secret-1234' },
    auth: 'none',
    reply: { access_token: 'not-a-jwt' },
    data: { access_token: '***redacted***', claims: {}, expires_at: expect.any(String) as unknown },
  },
  {
    tool: 'hub_auth',
    action: 'login',
    args: { username: 'octo', password: 'pw-canary-99' },
    method: 'POST',
    path: '/v2/users/login',
    body: { username: 'octo', password: 'pw-canary-99' },
    auth: 'none',
    reply: { token: 'plain-token-value' },
    data: { token: '***redacted***', claims: {}, expires_at: expect.any(String) as unknown },
  },
  {
    tool: 'hub_auth',
    action: 'two_factor_login',
    args: { code: '123456', login_2fa_token: 'challenge-abc' },
    method: 'POST',
    path: '/v2/users/2fa-login',
    body: { login_2fa_token: 'challenge-abc', code: '123456' },
    auth: 'none',
    reply: { token: 'x' },
    data: { token: '***redacted***', claims: {}, expires_at: expect.any(String) as unknown },
  },
  {
    tool: 'hub_auth',
    action: 'list_pats',
    args: { page: 2, page_size: 5 },
    method: 'GET',
    path: '/v2/access-tokens',
    query: { page: '2', page_size: '5' },
  },
  {
    tool: 'hub_auth',
    action: 'create_pat',
    args: { token_label: 'ci', scopes: ['repo:read'], expires_at: '2030-01-01T00:00:00Z' },
    method: 'POST',
    path: '/v2/access-tokens',
    body: { token_label: 'ci', scopes: ['repo:read'], expires_at: '2030-01-01T00:00:00Z' },
    status: 201,
    reply: { uuid: 'u1', token: 'dckr_pat_NEWvalue123' },
  },
  {
    tool: 'hub_auth',
    action: 'get_pat',
    args: { uuid: 'u-1' },
    method: 'GET',
    path: '/v2/access-tokens/u-1',
    reply: { uuid: 'u-1', token: '' },
  },
  {
    tool: 'hub_auth',
    action: 'update_pat',
    args: { uuid: 'u-1', is_active: false },
    method: 'PATCH',
    path: '/v2/access-tokens/u-1',
    body: { is_active: false },
  },
  {
    tool: 'hub_auth',
    action: 'delete_pat',
    args: { uuid: 'u-1' },
    method: 'DELETE',
    path: '/v2/access-tokens/u-1',
    reply: null,
    status: 204,
    data: null,
  },
  { tool: 'hub_auth', action: 'list_oats', args: { org: 'acme' }, method: 'GET', path: '/v2/orgs/acme/access-tokens', query: {} },
  {
    tool: 'hub_auth',
    action: 'create_oat',
    args: {
      org: 'acme',
      label: 'ci',
      description: 'pipeline',
      expires_at: '2030-01-01T00:00:00+02:00',
      resources: [{ type: 'TYPE_REPO', path: 'acme/*', scopes: ['scope-image-pull'] }],
    },
    method: 'POST',
    path: '/v2/orgs/acme/access-tokens',
    body: {
      label: 'ci',
      description: 'pipeline',
      resources: [{ type: 'TYPE_REPO', path: 'acme/*', scopes: ['scope-image-pull'] }],
      expires_at: '2030-01-01T00:00:00+02:00',
    },
    status: 201,
    reply: { id: 't1', token: 'dckr_oat_NEWvalue456' },
  },
  { tool: 'hub_auth', action: 'get_oat', args: { org: 'acme', token_id: 't1' }, method: 'GET', path: '/v2/orgs/acme/access-tokens/t1' },
  {
    tool: 'hub_auth',
    action: 'update_oat',
    args: { org: 'acme', token_id: 't1', label: 'renamed' },
    method: 'PATCH',
    path: '/v2/orgs/acme/access-tokens/t1',
    body: { label: 'renamed' },
  },
  {
    tool: 'hub_auth',
    action: 'delete_oat',
    args: { org: 'acme', token_id: 't1' },
    method: 'DELETE',
    path: '/v2/orgs/acme/access-tokens/t1',
    reply: null,
    status: 204,
    data: null,
  },
  // hub_repos
  {
    tool: 'hub_repos',
    action: 'list',
    args: { namespace: 'acme', name: 'we', ordering: '-pull_count', page_size: 10 },
    method: 'GET',
    path: '/v2/namespaces/acme/repositories',
    query: { name: 'we', ordering: '-pull_count', page_size: '10' },
  },
  {
    tool: 'hub_repos',
    action: 'create',
    args: { namespace: 'acme', name: 'new-repo', description: 'd' },
    method: 'POST',
    path: '/v2/namespaces/acme/repositories',
    body: { name: 'new-repo', namespace: 'acme', description: 'd', registry: 'docker.io', is_private: false },
    status: 201,
  },
  { tool: 'hub_repos', action: 'get', args: NS, method: 'GET', path: REPO },
  { tool: 'hub_repos', action: 'check', args: NS, method: 'HEAD', path: REPO, reply: null, status: 200, data: { exists: true } },
  {
    tool: 'hub_repos',
    action: 'update',
    args: { ...NS, full_description: '# Hi' },
    method: 'PATCH',
    path: REPO,
    body: { full_description: '# Hi' },
  },
  { tool: 'hub_repos', action: 'delete', args: NS, method: 'DELETE', path: REPO, reply: null, status: 202, data: null },
  {
    tool: 'hub_repos',
    action: 'list_tags',
    args: { ...NS, name: 'v1', ordering: '-last_updated' },
    method: 'GET',
    path: `${REPO}/tags`,
    query: { name: 'v1', ordering: '-last_updated' },
  },
  {
    tool: 'hub_repos',
    action: 'check_tags',
    args: NS,
    method: 'HEAD',
    path: `${REPO}/tags`,
    reply: null,
    status: 200,
    data: { exists: true },
  },
  { tool: 'hub_repos', action: 'get_tag', args: { ...NS, tag: 'v1.0' }, method: 'GET', path: `${REPO}/tags/v1.0` },
  {
    tool: 'hub_repos',
    action: 'check_tag',
    args: { ...NS, tag: 'v1.0' },
    method: 'HEAD',
    path: `${REPO}/tags/v1.0`,
    reply: null,
    status: 200,
    data: { exists: true },
  },
  {
    tool: 'hub_repos',
    action: 'delete_tag',
    args: { ...NS, tag: 'old' },
    method: 'DELETE',
    path: `${REPO}/tags/old`,
    reply: null,
    status: 204,
    data: null,
  },
  {
    tool: 'hub_repos',
    action: 'set_immutable_tags',
    args: { ...NS, enabled: true, rules: ['^v\\d+'] },
    method: 'PATCH',
    path: `${REPO}/immutabletags`,
    body: { immutable_tags: true, immutable_tags_rules: ['^v\\d+'] },
  },
  {
    tool: 'hub_repos',
    action: 'verify_immutable_tags',
    args: { ...NS, rules: ['^v'] },
    method: 'POST',
    path: `${REPO}/immutabletags/verify`,
    body: { regex: '^v' },
    reply: { tags: ['v1'] },
    data: { rules: [{ regex: '^v', tags: ['v1'] }] },
  },
  {
    tool: 'hub_repos',
    action: 'assign_group',
    args: { ...NS, group_id: 42, permission: 'write' },
    method: 'POST',
    path: '/v2/repositories/acme/web/groups',
    body: { group_id: 42, permission: 'write' },
  },
  {
    tool: 'hub_repos',
    action: 'search',
    args: { query: 'nginx', official: true, verified: true, page: 2, page_size: 10 },
    method: 'GET',
    path: '/api/search/v4',
    query: { query: 'nginx', type: 'image', badges: 'official,verified_publisher', from: '10', size: '10' },
    auth: 'none',
  },
  {
    tool: 'hub_repos',
    action: 'list_namespaces',
    args: {},
    method: 'GET',
    path: '/v2/user/orgs',
    reply: { count: 1, next: null, results: [{ orgname: 'acme', extra: null }] },
    data: { user: 'octo', namespaces: ['octo', 'acme'], orgs: { count: 1, next: null, results: [{ orgname: 'acme', extra: null }] } },
  },
  // hub_org
  { tool: 'hub_org', action: 'get_settings', args: { org: 'acme' }, method: 'GET', path: '/v2/orgs/acme/settings' },
  {
    tool: 'hub_org',
    action: 'update_settings',
    args: { org: 'acme', restricted_images_enabled: true, allow_verified_publishers: false },
    method: 'PUT',
    path: '/v2/orgs/acme/settings',
    body: { restricted_images: { enabled: true, allow_official_images: true, allow_verified_publishers: false } },
  },
  {
    tool: 'hub_org',
    action: 'list_members',
    args: { org: 'acme', search: 'jo', member_type: 'invitee', role: 'owner' },
    method: 'GET',
    path: '/v2/orgs/acme/members',
    query: { search: 'jo', type: 'invitee', role: 'owner' },
  },
  {
    tool: 'hub_org',
    action: 'export_members',
    args: { org: 'acme' },
    method: 'GET',
    path: '/v2/orgs/acme/members/export',
    reply: 'Name,Username\nJo,jo\n',
    data: 'Name,Username\nJo,jo\n',
  },
  {
    tool: 'hub_org',
    action: 'update_member',
    args: { org: 'acme', username: 'jo', role: 'editor' },
    method: 'PUT',
    path: '/v2/orgs/acme/members/jo',
    body: { role: 'editor' },
  },
  {
    tool: 'hub_org',
    action: 'remove_member',
    args: { org: 'acme', username: 'jo' },
    method: 'DELETE',
    path: '/v2/orgs/acme/members/jo',
    reply: null,
    status: 204,
    data: null,
  },
  {
    tool: 'hub_org',
    action: 'list_invites',
    args: { org: 'acme' },
    method: 'GET',
    path: '/v2/orgs/acme/invites',
    reply: { data: [{ id: 'i1', team: null }] },
    data: { data: [{ id: 'i1', team: null }], count: 1 },
  },
  {
    tool: 'hub_org',
    action: 'delete_invite',
    args: { invite_id: 'i1' },
    method: 'DELETE',
    path: '/v2/invites/i1',
    reply: null,
    status: 204,
    data: null,
  },
  {
    tool: 'hub_org',
    action: 'resend_invite',
    args: { invite_id: 'i1' },
    method: 'PATCH',
    path: '/v2/invites/i1/resend',
    reply: null,
    status: 204,
    data: null,
  },
  {
    tool: 'hub_org',
    action: 'bulk_invite',
    args: { org: 'acme', invitees: ['a@b.c', 'jo'], team: 'devs', dry_run: true },
    method: 'POST',
    path: '/v2/invites/bulk',
    body: { org: 'acme', invitees: ['a@b.c', 'jo'], team: 'devs', role: 'member', dry_run: true },
    status: 202,
  },
  // hub_teams
  {
    tool: 'hub_teams',
    action: 'list',
    args: { org: 'acme', search: 'dev' },
    method: 'GET',
    path: '/v2/orgs/acme/groups',
    query: { search: 'dev' },
  },
  {
    tool: 'hub_teams',
    action: 'create',
    args: { org: 'acme', name: 'devs', description: 'Developers' },
    method: 'POST',
    path: '/v2/orgs/acme/groups',
    body: { name: 'devs', description: 'Developers' },
    status: 201,
  },
  { tool: 'hub_teams', action: 'get', args: { org: 'acme', group_name: 'devs' }, method: 'GET', path: '/v2/orgs/acme/groups/devs' },
  {
    tool: 'hub_teams',
    action: 'update',
    args: { org: 'acme', group_name: 'devs', description: 'new' },
    method: 'PUT',
    path: '/v2/orgs/acme/groups/devs',
    body: { name: 'devs', description: 'new' },
  },
  {
    tool: 'hub_teams',
    action: 'patch',
    args: { org: 'acme', group_name: 'devs', name: 'developers' },
    method: 'PATCH',
    path: '/v2/orgs/acme/groups/devs',
    body: { name: 'developers' },
  },
  {
    tool: 'hub_teams',
    action: 'delete',
    args: { org: 'acme', group_name: 'devs' },
    method: 'DELETE',
    path: '/v2/orgs/acme/groups/devs',
    reply: null,
    status: 204,
    data: null,
  },
  {
    tool: 'hub_teams',
    action: 'list_members',
    args: { org: 'acme', group_name: 'devs', page: 1 },
    method: 'GET',
    path: '/v2/orgs/acme/groups/devs/members',
    query: { page: '1' },
  },
  {
    tool: 'hub_teams',
    action: 'add_member',
    args: { org: 'acme', group_name: 'devs', member: 'jo' },
    method: 'POST',
    path: '/v2/orgs/acme/groups/devs/members',
    body: { member: 'jo' },
  },
  {
    tool: 'hub_teams',
    action: 'remove_member',
    args: { org: 'acme', group_name: 'devs', username: 'jo' },
    method: 'DELETE',
    path: '/v2/orgs/acme/groups/devs/members/jo',
    reply: null,
    status: 204,
    data: null,
  },
  // hub_audit
  {
    tool: 'hub_audit',
    action: 'logs',
    args: {
      account: 'acme',
      event_action: 'repo.tag.push',
      name: 'acme/web',
      actor: 'jo',
      from_date: '2025-01-01T00:00:00Z',
      to_date: '2025-02-01T00:00:00Z',
      page_size: 50,
    },
    method: 'GET',
    path: '/v2/auditlogs/acme',
    query: {
      action: 'repo.tag.push',
      name: 'acme/web',
      actor: 'jo',
      from: '2025-01-01T00:00:00Z',
      to: '2025-02-01T00:00:00Z',
      page_size: '50',
    },
  },
  { tool: 'hub_audit', action: 'actions', args: { account: 'acme' }, method: 'GET', path: '/v2/auditlogs/acme/actions' },
  // hub_scim
  {
    tool: 'hub_scim',
    action: 'service_provider_config',
    args: {},
    method: 'GET',
    path: '/v2/scim/2.0/ServiceProviderConfig',
    auth: 'scim',
  },
  { tool: 'hub_scim', action: 'resource_types', args: {}, method: 'GET', path: '/v2/scim/2.0/ResourceTypes', auth: 'scim' },
  {
    tool: 'hub_scim',
    action: 'resource_type',
    args: { name: 'User' },
    method: 'GET',
    path: '/v2/scim/2.0/ResourceTypes/User',
    auth: 'scim',
    reply: { id: 'User', schema: USER_SCHEMA },
  },
  { tool: 'hub_scim', action: 'schemas', args: {}, method: 'GET', path: '/v2/scim/2.0/Schemas', auth: 'scim' },
  {
    tool: 'hub_scim',
    action: 'schema',
    args: { schema_id: USER_SCHEMA },
    method: 'GET',
    path: `/v2/scim/2.0/Schemas/${USER_SCHEMA}`,
    auth: 'scim',
  },
  {
    tool: 'hub_scim',
    action: 'list_users',
    args: { start_index: 11, count: 10, filter: 'userName eq "a@b.c"', sort_by: 'userName', sort_order: 'descending' },
    method: 'GET',
    path: '/v2/scim/2.0/Users',
    query: { startIndex: '11', count: '10', filter: 'userName eq "a@b.c"', sortBy: 'userName', sortOrder: 'descending' },
    auth: 'scim',
  },
  { tool: 'hub_scim', action: 'get_user', args: { user_id: 'd80f' }, method: 'GET', path: '/v2/scim/2.0/Users/d80f', auth: 'scim' },
  {
    tool: 'hub_scim',
    action: 'create_user',
    args: { user_name: 'jo@acme.io', given_name: 'Jo' },
    method: 'POST',
    path: '/v2/scim/2.0/Users',
    body: { schemas: [USER_SCHEMA], userName: 'jo@acme.io', name: { givenName: 'Jo' } },
    auth: 'scim',
    status: 201,
  },
  {
    tool: 'hub_scim',
    action: 'update_user',
    args: { user_id: 'd80f', family_name: 'Snow' },
    method: 'PUT',
    path: '/v2/scim/2.0/Users/d80f',
    body: { schemas: [USER_SCHEMA], name: { familyName: 'Snow' }, enabled: true },
    auth: 'scim',
  },
  {
    tool: 'hub_scim',
    action: 'patch_user',
    args: { user_id: 'd80f', active: false },
    method: 'PATCH',
    path: '/v2/scim/2.0/Users/d80f',
    body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }] },
    auth: 'scim',
  },
  {
    tool: 'hub_scim',
    action: 'delete_user',
    args: { user_id: 'd80f' },
    method: 'DELETE',
    path: '/v2/scim/2.0/Users/d80f',
    auth: 'scim',
    reply: null,
    status: 204,
    data: null,
  },
];

describe('Hub actions: exact requests and envelopes', () => {
  const hub = useHub();

  it('has a case for every Hub action of the six tools', () => {
    const covered = new Set(CASES.map((c) => `${c.tool}.${c.action}`));
    const all = allTools()
      .filter((t) => t.name in HUB_ROUTE_TABLES)
      .flatMap((t) => Object.keys(t.actions).map((a) => `${t.name}.${a}`));
    expect(all.filter((name) => !covered.has(name) && name !== 'hub_repos.prune_tags')).toEqual([]);
    expect(all.length).toBe(62);
  });

  for (const c of CASES) {
    it(`${c.tool}.${c.action} → ${c.method} ${c.path}`, async () => {
      const reply = c.reply === undefined ? { ok: true, extra_new_field: null, nested: { unknown: [1] } } : c.reply;
      hub.answer(c.method, c.path, reply, {
        status: c.status,
        headers: c.reply === 'string' ? undefined : { 'x-ratelimit-remaining': '99' },
      });
      if (c.action === 'export_members') hub.answer('GET', c.path, reply, { headers: { 'content-type': 'text/csv' } });
      const app = hubApp();
      const result = await call(app, c.tool, { action: c.action, ...c.args });
      expect(result.isError, JSON.stringify(result.structuredContent)).toBeFalsy();

      const calls = hub.calls(c.path === '/v2/auth/token');
      expect(calls).toHaveLength(1);
      const req = calls[0]!;
      expect(req.method).toBe(c.method);
      expect(req.path).toBe(c.path);
      if (c.query) expect(req.query).toEqual(c.query);
      if (c.body !== undefined) expect(req.body).toEqual(c.body);
      else expect(req.raw).toBe('');

      const auth = req.headers.get('authorization');
      if ((c.auth ?? 'hub') === 'hub') expect(auth).toMatch(/^Bearer eyJ/);
      if (c.auth === 'scim') {
        expect(auth).toBe(`Bearer ${SCIM_TOKEN}`);
        expect(req.headers.get('accept')).toBe('application/scim+json');
        if (c.body !== undefined) expect(req.headers.get('content-type')).toBe('application/scim+json');
      }
      if (c.auth === 'none') expect(auth).toBeNull();
      if (c.auth === 'scim' || c.auth === 'none') expect(hub.mints()).toBe(0);

      const out = sc(result);
      expect(out.status_code).toBe(c.status ?? 200);
      expect(out.data).toEqual(c.data === undefined ? reply : c.data);
      expect(out).toHaveProperty('rate_limit');
      expect(JSON.parse(result.content[0]!.text)).toEqual(out);
    });
  }
});
