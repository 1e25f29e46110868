// Hub client behaviour across actions: validation before any request, the destructive gate and
// dry runs, paging (all_pages up to the cap, with truncated), SCIM's own token, error hints,
// the once-only reveal of created tokens, the 2FA login flow and secret canaries.
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log.js';
import { AUTHED, call, hubApp, HUB, PAT, sc, SCIM_TOKEN, useHub } from '../../helpers/unit/hub-harness.js';

const errorOf = (result: { structuredContent: Record<string, unknown> }) =>
  (result.structuredContent as { error: { type: string; message: string; status?: number; hint?: string } }).error;

describe('validation happens before any request', () => {
  const hub = useHub();
  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['hub_repos', { action: 'get', namespace: 'acme/../x', repository: 'web' }, /namespace.*single path segment/],
    ['hub_repos', { action: 'get', namespace: '..', repository: 'web' }, /namespace/],
    ['hub_repos', { action: 'list', namespace: 'acme', page_size: 101 }, /page_size.*1\.\.100/],
    ['hub_repos', { action: 'list', namespace: 'acme', page: -1 }, /page/],
    ['hub_repos', { action: 'list', namespace: 'acme', ordering: 'stars' }, /ordering.*one of/],
    ['hub_repos', { action: 'list_tags', namespace: 'acme', repository: 'web', ordering: 'pull_count' }, /ordering/],
    ['hub_repos', { action: 'create', namespace: 'acme', name: 'Bad Name' }, /name/],
    [
      'hub_repos',
      { action: 'update', namespace: 'acme', repository: 'web' },
      /hub_repos\.update: give at least one of: description, full_description/,
    ],
    ['hub_auth', { action: 'create_pat', token_label: 'x', scopes: ['repo:root'] }, /scopes/],
    ['hub_auth', { action: 'create_pat', token_label: 'x', scopes: ['repo:read'], expires_at: 'tomorrow' }, /expires_at.*RFC 3339/],
    ['hub_auth', { action: 'create_oat', org: 'acme', label: 'x', resources: [{ type: 'TYPE_ALL', path: '*' }] }, /resources/],
    ['hub_auth', { action: 'update_pat', uuid: 'u' }, /at least one of: token_label, is_active/],
    ['hub_org', { action: 'update_member', org: 'acme', username: 'jo', role: 'boss' }, /role.*owner, editor, member/],
    ['hub_org', { action: 'bulk_invite', org: 'acme', invitees: [] }, /invitees/],
    ['hub_scim', { action: 'list_users', count: 500 }, /count/],
    ['hub_scim', { action: 'create_user', user_name: 'not-an-email' }, /email/],
    ['hub_audit', { action: 'logs', account: 'acme', from_date: '2025-13-01' }, /from_date/],
    ['hub_audit', { action: 'logs', account: 'acme', action_filter: 'x' }, /unknown parameter 'action_filter'/],
    ['hub_teams', { action: 'update', org: 'acme', group_name: 'devs' }, /at least one of: name, description/],
  ];
  for (const [tool, args, message] of bad) {
    it(`${tool}.${String(args.action)} rejects ${JSON.stringify(args).slice(0, 80)}`, async () => {
      hub.useToken();
      const result = await call(hubApp(), tool, args);
      expect(result.isError).toBe(true);
      expect(errorOf(result).type).toBe('invalid_argument');
      expect(errorOf(result).message).toMatch(message);
      expect(hub.seen).toHaveLength(0);
    });
  }

  it('URL-encodes path parameters', async () => {
    hub.useToken();
    hub.server.use(http.get(`${HUB}/v2/namespaces/acme/repositories/web/tags/:tag`, () => HttpResponse.json({ name: 'v1+build' })));
    const result = await call(hubApp(), 'hub_repos', { action: 'get_tag', namespace: 'acme', repository: 'web', tag: 'v1+build?x#y' });
    expect(result.isError).toBeFalsy();
    expect(hub.calls()[0]!.path).toBe('/v2/namespaces/acme/repositories/web/tags/v1%2Bbuild%3Fx%23y');
  });
});

describe('the destructive gate and dry runs', () => {
  const hub = useHub();
  const closed = { DOCKER_HUB_USER: 'octo', DOCKER_HUB_TOKEN: PAT, DOCKERHUB_SCIM_TOKEN: SCIM_TOKEN };

  for (const [tool, args] of [
    ['hub_auth', { action: 'delete_pat', uuid: 'u1' }],
    ['hub_auth', { action: 'delete_oat', org: 'acme', token_id: 't' }],
    ['hub_repos', { action: 'delete', namespace: 'acme', repository: 'web' }],
    ['hub_repos', { action: 'delete_tag', namespace: 'acme', repository: 'web', tag: 'v1' }],
    ['hub_repos', { action: 'prune_tags', namespace: 'acme', repository: 'web', keep: 3 }],
    ['hub_org', { action: 'update_settings', org: 'acme', restricted_images_enabled: true }],
    ['hub_org', { action: 'remove_member', org: 'acme', username: 'jo' }],
    ['hub_org', { action: 'delete_invite', invite_id: 'i' }],
    ['hub_teams', { action: 'delete', org: 'acme', group_name: 'devs' }],
    ['hub_teams', { action: 'remove_member', org: 'acme', group_name: 'devs', username: 'jo' }],
    ['hub_scim', { action: 'delete_user', user_id: 'u' }],
  ] as [string, Record<string, unknown>][]) {
    it(`${tool}.${String(args.action)} makes no request with the gate closed`, async () => {
      const result = await call(hubApp(closed), tool, args);
      expect(errorOf(result).type).toBe('gate_closed');
      expect(hub.seen).toHaveLength(0);
    });
  }

  it('a dry run shows the exact request and reads the target, with the gate closed', async () => {
    hub.answer('GET', '/v2/access-tokens/u1', { uuid: 'u1', token_label: 'ci', token: '' });
    const result = await call(hubApp(closed), 'hub_auth', { action: 'delete_pat', uuid: 'u1', dry_run: true });
    expect(result.isError).toBeFalsy();
    expect(sc(result).data).toEqual({
      dry_run: true,
      would_send: { method: 'DELETE', path: '/v2/access-tokens/u1' },
      target: { uuid: 'u1', token_label: 'ci', token: '' },
    });
    expect(hub.calls().map((c) => c.method)).toEqual(['GET']);
  });

  it('a dry run of a settings write shows the body and the current settings', async () => {
    hub.answer('GET', '/v2/orgs/acme/settings', { restricted_images: { enabled: false } });
    const result = await call(hubApp(closed), 'hub_org', {
      action: 'update_settings',
      org: 'acme',
      restricted_images_enabled: true,
      dry_run: true,
    });
    expect(sc(result).data).toMatchObject({
      dry_run: true,
      would_send: {
        method: 'PUT',
        path: '/v2/orgs/acme/settings',
        body: { restricted_images: { enabled: true, allow_official_images: true, allow_verified_publishers: true } },
      },
      target: { restricted_images: { enabled: false } },
    });
  });

  it('a dry run without a readable target sends nothing', async () => {
    hub.useToken();
    const result = await call(hubApp(closed), 'hub_org', { action: 'delete_invite', invite_id: 'i9', dry_run: true });
    expect(sc(result).data).toEqual({ dry_run: true, would_send: { method: 'DELETE', path: '/v2/invites/i9' }, target: null });
    expect(hub.seen).toHaveLength(0);
  });

  it('read-only mode hides writes too', async () => {
    const result = await call(hubApp({ ...closed, DOCKERHUB_READ_ONLY: 'true' }), 'hub_teams', {
      action: 'create',
      org: 'acme',
      name: 'x',
    });
    expect(errorOf(result).type).toBe('read_only');
    expect(hub.seen).toHaveLength(0);
  });
});

describe('paging', () => {
  const hub = useHub();
  const page = (n: number, size: number, total: number) => ({
    count: total,
    next: n * size < total ? `https://hub.docker.com/v2/namespaces/acme/repositories?page=${n + 1}&page_size=${size}` : null,
    previous: null,
    results: Array.from({ length: Math.min(size, total - (n - 1) * size) }, (_, i) => ({ name: `r${(n - 1) * size + i}`, extra: null })),
  });

  it('one page by default, with next when there is more', async () => {
    hub.server.use(http.get(`${HUB}/v2/namespaces/acme/repositories`, () => HttpResponse.json(page(1, 10, 25))));
    const result = await call(hubApp({}), 'hub_repos', { action: 'list', namespace: 'acme' });
    expect(sc(result).next).toEqual({ page: 2 });
    expect(hub.seen[0]!.query).toEqual({});
    expect(hub.seen[0]!.headers.get('authorization')).toBeNull();
  });

  // page: 0 is what tools/list advertises for every page; all_pages: true is the reference's name.
  it.each([{ all_pages: true }, { page: 0 }])('%o follows next to the end', async (every) => {
    hub.server.use(
      http.get(`${HUB}/v2/namespaces/acme/repositories`, ({ request }) =>
        HttpResponse.json(page(Number(new URL(request.url).searchParams.get('page') ?? 1), 100, 250)),
      ),
    );
    const result = await call(hubApp({}), 'hub_repos', { action: 'list', namespace: 'acme', ...every });
    const data = sc(result).data as { results: unknown[]; next: unknown; count: number };
    expect(data.results).toHaveLength(250);
    expect(data.next).toBeNull();
    expect(sc(result).truncated).toBeUndefined();
    expect(hub.seen.map((s) => s.query)).toEqual([{ page_size: '100' }, { page: '2', page_size: '100' }, { page: '3', page_size: '100' }]);
  });

  it('all_pages stops at the item cap and says so', async () => {
    hub.server.use(
      http.get(`${HUB}/v2/namespaces/acme/repositories`, ({ request }) =>
        HttpResponse.json(page(Number(new URL(request.url).searchParams.get('page') ?? 1), 100, 5000)),
      ),
    );
    const result = await call(hubApp({}), 'hub_repos', { action: 'list', namespace: 'acme', all_pages: true });
    expect((sc(result).data as { results: unknown[] }).results).toHaveLength(500);
    expect(sc(result).truncated).toBe(true);
    expect(sc(result).next).toEqual({ page: 6, page_size: 100 });
    expect(hub.seen).toHaveLength(5);
  });

  it('audit logs page by number (no next) until a short page', async () => {
    hub.server.use(
      http.get(`${HUB}/v2/auditlogs/acme`, ({ request }) => {
        const n = Number(new URL(request.url).searchParams.get('page') ?? 1);
        return HttpResponse.json({ logs: Array.from({ length: n < 3 ? 100 : 7 }, (_, i) => ({ action: 'x', i })) });
      }),
    );
    hub.useToken();
    const result = await call(hubApp(AUTHED), 'hub_audit', { action: 'logs', account: 'acme', all_pages: true });
    expect((sc(result).data as { logs: unknown[] }).logs).toHaveLength(207);
    expect(hub.calls()).toHaveLength(3);
  });

  it('invites (one upstream list) are paged locally', async () => {
    hub.answer('GET', '/v2/orgs/acme/invites', { data: Array.from({ length: 30 }, (_, i) => ({ id: `i${i}` })) });
    const result = await call(hubApp(AUTHED), 'hub_org', { action: 'list_invites', org: 'acme', page: 2, page_size: 10 });
    const data = sc(result).data as { data: { id: string }[]; count: number };
    expect(data.data.map((d) => d.id)).toEqual(Array.from({ length: 10 }, (_, i) => `i${i + 10}`));
    expect(data.count).toBe(30);
    expect(sc(result).next).toEqual({ page: 3 });
  });

  it('SCIM users page by startIndex / count', async () => {
    hub.server.use(
      http.get(`${HUB}/v2/scim/2.0/Users`, ({ request }) => {
        const start = Number(new URL(request.url).searchParams.get('startIndex'));
        const count = Number(new URL(request.url).searchParams.get('count'));
        const total = 230;
        const n = Math.max(0, Math.min(count, total - start + 1));
        return HttpResponse.json(
          {
            totalResults: total,
            startIndex: start,
            itemsPerPage: n,
            Resources: Array.from({ length: n }, (_, i) => ({ id: `u${start + i}` })),
          },
          { headers: { 'content-type': 'application/scim+json' } },
        );
      }),
    );
    const result = await call(hubApp(AUTHED), 'hub_scim', { action: 'list_users', all_pages: true });
    expect((sc(result).data as { Resources: unknown[] }).Resources).toHaveLength(230);
    expect(hub.seen.map((s) => s.query.startIndex)).toEqual(['1', '101', '201']);
  });

  it('search pages by offset', async () => {
    hub.server.use(
      http.get(`${HUB}/api/search/v4`, ({ request }) => {
        const from = Number(new URL(request.url).searchParams.get('from'));
        return HttpResponse.json({
          total: 150,
          results: Array.from({ length: Math.min(100, 150 - from) }, (_, i) => ({ name: `n${from + i}` })),
        });
      }),
    );
    const result = await call(hubApp({}), 'hub_repos', { action: 'search', query: 'redis', all_pages: true });
    expect((sc(result).data as { results: unknown[] }).results).toHaveLength(150);
    expect(hub.seen.map((s) => s.query.from)).toEqual(['0', '100']);
  });
});

describe('SCIM uses its own token', () => {
  const hub = useHub();
  it('without DOCKERHUB_SCIM_TOKEN a SCIM action says how to get one and sends nothing', async () => {
    const result = await call(hubApp({ DOCKER_HUB_USER: 'octo', DOCKER_HUB_TOKEN: PAT }), 'hub_scim', { action: 'list_users' });
    expect(errorOf(result)).toMatchObject({
      type: 'unauthorized',
      message: expect.stringContaining('DOCKERHUB_SCIM_TOKEN') as unknown,
      hint: expect.stringContaining('SCIM') as unknown,
    });
    expect(hub.seen).toHaveLength(0);
  });
  it('never sends the Hub JWT to SCIM', async () => {
    hub.answer('GET', '/v2/scim/2.0/Schemas', { Resources: [] });
    await call(hubApp(), 'hub_scim', { action: 'schemas' });
    expect(hub.seen.map((s) => s.path)).toEqual(['/v2/scim/2.0/Schemas']);
    expect(hub.seen[0]!.headers.get('authorization')).toBe(`Bearer ${SCIM_TOKEN}`);
  });
});

describe('errors explain themselves', () => {
  const hub = useHub();
  it('401 anonymous → how to log in', async () => {
    hub.answer('GET', '/v2/orgs/acme/groups', { detail: 'authentication required' }, { status: 401 });
    const err = errorOf(await call(hubApp({}), 'hub_teams', { action: 'list', org: 'acme' }));
    expect(err).toMatchObject({ type: 'unauthorized', status: 401 });
    expect(err.message).toContain('authentication required');
    expect(err.hint).toContain('DOCKER_HUB_USER');
  });
  it('403 for an OAT on a route refusing OATs', async () => {
    hub.answer('GET', '/v2/access-tokens', { detail: 'token issued from organization access token is not allowed' }, { status: 403 });
    const err = errorOf(
      await call(hubApp({ DOCKER_HUB_USER: 'acme', DOCKER_HUB_TOKEN: 'dckr_oat_abcdef123' }), 'hub_auth', { action: 'list_pats' }),
    );
    expect(err.type).toBe('forbidden');
    expect(err.hint).toMatch(/refuses organization access tokens/);
  });
  it('403 for a PAT names the scope and the plan', async () => {
    hub.answer('DELETE', '/v2/namespaces/acme/repositories/web/tags/v1', { detail: 'forbidden' }, { status: 403 });
    const err = errorOf(await call(hubApp(), 'hub_repos', { action: 'delete_tag', namespace: 'acme', repository: 'web', tag: 'v1' }));
    expect(err.hint).toMatch(/personal access token may lack the scope \(repo:admin\)/);
    hub.answer('GET', '/v2/auditlogs/acme/actions', { detail: 'forbidden' }, { status: 403 });
    const plan = errorOf(await call(hubApp(), 'hub_audit', { action: 'actions', account: 'acme' }));
    expect(plan.hint).toMatch(/Team or Business plan/);
  });
  it('404 names what to check', async () => {
    hub.answer('GET', '/v2/namespaces/acme/repositories/nope', { detail: 'object not found' }, { status: 404 });
    const err = errorOf(await call(hubApp(), 'hub_repos', { action: 'get', namespace: 'acme', repository: 'nope' }));
    expect(err).toMatchObject({ type: 'not_found', status: 404 });
    expect(err.hint).toContain("repository 'nope'");
  });
  it('a HEAD check answers exists:false on 404', async () => {
    hub.answer('HEAD', '/v2/namespaces/acme/repositories/web/tags/gone', null, { status: 404 });
    const result = await call(hubApp(), 'hub_repos', { action: 'check_tag', namespace: 'acme', repository: 'web', tag: 'gone' });
    expect(sc(result)).toMatchObject({ status_code: 404, data: { exists: false } });
  });
});

describe('tokens and secrets', () => {
  const hub = useHub();

  it('a created PAT is shown once; the same value anywhere else is redacted', async () => {
    hub.answer('POST', '/v2/access-tokens', { uuid: 'u1', token: 'dckr_pat_FRESH123456', token_label: 'ci' }, { status: 201 });
    const created = await call(hubApp(), 'hub_auth', { action: 'create_pat', token_label: 'ci', scopes: ['repo:read'] });
    expect((sc(created).data as { token: string }).token).toBe('dckr_pat_FRESH123456');
    hub.answer('GET', '/v2/access-tokens/u1', { uuid: 'u1', token: 'dckr_pat_FRESH123456', note: 'echo dckr_pat_FRESH123456' });
    const again = await call(hubApp(), 'hub_auth', { action: 'get_pat', uuid: 'u1' });
    expect(JSON.stringify(again)).not.toContain('dckr_pat_FRESH123456');
  });

  it('login with 2FA keeps the challenge server-side and two_factor_login uses it', async () => {
    hub.answer(
      'POST',
      '/v2/users/login',
      { detail: 'Require 2FA login', login_2fa_token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJvY3RvIn0.c2ln' },
      { status: 401 },
    );
    const app = hubApp();
    const first = await call(app, 'hub_auth', { action: 'login', username: 'octo', password: 'pw-canary-123' });
    expect(first.isError).toBeFalsy();
    expect(sc(first)).toMatchObject({ status_code: 401, data: { two_factor_required: true, login_2fa_token: '***redacted***' } });
    hub.answer('POST', '/v2/users/2fa-login', { token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJvY3RvIiwiZXhwIjo0MTAyNDQ0ODAwfQ.c2ln' });
    const second = await call(app, 'hub_auth', { action: 'two_factor_login', code: '123456' });
    expect(hub.calls().at(-1)!.body).toEqual({ login_2fa_token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJvY3RvIn0.c2ln', code: '123456' });
    expect(sc(second).data).toMatchObject({ token: '***redacted***', claims: { sub: 'octo' } });
    const none = await call(app, 'hub_auth', { action: 'two_factor_login', code: '123456' });
    expect(errorOf(none).message).toMatch(/call login first/);
  });

  it('a failed login is an error without the password', async () => {
    hub.answer('POST', '/v2/users/login', { detail: 'Incorrect authentication credentials' }, { status: 401 });
    const result = await call(hubApp(), 'hub_auth', { action: 'login', username: 'octo', password: 'pw-canary-456' });
    expect(errorOf(result)).toMatchObject({ type: 'unauthorized', message: expect.stringContaining('Incorrect') as unknown });
    expect(JSON.stringify(result)).not.toContain('pw-canary-456');
  });

  it('secret canaries: configured secrets and secrets passed as arguments never reach a result or a log line', async () => {
    const lines: string[] = [];
    const logger = createLogger('debug', (line) => lines.push(line));
    const app = hubApp(AUTHED, logger);
    const ARG_SECRET = 'arg-canary-secret-0042';
    hub.server.use(
      http.all(`${HUB}/*`, async ({ request }) => {
        const text = await request.text();
        // A hostile upstream echoing everything it was sent back.
        return HttpResponse.json(
          { echo: text, auth: request.headers.get('authorization'), also: `Bearer ${SCIM_TOKEN}`, raw: `${PAT} ${SCIM_TOKEN}` },
          { status: request.url.includes('fail') ? 400 : 200 },
        );
      }),
    );
    const results = [
      await call(app, 'hub_repos', { action: 'get', namespace: 'acme', repository: 'web' }),
      await call(app, 'hub_scim', { action: 'schemas' }),
      await call(app, 'hub_auth', { action: 'create_token', identifier: 'octo', secret: ARG_SECRET }),
      await call(app, 'hub_repos', { action: 'get', namespace: 'fail', repository: 'web' }),
      await call(app, 'hub_admin', { action: 'whoami' }),
    ];
    const everything = JSON.stringify(results) + lines.join('');
    for (const canary of [PAT, SCIM_TOKEN, ARG_SECRET]) expect(everything).not.toContain(canary);
    expect(everything).not.toMatch(/eyJ[A-Za-z0-9_-]{4,}\.eyJ/);
    expect(lines.length).toBeGreaterThan(0);
  });
});
