import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config.js';
import type { AppContext } from '../../../src/context.js';
import { repoRoutes } from '../../../src/hub/routes/repos.js';
import { buildTools } from '../../../src/tools/catalog.js';
import { callTool, type CallResult, type ToolSpec } from '../../../src/tools/framework.js';
import { HUB_URL, testApp, testConfig, toolCtx } from '../../helpers/unit/app.js';
import { hubJwt } from '../../helpers/unit/jwt.js';
import { useMsw } from '../../helpers/unit/msw.js';

const msw = useMsw();

function adminTool(app: AppContext): ToolSpec<AppContext> {
  const tool = buildTools(app.config.enabledTools).find((spec) => spec.name === 'hub_admin');
  if (!tool) throw new Error('hub_admin is not served');
  return tool;
}

async function admin(app: AppContext, action: string): Promise<CallResult> {
  return callTool(
    adminTool(app),
    { action },
    { ctx: toolCtx(app), config: app.config, caps: { maxBytes: app.config.maxResultBytes, maxItems: 500 } },
  );
}

const dataOf = (result: CallResult): Record<string, unknown> => {
  expect(result.isError).toBeUndefined();
  return (result.structuredContent as { data: Record<string, unknown> }).data;
};

describe('hub_admin is read-only', () => {
  it('its actions are all reads, so it stays listed and callable in read-only mode', async () => {
    const app = testApp(testConfig({ DOCKERHUB_READ_ONLY: 'true' }));
    for (const action of ['rate_limit', 'whoami', 'config']) expect((await admin(app, action)).isError).toBeUndefined();
  });
});

describe('rate_limit', () => {
  it('shows the snapshots recorded in the store, without a request', async () => {
    const app = testApp();
    const hub = { limit: 180, remaining: 150, reset: 1_736_942_460, observed_at: '2025-01-15T12:00:00.000Z' };
    const registry = { limit: 100, remaining: 76, window_seconds: 21600, source: '203.0.113.7', observed_at: '2025-01-15T12:00:01.000Z' };
    app.rateLimits.record('hub', hub);
    app.rateLimits.record('registry:ghcr.io', registry);
    const data = dataOf(await admin(app, 'rate_limit'));
    expect(data.hub).toEqual(hub);
    expect(data['registry:ghcr.io']).toEqual(registry);
    expect(data.registry).toBeNull();
    expect(data.scout).toBeNull();
    expect(msw.seen).toHaveLength(0);
  });

  it('shows what an earlier Hub request recorded', async () => {
    msw.server.use(
      http.get(`${HUB_URL}/v2/namespaces/library/repositories/alpine`, () =>
        HttpResponse.json(
          { name: 'alpine' },
          { headers: { 'x-ratelimit-limit': '180', 'x-ratelimit-remaining': '179', 'x-ratelimit-reset': '1736942460' } },
        ),
      ),
    );
    const app = testApp();
    await app.hubClient.call(repoRoutes.get, { namespace: 'library', repository: 'alpine' });
    const data = dataOf(await admin(app, 'rate_limit'));
    expect(data.hub).toMatchObject({ limit: 180, remaining: 179, reset: 1736942460 });
  });

  it('is all null before any request', async () => {
    expect(dataOf(await admin(testApp(), 'rate_limit'))).toEqual({ hub: null, registry: null, scout: null });
  });

  // Regression: rate_limit is the same object as data.hub, and the redactor used to show it as "[circular]".
  it("the envelope's rate_limit is the Hub snapshot", async () => {
    const app = testApp();
    const hub = { limit: 180, remaining: 150, observed_at: '2025-01-15T12:00:00.000Z' };
    app.rateLimits.record('hub', hub);
    const result = await admin(app, 'rate_limit');
    expect(result.structuredContent.rate_limit).toEqual(hub);
  });
});

describe('whoami', () => {
  it('anonymous: says so, with no request', async () => {
    const data = dataOf(await admin(testApp(), 'whoami'));
    expect(data).toMatchObject({ authenticated: false, identity: 'anonymous', mode: 'anonymous' });
    expect(data.note).toContain('DOCKER_HUB_TOKEN');
    expect(msw.seen).toHaveLength(0);
  });

  it('static JWT: decodes the claims locally, with no request', async () => {
    const jwt = hubJwt({ username: 'bob', exp: 1_900_000_000, email: 'bob@example.com' });
    const result = await admin(testApp(testConfig({ DOCKERHUB_JWT: jwt })), 'whoami');
    const data = dataOf(result);
    expect(data).toMatchObject({
      authenticated: true,
      identity: 'bob',
      mode: 'jwt',
      source: 'DOCKERHUB_JWT',
      claims: { username: 'bob', email: 'bob@example.com', exp: 1_900_000_000 },
      expires_at: new Date(1_900_000_000_000).toISOString(),
    });
    expect(result.content[0]!.text).not.toContain(jwt);
    expect(msw.seen).toHaveLength(0);
  });

  it('user + PAT: mints once and reuses the token', async () => {
    const bodies: unknown[] = [];
    const exp = Math.floor(Date.now() / 1000) + 3600;
    msw.server.use(
      http.post(`${HUB_URL}/v2/auth/token`, async ({ request }) => {
        bodies.push(await request.json());
        return HttpResponse.json({ access_token: hubJwt({ username: 'alice', exp }) });
      }),
    );
    const app = testApp(testConfig({ DOCKER_HUB_USER: 'alice', DOCKER_HUB_TOKEN: 'dckr_pat_WhoAmI123' }));
    const first = await admin(app, 'whoami');
    const second = await admin(app, 'whoami');
    expect(dataOf(first)).toMatchObject({
      authenticated: true,
      identity: 'alice',
      mode: 'credentials',
      credential: 'personal access token',
      claims: { username: 'alice' },
    });
    expect(dataOf(second)).toEqual(dataOf(first));
    expect(bodies).toEqual([{ identifier: 'alice', secret: 'dckr_pat_WhoAmI123' }]);
    expect(msw.seen).toHaveLength(1);
    expect(JSON.stringify([first, second])).not.toContain('dckr_pat_WhoAmI123');
  });

  it('rejected credentials come back as an unauthorized error with a hint', async () => {
    msw.server.use(
      http.post(`${HUB_URL}/v2/auth/token`, () => HttpResponse.json({ detail: 'Incorrect authentication credentials' }, { status: 401 })),
    );
    const app = testApp(testConfig({ DOCKER_HUB_USER: 'acme', DOCKER_HUB_TOKEN: 'dckr_oat_Rejected1' }));
    const result = await admin(app, 'whoami');
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toMatchObject({
      error: { type: 'unauthorized', status: 401, hint: expect.stringContaining('DOCKER_HUB_USER') },
    });
    expect(JSON.stringify(result)).not.toContain('dckr_oat_Rejected1');
  });
});

describe('config', () => {
  const SECRETS = { DOCKER_HUB_TOKEN: 'plain-hub-password-42', MCP_AUTH_TOKEN: 'http-bearer-secret-77' };

  function configured(env: Record<string, string> = {}): Config {
    return testConfig({ DOCKER_HUB_USER: 'alice', ...SECRETS, ...env });
  }

  it('shows the effective egress policy and the limits', async () => {
    const over = (env: Record<string, string>) => admin(testApp(configured(env)), 'config').then(dataOf);
    const http = await over({ TRANSPORT: 'http', DOCKER_REGISTRY_ALLOWED_HOSTS: 'registry.corp.example:5000' });
    expect(http.egress).toMatchObject({ registry_allow_list: ['registry.corp.example:5000'] });
    expect(String((http.egress as Record<string, unknown>).private_networks)).toMatch(/only configured URLs/);
    const stdio = await over({ DOCKERHUB_STREAM_MIN_RATE: '0', MCP_SHUTDOWN_GRACE_SECONDS: '3' });
    expect(stdio.egress).toMatchObject({ registry_allow_list: 'any public registry' });
    expect(stdio.limits).toMatchObject({ stream_min_bytes_per_second: 0, stream_stall_seconds: 30, shutdown_grace_seconds: 3 });
  });

  it('shows no secret value anywhere, only whether one is set', async () => {
    const result = await admin(testApp(configured()), 'config');
    const everything = JSON.stringify(result);
    for (const secret of Object.values(SECRETS)) expect(everything).not.toContain(secret);
    const data = dataOf(result);
    expect(data.credentials).toMatchObject({
      hub_mode: 'credentials',
      hub_user: 'alice',
      hub_secret_configured: true,
      hub_jwt_configured: false,
    });
    expect(data.http).toMatchObject({ auth_required: true });
  });

  it('shows the gate, read-only state and the actions each served tool exposes', async () => {
    const closed = dataOf(await admin(testApp(configured()), 'config'));
    expect(closed.safety).toEqual({ allow_destructive: false, read_only: false, confirm: 'when-supported' });
    expect(closed.tools).toMatchObject({
      hub_admin: { actions: ['rate_limit', 'whoami', 'config'], disabled_destructive: [], hidden_read_only: [] },
    });
    expect(closed.upstreams).toMatchObject({ hub_url: HUB_URL });

    const readOnly = dataOf(
      await admin(
        testApp(configured({ DOCKERHUB_READ_ONLY: 'true', DOCKERHUB_ALLOW_DESTRUCTIVE: 'true', DOCKERHUB_CONFIRM: 'always' })),
        'config',
      ),
    );
    expect(readOnly.safety).toEqual({ allow_destructive: true, read_only: true, confirm: 'always' });
  });

  it('names the tools this configuration does not serve', async () => {
    const data = dataOf(await admin(testApp(testConfig({}, ['--tools', 'admin'])), 'config'));
    expect(Object.keys(data.tools as object)).toEqual(['hub_admin']);
    expect(data.tools_not_served).toEqual(expect.arrayContaining(['hub_repos', 'hub_registry', 'hub_scout']));
    expect(data.tools_not_served).not.toContain('hub_admin');
  });
});
