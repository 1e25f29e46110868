// Where each credential goes (msw upstreams): the env pair to Docker Hub and to the registry
// DOCKER_REGISTRY_URL names, never to a registry a call names; docker config entries to their own
// host; nothing re-sent across a redirect; every derived form of a secret redacted; a registry
// redirect to the metadata address refused before any request; the allow-list before any request.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import {
  buildImage,
  callAdmin,
  callRegistry,
  exampleRegistry,
  failed,
  ok,
  REG_ORIGIN,
  REG_REALM,
  registryApp,
  tempDir,
  useRegistryMsw,
} from '../../helpers/unit-registry/fake-registry.js';

const msw = useRegistryMsw();
const USER = 'octo';
const PASSWORD = 'pw-Canary-5b1f0e';
const ENV = { DOCKER_HUB_USER: USER, DOCKER_HUB_TOKEN: PASSWORD };
const BASE64 = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');

function image() {
  return buildImage({ platform: { os: 'linux', architecture: 'amd64' } });
}

function dockerConfig(entries: Record<string, unknown>): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'config.json'), JSON.stringify(entries));
  return dir;
}

describe('the env pair', () => {
  it('goes to the registry DOCKER_REGISTRY_URL names (token auth, nothing in config.json)', async () => {
    const reg = exampleRegistry().putImage('team/app', image(), 'v1');
    msw.server.use(...reg.handlers());
    const app = registryApp({ ...ENV, DOCKER_REGISTRY_URL: REG_ORIGIN });
    ok(await callRegistry(app, { action: 'resolve_digest', repo: 'team/app', reference: 'v1' }));
    expect(reg.tokenRequests).toHaveLength(1);
    expect(reg.tokenRequests[0]!.authorization).toBe(`Basic ${BASE64}`);
  });

  it('never goes to a registry a call names', async () => {
    const reg = exampleRegistry().putImage('team/app', image(), 'v1');
    msw.server.use(...reg.handlers());
    const app = registryApp(ENV);
    const result = await callRegistry(app, { action: 'resolve_digest', repo: 'reg.example.test/team/app', reference: 'v1' });
    expect(ok(result).data).toMatchObject({ exists: true });
    expect(reg.tokenRequests.length).toBeGreaterThan(0);
    expect(reg.tokenRequests.every((r) => r.authorization === null)).toBe(true);
  });

  it('hub_admin whoami says which registries get which credential source', async () => {
    msw.server.use(http.post('https://hub.docker.com/v2/auth/token', () => HttpResponse.json({ access_token: 'opaque-jwt-xyz' })));
    const app = registryApp({ ...ENV, DOCKER_REGISTRY_URL: REG_ORIGIN });
    const data = ok<{ registry_credentials: { env_pair: string[] } }>(await callAdmin(app, { action: 'whoami' })).data;
    expect(data.registry_credentials.env_pair).toEqual(['Docker Hub', REG_ORIGIN]);
  });
});

describe('secrets in every form are redacted', () => {
  it('a registry echoing base64(user:password) in its error does not show it', async () => {
    msw.server.use(
      http.all(`${REG_ORIGIN}/v2/*`, ({ request }) => {
        const auth = request.headers.get('authorization');
        if (!auth) return new HttpResponse(null, { status: 401, headers: { 'www-authenticate': 'Basic realm="reg"' } });
        const echoed = auth.replace(/^Basic /, '');
        return HttpResponse.json(
          { errors: [{ code: 'DENIED', message: `denied for ${echoed} (${Buffer.from(echoed, 'base64').toString()})` }] },
          { status: 403 },
        );
      }),
    );
    const apps = [
      registryApp({ ...ENV, DOCKER_REGISTRY_URL: REG_ORIGIN }),
      registryApp({ DOCKER_CONFIG: dockerConfig({ auths: { 'reg.example.test': { auth: BASE64 } } }) }),
    ];
    for (const app of apps) {
      const result = await callRegistry(app, { action: 'get_manifest', repo: 'reg.example.test/team/app', reference: 'v1' });
      const text = JSON.stringify(result);
      expect(failed(result).type).toBe('forbidden');
      expect(text).toContain('denied for');
      expect(text).not.toContain(BASE64);
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(`${USER}:${PASSWORD}`);
    }
  });
});

describe('token realms', () => {
  it('an identitytoken refresh POST is never re-posted after a redirect (https realm → http)', async () => {
    const posts: string[] = [];
    msw.server.use(
      http.all(
        `${REG_ORIGIN}/v2/*`,
        () => new HttpResponse(null, { status: 401, headers: { 'www-authenticate': `Bearer realm="${REG_REALM}",service="reg"` } }),
      ),
      http.post(REG_REALM, () => new HttpResponse(null, { status: 307, headers: { location: 'http://auth.example.test/token' } })),
      http.post('http://auth.example.test/token', async ({ request }) => {
        posts.push(await request.text());
        return HttpResponse.json({ token: 'x' });
      }),
    );
    const app = registryApp({
      DOCKER_CONFIG: dockerConfig({ auths: { 'reg.example.test': { identitytoken: 'refresh-Canary-77aa' } } }),
    });
    const result = await callRegistry(app, { action: 'resolve_digest', repo: 'reg.example.test/team/app', reference: 'v1' });
    expect(result.isError).toBe(true);
    expect(posts).toHaveLength(0);
    expect(msw.to('http://auth.example.test')).toHaveLength(0);
    expect(JSON.stringify(result)).not.toContain('refresh-Canary-77aa');
  });

  it('an https realm redirecting a Basic GET to http is refused before the http request', async () => {
    msw.server.use(
      http.all(
        `${REG_ORIGIN}/v2/*`,
        () => new HttpResponse(null, { status: 401, headers: { 'www-authenticate': `Bearer realm="${REG_REALM}",service="reg"` } }),
      ),
      http.get(REG_REALM, () => new HttpResponse(null, { status: 302, headers: { location: 'http://auth.example.test/token' } })),
    );
    const app = registryApp({ DOCKER_CONFIG: dockerConfig({ auths: { 'reg.example.test': { auth: BASE64 } } }) });
    const result = await callRegistry(app, { action: 'resolve_digest', repo: 'reg.example.test/team/app', reference: 'v1' });
    expect(failed(result).type).toBe('egress_denied');
    expect(msw.to('http://auth.example.test')).toHaveLength(0);
  });
});

describe('registry redirects and the allow-list', () => {
  it('a manifest 302 to the metadata address is refused with no request to it', async () => {
    msw.server.use(
      http.all(`${REG_ORIGIN}/v2/*`, ({ request }) =>
        new URL(request.url).pathname === '/v2/'
          ? HttpResponse.json({})
          : new HttpResponse(null, {
              status: 302,
              headers: { location: 'http://169.254.169.254/latest/meta-data/iam/security-credentials/' },
            }),
      ),
    );
    const app = registryApp();
    for (const action of ['get_manifest', 'resolve_digest', 'inspect']) {
      const result = await callRegistry(app, { action, repo: 'reg.example.test/team/app', reference: 'v1' });
      expect(failed(result).type, action).toBe('egress_denied');
    }
    expect(msw.to('http://169.254.169.254')).toHaveLength(0);
  });

  it('a registry outside DOCKER_REGISTRY_ALLOWED_HOSTS is refused before any request, naming the setting', async () => {
    const app = registryApp({ DOCKER_REGISTRY_ALLOWED_HOSTS: 'registry.corp.example' });
    for (const repo of ['reg.example.test/team/app', '169.254.169.254/x', '127.0.0.1:5999/x']) {
      const result = await callRegistry(app, { action: 'resolve_digest', repo, reference: 'v1' });
      expect(failed(result).type, repo).toBe('egress_denied');
      expect(failed(result).message, repo).toMatch(/DOCKER_REGISTRY_ALLOWED_HOSTS|link-local/);
    }
    expect(msw.seen).toHaveLength(0);
  });
});
