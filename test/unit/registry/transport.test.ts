// The registry transport and client against msw-mocked registries: the auth dance and its request
// counts, Docker Hub's token up front, scope upgrades, redirects that drop Authorization off-origin,
// content verification, Link paging held to the registry's origin, pull-limit telemetry and 429s.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import {
  buildImage,
  callAdmin,
  callRegistry,
  content,
  exampleRegistry,
  failed,
  HUB_ORIGIN,
  HUB_REALM,
  hubRegistry,
  MT,
  ok,
  REG_ORIGIN,
  REG_REALM,
  REG_SERVICE,
  registryApp,
  sha256,
  tempDir,
  useRegistryMsw,
} from '../../helpers/unit-registry/fake-registry.js';

const msw = useRegistryMsw();
const CDN = 'https://cdn.example.test';
const image = buildImage({ platform: { os: 'linux', architecture: 'amd64' } });

function exampleWithImage(repo = 'team/app', tag = '1.0') {
  const reg = exampleRegistry().putImage(repo, image, tag);
  msw.server.use(...reg.handlers());
  return reg;
}

describe('the auth dance on a registry seen for the first time', () => {
  it('401 + challenge → token → retry; the next call sends the token up front', async () => {
    const reg = exampleWithImage();
    const app = registryApp();

    const first = ok<{ digest: string }>(await callRegistry(app, { action: 'resolve_digest', repo: 'reg.example.test/team/app:1.0' }));
    expect(first.data.digest).toBe(image.manifest.digest);
    const cold = msw.to(REG_ORIGIN);
    expect(cold).toHaveLength(2);
    expect(cold[0]?.headers.get('authorization')).toBeNull();
    expect(cold[1]?.headers.get('authorization')).toBe(`Bearer ${reg.token}`);
    expect(reg.tokenRequests).toHaveLength(1);
    expect(reg.tokenRequests[0]?.url.searchParams.get('service')).toBe(REG_SERVICE);
    expect(reg.tokenRequests[0]?.url.searchParams.getAll('scope')).toEqual(['repository:team/app:pull']);

    msw.seen.length = 0;
    ok(await callRegistry(app, { action: 'resolve_digest', repo: 'reg.example.test/team/app:1.0' }));
    const warm = msw.to(REG_ORIGIN);
    expect(warm).toHaveLength(1);
    expect(warm[0]?.headers.get('authorization')).toBe(`Bearer ${reg.token}`);
    expect(reg.tokenRequests).toHaveLength(1);
    expect(msw.to('https://auth.example.test')).toHaveLength(0);
  });

  it('an open registry is remembered as open: no Authorization, one request per call', async () => {
    const reg = exampleRegistry({ auth: 'none' }).putImage('team/app', image, '1.0');
    msw.server.use(...reg.handlers());
    const app = registryApp();
    ok(await callRegistry(app, { action: 'resolve_digest', repo: 'reg.example.test/team/app:1.0' }));
    ok(await callRegistry(app, { action: 'resolve_digest', repo: 'reg.example.test/team/app:1.0' }));
    const seen = msw.to(REG_ORIGIN);
    expect(seen).toHaveLength(2);
    expect(seen.every((s) => s.headers.get('authorization') === null)).toBe(true);
  });

  it('a Basic challenge is answered with the docker config credentials', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({ auths: { 'reg.example.test': { username: 'bob', password: 'basic-pw-123' } } }),
    );
    const expected = `Basic ${Buffer.from('bob:basic-pw-123').toString('base64')}`;
    msw.server.use(
      http.head(`${REG_ORIGIN}/v2/team/app/manifests/1.0`, ({ request }) =>
        request.headers.get('authorization') === expected
          ? new HttpResponse(null, { headers: { 'docker-content-digest': image.manifest.digest, 'content-type': MT.ociManifest } })
          : new HttpResponse(null, { status: 401, headers: { 'www-authenticate': 'Basic realm="Registry Realm"' } }),
      ),
    );
    const app = registryApp({ DOCKER_CONFIG: dir });
    expect(
      ok<{ digest: string }>(await callRegistry(app, { action: 'resolve_digest', repo: 'reg.example.test/team/app:1.0' })).data.digest,
    ).toBe(image.manifest.digest);
    ok(await callRegistry(app, { action: 'resolve_digest', repo: 'reg.example.test/team/app:1.0' }));
    expect(msw.to(REG_ORIGIN).map((s) => s.headers.get('authorization'))).toEqual([null, expected, expected]);
  });

  it('a realm over plain http on another origin is refused; nothing is sent there', async () => {
    msw.server.use(
      http.head(
        `${REG_ORIGIN}/v2/team/app/manifests/1.0`,
        () =>
          new HttpResponse(null, {
            status: 401,
            headers: { 'www-authenticate': 'Bearer realm="http://auth.example.test/token",service="reg"' },
          }),
      ),
      http.get('http://auth.example.test/token', () => HttpResponse.json({ token: 'never' })),
    );
    const error = failed(await callRegistry(registryApp(), { action: 'resolve_digest', repo: 'reg.example.test/team/app:1.0' }));
    expect(error.type).toBe('forbidden');
    expect(msw.to('http://auth.example.test')).toHaveLength(0);
  });

  it('still 401 after the token → unauthorized after exactly one retry', async () => {
    msw.server.use(
      http.head(
        `${REG_ORIGIN}/v2/team/app/manifests/1.0`,
        () =>
          new HttpResponse(null, {
            status: 401,
            headers: { 'www-authenticate': `Bearer realm="${REG_REALM}",service="${REG_SERVICE}",scope="repository:team/app:pull"` },
          }),
      ),
      http.get(REG_REALM, () => HttpResponse.json({ token: 't' })),
    );
    const error = failed(await callRegistry(registryApp(), { action: 'resolve_digest', repo: 'reg.example.test/team/app:1.0' }));
    expect(error.type).toBe('unauthorized');
    expect(error.status).toBe(401);
    expect(msw.to(REG_ORIGIN)).toHaveLength(2);
  });
});

describe('Docker Hub', () => {
  it('gets the token up front even cold (realm auth.docker.io, service registry.docker.io): no 401', async () => {
    const hub = hubRegistry().putImage('library/nginx', image, 'latest');
    msw.server.use(...hub.handlers());
    const app = registryApp();
    ok(await callRegistry(app, { action: 'resolve_digest', repo: 'nginx' }));
    const seen = msw.to(HUB_ORIGIN);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.method).toBe('HEAD');
    expect(seen[0]?.url.pathname).toBe('/v2/library/nginx/manifests/latest');
    expect(seen[0]?.headers.get('authorization')).toBe(`Bearer ${hub.token}`);
    expect(hub.tokenRequests).toHaveLength(1);
    expect(hub.tokenRequests[0]?.url.origin + hub.tokenRequests[0]!.url.pathname).toBe(HUB_REALM);
    expect(hub.tokenRequests[0]?.url.searchParams.get('service')).toBe('registry.docker.io');
    expect(hub.tokenRequests[0]?.url.searchParams.getAll('scope')).toEqual(['repository:library/nginx:pull']);
  });

  it('DOCKER_REGISTRY_AUTH_URL moves the up-front realm', async () => {
    const hub = hubRegistry({ realm: 'https://auth.mirror.test/token' }).putImage('library/nginx', image, 'latest');
    msw.server.use(...hub.handlers());
    ok(
      await callRegistry(registryApp({ DOCKER_REGISTRY_AUTH_URL: 'https://auth.mirror.test/token' }), {
        action: 'resolve_digest',
        repo: 'nginx',
      }),
    );
    expect(hub.tokenRequests).toHaveLength(1);
    expect(msw.to(HUB_ORIGIN)).toHaveLength(1);
    expect(msw.to('https://auth.docker.io')).toHaveLength(0);
  });

  it('DOCKER_HUB_USER / DOCKER_HUB_TOKEN are sent to the token service as Basic', async () => {
    const hub = hubRegistry().putImage('acme/private', image, 'v1');
    msw.server.use(...hub.handlers());
    ok(
      await callRegistry(registryApp({ DOCKER_HUB_USER: 'acme', DOCKER_HUB_TOKEN: 'dckr_pat_abcdefgh' }), {
        action: 'resolve_digest',
        repo: 'acme/private:v1',
      }),
    );
    expect(hub.tokenRequests[0]?.authorization).toBe(`Basic ${Buffer.from('acme:dckr_pat_abcdefgh').toString('base64')}`);
  });

  it('pull-limit headers on a HEAD land in hub_admin rate_limit under "registry"', async () => {
    const hub = hubRegistry({
      manifestHeaders: { 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '76;w=21600', 'docker-ratelimit-source': '203.0.113.7' },
    }).putImage('library/nginx', image, 'latest');
    msw.server.use(...hub.handlers());
    const app = registryApp();
    const resolved = ok(await callRegistry(app, { action: 'resolve_digest', repo: 'nginx' }));
    expect(resolved.rate_limit).toMatchObject({ limit: 100, remaining: 76, window_seconds: 21600, source: '203.0.113.7' });
    const limits = ok<Record<string, unknown>>(await callAdmin(app, { action: 'rate_limit' }));
    expect(limits.data.registry).toMatchObject({ limit: 100, remaining: 76, window_seconds: 21600, source: '203.0.113.7' });
    expect(msw.to(HUB_ORIGIN, 'GET')).toHaveLength(0);
  });
});

describe('scope upgrade on insufficient_scope', () => {
  const wide = 'repository:team/app:pull,push';

  function scopedRegistry(grantWide: boolean) {
    const issued: string[][] = [];
    msw.server.use(
      http.get(REG_REALM, ({ request }) => {
        const scopes = new URL(request.url).searchParams.getAll('scope');
        issued.push(scopes);
        return HttpResponse.json({ token: `T:${scopes.join(' ')}` });
      }),
      http.head(`${REG_ORIGIN}/v2/*`, ({ request }) => {
        const auth = request.headers.get('authorization') ?? '';
        const path = new URL(request.url).pathname;
        if (path.startsWith('/v2/warm/')) {
          if (auth.startsWith('Bearer ')) return new HttpResponse(null, { headers: { 'docker-content-digest': image.manifest.digest } });
          return new HttpResponse(null, {
            status: 401,
            headers: { 'www-authenticate': `Bearer realm="${REG_REALM}",service="${REG_SERVICE}",scope="repository:warm/up:pull"` },
          });
        }
        if (grantWide && auth.includes(wide))
          return new HttpResponse(null, { headers: { 'docker-content-digest': image.manifest.digest } });
        return new HttpResponse(null, {
          status: 401,
          headers: {
            'www-authenticate': `Bearer realm="${REG_REALM}",service="${REG_SERVICE}",scope="${wide}",error="insufficient_scope"`,
          },
        });
      }),
    );
    return issued;
  }

  it('a token that is not enough gets the challenge scope added, once, and the retry succeeds', async () => {
    const issued = scopedRegistry(true);
    const app = registryApp();
    ok(await callRegistry(app, { action: 'resolve_digest', repo: 'reg.example.test/warm/up:1' }));
    msw.seen.length = 0;
    issued.length = 0;

    ok(await callRegistry(app, { action: 'resolve_digest', repo: 'reg.example.test/team/app:1' }));
    const seen = msw.to(REG_ORIGIN);
    expect(seen).toHaveLength(2);
    expect(seen[0]?.headers.get('authorization')).toBe('Bearer T:repository:team/app:pull');
    expect(issued).toEqual([['repository:team/app:pull'], ['repository:team/app:pull', wide]]);
    expect(seen[1]?.headers.get('authorization')).toBe(`Bearer T:repository:team/app:pull ${wide}`);
  });

  it('no endless loop: still refused after the upgrade → unauthorized after 2 registry requests', async () => {
    scopedRegistry(false);
    const app = registryApp();
    ok(await callRegistry(app, { action: 'resolve_digest', repo: 'reg.example.test/warm/up:1' }));
    msw.seen.length = 0;
    expect(failed(await callRegistry(app, { action: 'resolve_digest', repo: 'reg.example.test/team/app:1' })).type).toBe('unauthorized');
    expect(msw.to(REG_ORIGIN)).toHaveLength(2);
  });
});

describe('redirects', () => {
  const layer = content(Buffer.from('layer bytes served by the CDN'), MT.ociLayerGzip);

  it('a blob GET redirected to another origin is followed WITHOUT Authorization', async () => {
    const reg = exampleRegistry();
    const cdnAuth: (string | null)[] = [];
    msw.server.use(
      http.get(`${REG_ORIGIN}/v2/team/app/blobs/${layer.digest}`, ({ request }) =>
        request.headers.get('authorization') === `Bearer ${reg.token}`
          ? new HttpResponse(null, { status: 307, headers: { location: `${CDN}/blobs/abc?sig=presigned` } })
          : new HttpResponse(null, { status: 401, headers: { 'www-authenticate': reg.challenge('team/app') } }),
      ),
      http.get(`${CDN}/blobs/abc`, ({ request }) => {
        cdnAuth.push(request.headers.get('authorization'));
        return new HttpResponse(layer.bytes, {
          headers: { 'content-type': 'application/octet-stream', 'content-length': String(layer.size) },
        });
      }),
      ...reg.handlers(),
    );
    const read = ok<{ verified: boolean; content: string; encoding: string }>(
      await callRegistry(registryApp(), { action: 'get_blob', repo: 'reg.example.test/team/app', digest: layer.digest }),
    );
    expect(read.data).toMatchObject({ verified: true, encoding: 'text', content: 'layer bytes served by the CDN' });
    expect(cdnAuth).toEqual([null]);
    expect(msw.to(CDN)[0]?.url.searchParams.get('sig')).toBe('presigned');
  });

  it('Docker Hub blob on a CDN: same rule', async () => {
    const hub = hubRegistry();
    const cdnAuth: (string | null)[] = [];
    msw.server.use(
      http.get(
        `${HUB_ORIGIN}/v2/library/nginx/blobs/${layer.digest}`,
        () => new HttpResponse(null, { status: 307, headers: { location: `${CDN}/registry-v2/x` } }),
      ),
      http.get(`${CDN}/registry-v2/x`, ({ request }) => {
        cdnAuth.push(request.headers.get('authorization'));
        return new HttpResponse(layer.bytes);
      }),
      ...hub.handlers(),
    );
    ok(await callRegistry(registryApp(), { action: 'get_blob', repo: 'nginx', digest: layer.digest }));
    expect(msw.to(HUB_ORIGIN)[0]?.headers.get('authorization')).toBe(`Bearer ${hub.token}`);
    expect(cdnAuth).toEqual([null]);
  });

  it('a same-origin redirect keeps Authorization (and needs no new token)', async () => {
    const reg = exampleRegistry();
    const storageAuth: (string | null)[] = [];
    msw.server.use(
      http.get(`${REG_ORIGIN}/v2/team/app/blobs/${layer.digest}`, ({ request }) =>
        request.headers.get('authorization') === `Bearer ${reg.token}`
          ? new HttpResponse(null, { status: 302, headers: { location: '/storage/blob-1' } })
          : new HttpResponse(null, { status: 401, headers: { 'www-authenticate': reg.challenge('team/app') } }),
      ),
      http.get(`${REG_ORIGIN}/storage/blob-1`, ({ request }) => {
        storageAuth.push(request.headers.get('authorization'));
        return new HttpResponse(layer.bytes);
      }),
      ...reg.handlers(),
    );
    ok(await callRegistry(registryApp(), { action: 'get_blob', repo: 'reg.example.test/team/app', digest: layer.digest }));
    expect(storageAuth).toEqual([`Bearer ${reg.token}`]);
    expect(reg.tokenRequests).toHaveLength(1);
  });
});

describe('content verification', () => {
  it('a manifest fetched by digest whose body does not hash to it → integrity_error, no data', async () => {
    const reg = exampleRegistry({ auth: 'none' });
    const corrupt = Buffer.from(image.manifest.bytes.toString('utf8').replace('"schemaVersion":2', '"schemaVersion":3'));
    msw.server.use(
      http.get(
        `${REG_ORIGIN}/v2/team/app/manifests/${image.manifest.digest}`,
        () => new HttpResponse(corrupt, { headers: { 'content-type': MT.ociManifest, 'docker-content-digest': image.manifest.digest } }),
      ),
      ...reg.handlers(),
    );
    const error = failed(
      await callRegistry(registryApp(), { action: 'get_manifest', repo: `reg.example.test/team/app@${image.manifest.digest}` }),
    );
    expect(error.type).toBe('integrity_error');
    expect(error.message).toContain(image.manifest.digest);
    expect(error.message).toContain(sha256(corrupt));
  });

  it('a tag GET whose Docker-Content-Digest does not match the body → integrity_error', async () => {
    const reg = exampleRegistry({ auth: 'none' });
    msw.server.use(
      http.get(
        `${REG_ORIGIN}/v2/team/app/manifests/1.0`,
        () =>
          new HttpResponse(image.manifest.bytes, {
            headers: { 'content-type': MT.ociManifest, 'docker-content-digest': sha256('something else') },
          }),
      ),
      ...reg.handlers(),
    );
    expect(failed(await callRegistry(registryApp(), { action: 'get_manifest', repo: 'reg.example.test/team/app:1.0' })).type).toBe(
      'integrity_error',
    );
  });

  it('a corrupt manifest is not cached: a later good answer is used', async () => {
    let corrupt = true;
    msw.server.use(
      http.get(
        `${REG_ORIGIN}/v2/team/app/manifests/${image.manifest.digest}`,
        () =>
          new HttpResponse(corrupt ? Buffer.from('{"schemaVersion":2,"evil":true}') : image.manifest.bytes, {
            headers: { 'content-type': MT.ociManifest },
          }),
      ),
    );
    const app = registryApp();
    failed(await callRegistry(app, { action: 'get_manifest', repo: `reg.example.test/team/app@${image.manifest.digest}` }));
    corrupt = false;
    expect(
      ok<{ digest: string }>(
        await callRegistry(app, { action: 'get_manifest', repo: `reg.example.test/team/app@${image.manifest.digest}` }),
      ).data.digest,
    ).toBe(image.manifest.digest);
  });

  it('a tag GET without Docker-Content-Digest is hashed by the client', async () => {
    msw.server.use(
      http.get(
        `${REG_ORIGIN}/v2/team/app/manifests/1.0`,
        () => new HttpResponse(image.manifest.bytes, { headers: { 'content-type': MT.ociManifest } }),
      ),
    );
    const got = ok<{ digest: string; size: number }>(
      await callRegistry(registryApp(), { action: 'get_manifest', repo: 'reg.example.test/team/app:1.0' }),
    );
    expect(got.data.digest).toBe(image.manifest.digest);
    expect(got.data.size).toBe(image.manifest.size);
  });
});

describe('list_tags paging', () => {
  const page = (tags: string[], next?: string) =>
    HttpResponse.json({ name: 'team/app', tags }, next ? { headers: { link: `<${next}>; rel="next"` } } : undefined);

  it('follows Link until the registry has no more', async () => {
    msw.server.use(
      http.get(`${REG_ORIGIN}/v2/team/app/tags/list`, ({ request }) => {
        const last = new URL(request.url).searchParams.get('last');
        if (!last) return page(['a', 'b'], '/v2/team/app/tags/list?n=2&last=b');
        if (last === 'b') return page(['c', 'd'], '/v2/team/app/tags/list?n=2&last=d');
        return page(['e']);
      }),
    );
    const listed = ok<{ tags: string[]; count: number }>(
      await callRegistry(registryApp(), { action: 'list_tags', repo: 'reg.example.test/team/app' }),
    );
    expect(listed.data.tags).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(listed.data.count).toBe(5);
    expect(listed.truncated).toBeUndefined();
    expect(listed.next).toBeUndefined();
    expect(msw.to(REG_ORIGIN).map((s) => s.url.searchParams.get('last'))).toEqual([null, 'b', 'd']);
    expect(msw.to(REG_ORIGIN)[0]?.url.searchParams.get('n')).toBe('1000');
  });

  it('stops at max_items with truncated and next.last, asking no further page', async () => {
    msw.server.use(
      http.get(`${REG_ORIGIN}/v2/team/app/tags/list`, ({ request }) => {
        const last = new URL(request.url).searchParams.get('last');
        if (!last) return page(['t1', 't2', 't3'], '/v2/team/app/tags/list?n=3&last=t3');
        if (last === 't3') return page(['t4', 't5', 't6'], '/v2/team/app/tags/list?n=3&last=t6');
        return page(['t7']);
      }),
    );
    const listed = ok<{ tags: string[] }>(
      await callRegistry(registryApp(), { action: 'list_tags', repo: 'reg.example.test/team/app', max_items: 5 }),
    );
    expect(listed.data.tags).toEqual(['t1', 't2', 't3', 't4', 't5']);
    expect(listed.truncated).toBe(true);
    expect(listed.next).toEqual({ last: 't5' });
    expect(msw.to(REG_ORIGIN)).toHaveLength(2);
    expect(msw.to(REG_ORIGIN)[0]?.url.searchParams.get('n')).toBe('5');
  });

  it('last continues where a previous call stopped', async () => {
    msw.server.use(http.get(`${REG_ORIGIN}/v2/team/app/tags/list`, () => page(['t6', 't7'])));
    ok(await callRegistry(registryApp(), { action: 'list_tags', repo: 'reg.example.test/team/app', last: 't5', n: 50 }));
    expect(msw.to(REG_ORIGIN)[0]?.url.searchParams.get('last')).toBe('t5');
    expect(msw.to(REG_ORIGIN)[0]?.url.searchParams.get('n')).toBe('50');
  });

  it('a Link to another origin is refused and never requested', async () => {
    const evil: URL[] = [];
    msw.server.use(
      http.get(`${REG_ORIGIN}/v2/team/app/tags/list`, () => page(['a'], 'https://evil.example.test/v2/team/app/tags/list?last=a')),
      http.get('https://evil.example.test/*', ({ request }) => {
        evil.push(new URL(request.url));
        return page(['stolen']);
      }),
    );
    const error = failed(await callRegistry(registryApp(), { action: 'list_tags', repo: 'reg.example.test/team/app' }));
    expect(error.type).toBe('forbidden');
    expect(error.message).toContain('evil.example.test');
    expect(evil).toHaveLength(0);
  });

  it('tags: null is an empty list', async () => {
    msw.server.use(http.get(`${REG_ORIGIN}/v2/team/app/tags/list`, () => HttpResponse.json({ name: 'team/app', tags: null })));
    const listed = ok<{ tags: string[]; count: number }>(
      await callRegistry(registryApp(), { action: 'list_tags', repo: 'reg.example.test/team/app' }),
    );
    expect(listed.data).toMatchObject({ tags: [], count: 0 });
  });
});

describe('429', () => {
  it('Retry-After: 0 is retried, then succeeds', async () => {
    let calls = 0;
    msw.server.use(
      http.head(`${REG_ORIGIN}/v2/team/app/manifests/1.0`, () => {
        calls++;
        return calls === 1
          ? new HttpResponse(null, { status: 429, headers: { 'retry-after': '0' } })
          : new HttpResponse(null, { headers: { 'docker-content-digest': image.manifest.digest, 'content-type': MT.ociManifest } });
      }),
    );
    const resolved = ok<{ digest: string }>(
      await callRegistry(registryApp(), { action: 'resolve_digest', repo: 'reg.example.test/team/app:1.0' }),
    );
    expect(resolved.data.digest).toBe(image.manifest.digest);
    expect(calls).toBe(2);
  });

  it('a Retry-After beyond the budget is not waited for: rate_limited with a hint', async () => {
    msw.server.use(
      http.get(`${REG_ORIGIN}/v2/team/app/manifests/1.0`, () =>
        HttpResponse.json(
          { errors: [{ code: 'TOOMANYREQUESTS', message: 'You have reached your pull rate limit.' }] },
          { status: 429, headers: { 'retry-after': '3600' } },
        ),
      ),
    );
    const error = failed(await callRegistry(registryApp(), { action: 'get_manifest', repo: 'reg.example.test/team/app:1.0' }));
    expect(error.type).toBe('rate_limited');
    expect(error.message).toContain('pull rate limit');
    expect(error.hint).toContain('rate_limit');
    expect(msw.to(REG_ORIGIN)).toHaveLength(1);
  });
});

describe('errors', () => {
  it('an unknown tag on get_manifest is not_found', async () => {
    exampleWithImage();
    expect(failed(await callRegistry(registryApp(), { action: 'get_manifest', repo: 'reg.example.test/team/app:nope' })).type).toBe(
      'not_found',
    );
  });
});
