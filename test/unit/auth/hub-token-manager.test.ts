// The Hub token manager's new behaviour: secrets trimmed, credential kinds, mint failures that
// explain themselves per kind without the secret, a shared mint that one cancelled caller cannot
// fail for the others, one re-mint on 401, refresh before exp, static JWTs, anonymous reads.
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { credentialKindOf, HubTokenManager } from '../../../src/auth/hub-token.js';
import { RequestBase } from '../../../src/http/client.js';
import { RateLimitStore } from '../../../src/http/rate-limit.js';
import { silentLogger } from '../../../src/log.js';
import { call, hubApp, HUB, jwtFor, PAT } from '../../helpers/unit/hub-harness.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const base = () =>
  new RequestBase({
    upstream: 'hub',
    baseUrl: HUB,
    fetch: (u, i) => globalThis.fetch(u, i),
    rateLimits: new RateLimitStore(),
    logger: silentLogger,
    timeoutMs: 5000,
  });

describe('HubTokenManager', () => {
  it('tells the credential kinds apart', () => {
    expect(credentialKindOf('dckr_pat_x')).toBe('pat');
    expect(credentialKindOf('dckr_oat_x')).toBe('oat');
    expect(credentialKindOf('hunter2')).toBe('password');
    expect(new HubTokenManager({ jwt: jwtFor('a') }, base()).kind).toBe('jwt');
    expect(new HubTokenManager({}, base()).kind).toBe('anonymous');
  });

  it('trims secrets before minting', async () => {
    let body: unknown;
    server.use(
      http.post(
        `${HUB}/v2/auth/token`,
        async ({ request }) => ((body = await request.json()), HttpResponse.json({ access_token: jwtFor('octo') })),
      ),
    );
    const manager = new HubTokenManager({ user: ' octo\n', secret: `  ${PAT}\r\n` }, base());
    expect(manager.kind).toBe('pat');
    await manager.token();
    expect(body).toEqual({ identifier: 'octo', secret: PAT });
  });

  it('shares one mint between concurrent callers, and a cancelled caller does not fail the others', async () => {
    let mints = 0;
    server.use(
      http.post(`${HUB}/v2/auth/token`, async () => {
        mints++;
        await new Promise((r) => setTimeout(r, 30));
        return HttpResponse.json({ access_token: jwtFor('octo') });
      }),
    );
    const manager = new HubTokenManager({ user: 'octo', secret: PAT }, base());
    const aborted = new AbortController();
    const first = manager.token(aborted.signal);
    const others = Promise.all(Array.from({ length: 5 }, () => manager.token()));
    aborted.abort();
    await expect(first).rejects.toMatchObject({ type: 'cancelled' });
    const tokens = await others;
    expect(new Set(tokens).size).toBe(1);
    expect(mints).toBe(1);
    expect(manager.mints).toBe(1);
  });

  it('refreshes 60 s before exp, and uses 300 s when the JWT has no exp', async () => {
    let now = 1_000_000_000_000;
    const exp = Math.floor(now / 1000) + 600;
    server.use(http.post(`${HUB}/v2/auth/token`, () => HttpResponse.json({ access_token: jwtFor('octo', exp) })));
    const manager = new HubTokenManager({ user: 'octo', secret: PAT }, base(), () => now);
    await manager.token();
    now += 539_000;
    await manager.token();
    expect(manager.mints).toBe(1);
    now += 2_000;
    await manager.token();
    expect(manager.mints).toBe(2);

    server.use(http.post(`${HUB}/v2/auth/token`, () => HttpResponse.json({ access_token: 'opaque-token' })));
    const opaque = new HubTokenManager({ user: 'octo', secret: PAT }, base(), () => now);
    await opaque.token();
    expect(opaque.expiresAt).toBe(now + 300_000);
  });

  for (const [secret, status, detail, hint] of [
    ['dckr_pat_WRONGsecret1', 401, 'incorrect credentials', /personal access token was refused/],
    ['dckr_oat_WRONGsecret2', 401, 'incorrect credentials', /DOCKER_HUB_USER must be the organization name/],
    ['wrong-password-canary', 401, 'incorrect credentials', /Wrong user name or password/],
    ['wrong-password-canary', 401, 'Your organization enforces SSO', /personal access token \(dckr_pat_…\)/],
    ['dckr_pat_RATEsecret', 429, 'slow down', /rate-limited/],
  ] as const) {
    it(`a refused mint (${secret.slice(0, 9)}…, ${status}: ${detail}) explains itself without the secret`, async () => {
      server.use(http.post(`${HUB}/v2/auth/token`, () => HttpResponse.json({ detail }, { status, headers: { 'retry-after': '3600' } })));
      const manager = new HubTokenManager({ user: 'octo', secret }, base());
      const error = (await manager.token().catch((e: unknown) => e)) as { type: string; message: string; hint: string };
      expect(error.message).toContain("'octo'");
      expect(error.hint).toMatch(hint);
      expect(JSON.stringify(error) + error.message + error.hint).not.toContain(secret);
    });
  }
});

describe('through the tools', () => {
  it('re-mints once on a 401 and retries the call', async () => {
    let mints = 0;
    let calls = 0;
    server.use(
      http.post(`${HUB}/v2/auth/token`, () => (mints++, HttpResponse.json({ access_token: jwtFor(`octo${mints}`) }))),
      http.get(
        `${HUB}/v2/orgs/acme/groups`,
        () => (
          calls++,
          calls === 1 ? HttpResponse.json({ detail: 'expired' }, { status: 401 }) : HttpResponse.json({ count: 0, results: [] })
        ),
      ),
    );
    const result = await call(hubApp({ DOCKER_HUB_USER: 'octo', DOCKER_HUB_TOKEN: PAT }), 'hub_teams', { action: 'list', org: 'acme' });
    expect(result.isError).toBeFalsy();
    expect([mints, calls]).toEqual([2, 2]);
  });

  it('re-mints only once: a second 401 is an error with a hint', async () => {
    let mints = 0;
    server.use(
      http.post(`${HUB}/v2/auth/token`, () => (mints++, HttpResponse.json({ access_token: jwtFor('octo') }))),
      http.get(`${HUB}/v2/orgs/acme/groups`, () => HttpResponse.json({ detail: 'nope' }, { status: 401 })),
    );
    const result = await call(hubApp({ DOCKER_HUB_USER: 'octo', DOCKER_HUB_TOKEN: PAT }), 'hub_teams', { action: 'list', org: 'acme' });
    expect(result.isError).toBe(true);
    expect(mints).toBe(2);
    expect((result.structuredContent as { error: { hint: string } }).error.hint).toMatch(/refused a freshly minted token/);
  });

  it('a static DOCKERHUB_JWT is sent as-is, never re-minted, and a 401 says why', async () => {
    const jwt = jwtFor('static-user');
    let auth: string | null = null;
    server.use(
      http.get(
        `${HUB}/v2/orgs/acme/groups`,
        ({ request }) => ((auth = request.headers.get('authorization')), HttpResponse.json({ detail: 'expired' }, { status: 401 })),
      ),
    );
    const result = await call(hubApp({ DOCKERHUB_JWT: jwt }), 'hub_teams', { action: 'list', org: 'acme' });
    expect(auth).toBe(`Bearer ${jwt}`);
    expect((result.structuredContent as { error: { hint: string } }).error.hint).toMatch(/DOCKERHUB_JWT was refused/);
  });

  it('anonymous mode reads public data without any token', async () => {
    let auth: string | null = 'unset';
    server.use(
      http.get(
        `${HUB}/v2/namespaces/library/repositories/nginx`,
        ({ request }) => ((auth = request.headers.get('authorization')), HttpResponse.json({ name: 'nginx', is_private: false })),
      ),
    );
    const result = await call(hubApp({}), 'hub_repos', { action: 'get', namespace: 'library', repository: 'nginx' });
    expect(result.isError).toBeFalsy();
    expect(auth).toBeNull();
  });
});
