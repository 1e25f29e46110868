// RegistryAuth: challenge → token service → scoped bearer, cached per (realm, service, scopes),
// one fetch in flight per key, realms held to https (or loopback→loopback http), the OAuth2
// refresh-token flow for docker `identitytoken`s, and token-service errors that name the
// credential source but never the secret.
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { CredentialSource, type CredentialSourceOptions } from '../../../src/auth/credentials.js';
import { realmAllowed, RegistryAuth } from '../../../src/auth/registry-token.js';
import { RequestBase } from '../../../src/http/client.js';
import { RateLimitStore } from '../../../src/http/rate-limit.js';
import { silentLogger } from '../../../src/log.js';
import type { Registry } from '../../../src/registry/reference.js';
import { HUB_REALM, HUB_SERVICE, REG_REALM, REG_SERVICE, tempDir, useRegistryMsw } from '../../helpers/unit-registry/fake-registry.js';
import { rejectionOf as rejection } from '../../helpers/unit/rejection.js';

const msw = useRegistryMsw();

const REG: Registry = { origin: 'https://reg.example.test', host: 'reg.example.test', dockerHub: false };
const OTHER: Registry = { origin: 'https://other.example.test', host: 'other.example.test', dockerHub: false };
const HUB: Registry = { origin: 'https://registry-1.docker.io', host: 'registry-1.docker.io', dockerHub: true };
const CHALLENGE = `Bearer realm="${REG_REALM}",service="${REG_SERVICE}"`;
const PULL = 'repository:a/b:pull';

interface Issued {
  url: URL;
  method: string;
  authorization: string | null;
  form?: URLSearchParams;
}

/** A token service on `realm` answering `reply(n)` for its n-th request (0-based). */
function tokenService(realm: string, reply: (n: number) => Record<string, unknown> | Response = (n) => ({ token: `tok-${n}` })): Issued[] {
  const issued: Issued[] = [];
  const answer = (n: number): Response => {
    const value = reply(n);
    return value instanceof Response ? value : HttpResponse.json(value);
  };
  msw.server.use(
    http.get(realm, ({ request }) => {
      issued.push({ url: new URL(request.url), method: 'GET', authorization: request.headers.get('authorization') });
      return answer(issued.length - 1);
    }),
    http.post(realm, async ({ request }) => {
      issued.push({
        url: new URL(request.url),
        method: 'POST',
        authorization: request.headers.get('authorization'),
        form: new URLSearchParams(await request.text()),
      });
      return answer(issued.length - 1);
    }),
  );
  return issued;
}

function setup(options: { credentials?: Partial<CredentialSourceOptions>; config?: unknown } = {}) {
  const clock = { now: 1_700_000_000_000 };
  const dir = tempDir();
  if (options.config !== undefined) writeFileSync(join(dir, 'config.json'), JSON.stringify(options.config));
  const credentials = new CredentialSource({
    dockerConfigDir: dir,
    logger: silentLogger,
    runHelper: async () => undefined,
    ...options.credentials,
  });
  const tokenBase = new RequestBase({
    upstream: 'registry-auth',
    baseUrl: HUB_REALM,
    fetch: (url, init) => globalThis.fetch(url, init),
    rateLimits: new RateLimitStore(),
    logger: silentLogger,
    timeoutMs: 5000,
    sleep: async () => undefined,
  });
  const auth = new RegistryAuth({ credentials, tokenBase, logger: silentLogger, hubRealm: HUB_REALM, now: () => clock.now });
  return { auth, clock, dir };
}

describe('fetching a token', () => {
  it('an unknown registry gets no header until it has challenged', async () => {
    const { auth } = setup();
    expect(await auth.header(REG, [PULL])).toBeUndefined();
    expect(auth.tokenRequests).toBe(0);
  });

  it('after a challenge: GET realm with service, one scope param per scope, Basic credentials', async () => {
    const password = `pw-${randomUUID()}`;
    const issued = tokenService(REG_REALM);
    const { auth } = setup({ config: { auths: { 'reg.example.test': { username: 'alice', password } } } });
    expect(await auth.challenge(REG, CHALLENGE, [PULL, 'repository:c/d:pull'])).toEqual([PULL, 'repository:c/d:pull']);
    expect(await auth.header(REG, [PULL, 'repository:c/d:pull'])).toBe('Bearer tok-0');
    expect(issued).toHaveLength(1);
    const [request] = issued;
    expect(request?.url.origin + request!.url.pathname).toBe(REG_REALM);
    expect(request?.url.searchParams.get('service')).toBe(REG_SERVICE);
    expect(request?.url.searchParams.getAll('scope')).toEqual([PULL, 'repository:c/d:pull']);
    expect(request?.authorization).toBe(`Basic ${Buffer.from(`alice:${password}`).toString('base64')}`);
  });

  it('anonymous: no Authorization on the token request', async () => {
    const issued = tokenService(REG_REALM);
    const { auth } = setup();
    await auth.challenge(REG, CHALLENGE, [PULL]);
    expect(await auth.header(REG, [PULL])).toBe('Bearer tok-0');
    expect(issued[0]?.authorization).toBeNull();
  });

  it('access_token is used when token is absent', async () => {
    tokenService(REG_REALM, () => ({ access_token: 'only-access' }));
    const { auth } = setup();
    await auth.challenge(REG, CHALLENGE, [PULL]);
    expect(await auth.header(REG, [PULL])).toBe('Bearer only-access');
  });

  it('Docker Hub needs no challenge: the configured realm and registry.docker.io are used up front', async () => {
    const issued = tokenService(HUB_REALM);
    const { auth } = setup({ credentials: { hubUser: 'alice', hubToken: 'hub-secret-value' } });
    expect(await auth.header(HUB, ['repository:library/nginx:pull'])).toBe('Bearer tok-0');
    expect(issued[0]?.url.searchParams.get('service')).toBe(HUB_SERVICE);
    expect(issued[0]?.url.searchParams.getAll('scope')).toEqual(['repository:library/nginx:pull']);
    expect(issued[0]?.authorization).toBe(`Basic ${Buffer.from('alice:hub-secret-value').toString('base64')}`);
  });
});

describe('the token cache', () => {
  it('is keyed by (realm, service, scope set): same set in any order is one request', async () => {
    const issued = tokenService(REG_REALM);
    const { auth } = setup();
    await auth.challenge(REG, CHALLENGE, [PULL]);
    const first = await auth.header(REG, [PULL, 'repository:c/d:pull']);
    const again = await auth.header(REG, ['repository:c/d:pull', PULL]);
    expect(again).toBe(first);
    expect(issued).toHaveLength(1);
  });

  it('a different scope set, or another service on the same realm, is another token', async () => {
    const issued = tokenService(REG_REALM);
    const { auth } = setup();
    await auth.challenge(REG, CHALLENGE, [PULL]);
    await auth.challenge(OTHER, `Bearer realm="${REG_REALM}",service="other.example.test"`, [PULL]);
    const a = await auth.header(REG, [PULL]);
    const b = await auth.header(REG, ['repository:a/b:pull,push']);
    const c = await auth.header(OTHER, [PULL]);
    expect(new Set([a, b, c]).size).toBe(3);
    expect(issued.map((i) => [i.url.searchParams.get('service'), i.url.searchParams.get('scope')])).toEqual([
      [REG_SERVICE, PULL],
      [REG_SERVICE, 'repository:a/b:pull,push'],
      ['other.example.test', PULL],
    ]);
  });

  it('a token without expires_in (default 60 s) is reused within its minute, refetched after', async () => {
    const issued = tokenService(REG_REALM);
    const { auth, clock } = setup();
    await auth.challenge(REG, CHALLENGE, [PULL]);
    expect(await auth.header(REG, [PULL])).toBe('Bearer tok-0');
    clock.now += 30_000;
    expect(await auth.header(REG, [PULL])).toBe('Bearer tok-0');
    expect(issued).toHaveLength(1);
    clock.now += 31_000;
    expect(await auth.header(REG, [PULL])).toBe('Bearer tok-1');
    expect(issued).toHaveLength(2);
  });

  it('expires_in is honoured: reused at 4 minutes of 5, refetched after 5', async () => {
    const issued = tokenService(REG_REALM, (n) => ({ token: `tok-${n}`, expires_in: 300 }));
    const { auth, clock } = setup();
    await auth.challenge(REG, CHALLENGE, [PULL]);
    await auth.header(REG, [PULL]);
    clock.now += 240_000;
    expect(await auth.header(REG, [PULL])).toBe('Bearer tok-0');
    clock.now += 61_000;
    expect(await auth.header(REG, [PULL])).toBe('Bearer tok-1');
    expect(issued).toHaveLength(2);
  });

  it('issued_at in the past counts from then', async () => {
    const { auth, clock } = setup();
    tokenService(REG_REALM, (n) => ({ token: `tok-${n}`, expires_in: 300, issued_at: new Date(clock.now - 290_000).toISOString() }));
    await auth.challenge(REG, CHALLENGE, [PULL]);
    expect(await auth.header(REG, [PULL])).toBe('Bearer tok-0');
    expect(await auth.header(REG, [PULL])).toBe('Bearer tok-1');
  });

  it('concurrent header() calls share one token request', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const issued: URL[] = [];
    msw.server.use(
      http.get(REG_REALM, async ({ request }) => {
        issued.push(new URL(request.url));
        await gate;
        return HttpResponse.json({ token: 'shared' });
      }),
    );
    const { auth } = setup();
    await auth.challenge(REG, CHALLENGE, [PULL]);
    const calls = Array.from({ length: 8 }, () => auth.header(REG, [PULL]));
    await new Promise((resolve) => setImmediate(resolve));
    release();
    expect(await Promise.all(calls)).toEqual(Array(8).fill('Bearer shared'));
    expect(issued).toHaveLength(1);
    expect(auth.tokenRequests).toBe(1);
  });

  it('error="invalid_token" drops the cached token so the retry gets a fresh one', async () => {
    const issued = tokenService(REG_REALM);
    const { auth } = setup();
    await auth.challenge(REG, CHALLENGE, [PULL]);
    expect(await auth.header(REG, [PULL])).toBe('Bearer tok-0');
    expect(await auth.challenge(REG, `${CHALLENGE},scope="${PULL}",error="invalid_token"`, [PULL], 'Bearer tok-0')).toEqual([PULL]);
    expect(await auth.header(REG, [PULL])).toBe('Bearer tok-1');
    expect(issued).toHaveLength(2);
  });

  it('a 401 to a request that did not carry the cached token keeps it (concurrent cold calls share one token)', async () => {
    const issued = tokenService(REG_REALM);
    const { auth } = setup();
    await auth.challenge(REG, CHALLENGE, [PULL]);
    expect(await auth.header(REG, [PULL])).toBe('Bearer tok-0');
    // Sent before any token existed (no Authorization), or with an older one: answered 401 late.
    for (const sent of [undefined, 'Bearer tok-older']) {
      expect(await auth.challenge(REG, `${CHALLENGE},error="invalid_token"`, [PULL], sent)).toEqual([PULL]);
      expect(await auth.header(REG, [PULL])).toBe('Bearer tok-0');
    }
    expect(issued).toHaveLength(1);
  });

  it('refuses a token over 64 KiB, and keeps at most 512 cached tokens', async () => {
    const big = 'x'.repeat(64 * 1024 + 1);
    const issued = tokenService(REG_REALM, (n) => (n === 0 ? { token: big } : { token: `tok-${n}` }));
    const { auth } = setup();
    await auth.challenge(REG, CHALLENGE, [PULL]);
    await expect(auth.header(REG, [PULL])).rejects.toThrow(/token of 65537 characters; the limit is 65536/);
    for (let i = 0; i < 600; i++) await auth.header(REG, [`repository:r${i}:pull`]);
    expect(issued).toHaveLength(601);
    // The newest are cached; the oldest were dropped and are fetched again.
    await auth.header(REG, ['repository:r599:pull']);
    expect(issued).toHaveLength(601);
    await auth.header(REG, ['repository:r0:pull']);
    expect(issued).toHaveLength(602);
  });
});

describe('challenges', () => {
  it('insufficient_scope adds the scope the registry names', async () => {
    const { auth } = setup();
    await auth.challenge(REG, CHALLENGE, [PULL]);
    const retry = await auth.challenge(REG, `${CHALLENGE},scope="repository:a/b:pull,push",error="insufficient_scope"`, [PULL]);
    expect(retry).toEqual([PULL, 'repository:a/b:pull,push']);
  });

  it('Basic: retried once with the configured credentials, not without them', async () => {
    const password = `pw-${randomUUID()}`;
    const { auth } = setup({ config: { auths: { 'reg.example.test': { username: 'bob', password } } } });
    expect(await auth.challenge(REG, 'Basic realm="Registry"', [PULL])).toEqual([PULL]);
    expect(await auth.header(REG, [PULL])).toBe(`Basic ${Buffer.from(`bob:${password}`).toString('base64')}`);
    expect(await auth.challenge(REG, 'Basic realm="Registry"', [PULL])).toBeUndefined();

    const anonymous = setup().auth;
    expect(await anonymous.challenge(REG, 'Basic realm="Registry"', [PULL])).toBeUndefined();
  });

  it('no usable challenge means no retry', async () => {
    const { auth } = setup();
    expect(await auth.challenge(REG, null, [PULL])).toBeUndefined();
    expect(await auth.challenge(REG, 'Negotiate abc==', [PULL])).toBeUndefined();
  });

  it('markOpen: a registry that answered without auth gets no header later', async () => {
    const { auth } = setup();
    auth.markOpen(REG);
    expect(await auth.header(REG, [PULL])).toBeUndefined();
  });

  it('a realm on another origin over plain http is refused, and no token request is made', async () => {
    const issued = tokenService('http://auth.example.test/token');
    const { auth } = setup({ config: { auths: { 'reg.example.test': { username: 'u', password: `pw-${randomUUID()}` } } } });
    const error = await rejection(auth.challenge(REG, 'Bearer realm="http://auth.example.test/token",service="reg.example.test"', [PULL]));
    expect(error.type).toBe('forbidden');
    expect(error.message).toContain('http://auth.example.test');
    expect(await auth.header(REG, [PULL])).toBeUndefined();
    expect(issued).toHaveLength(0);
  });

  it('a loopback http registry may use a loopback http realm', async () => {
    const local: Registry = { origin: 'http://127.0.0.1:5000', host: '127.0.0.1:5000', dockerHub: false };
    const issued = tokenService('http://127.0.0.1:5001/token');
    const { auth } = setup();
    expect(await auth.challenge(local, 'Bearer realm="http://127.0.0.1:5001/token",service="local"', [PULL])).toEqual([PULL]);
    expect(await auth.header(local, [PULL])).toBe('Bearer tok-0');
    expect(issued).toHaveLength(1);
  });
});

describe('realmAllowed', () => {
  it.each([
    ['https realm on another origin', 'https://auth.example.test/token', 'https://reg.example.test', true],
    ['same origin', 'https://reg.example.test/token', 'https://reg.example.test', true],
    ['same origin, loopback http', 'http://127.0.0.1:5000/auth', 'http://127.0.0.1:5000', true],
    ['loopback http → loopback http', 'http://127.0.0.1:5001/token', 'http://localhost:5000', true],
    ['loopback http → IPv6 loopback http', 'http://[::1]:5001/token', 'http://127.0.0.1:5000', true],
    ['plain http elsewhere for an https registry', 'http://auth.example.test/token', 'https://reg.example.test', false],
    ['loopback http realm for an https registry', 'http://127.0.0.1:5001/token', 'https://reg.example.test', false],
    ['non-loopback http realm for a loopback registry', 'http://10.0.0.1/token', 'http://127.0.0.1:5000', false],
    ['not a URL', 'not a url', 'https://reg.example.test', false],
    ['file URL', 'file:///etc/passwd', 'https://reg.example.test', false],
  ])('%s', (_why, realm, origin, allowed) => {
    expect(realmAllowed(realm, origin)).toBe(allowed);
  });
});

describe('identity tokens (docker config identitytoken)', () => {
  it('use the OAuth2 POST refresh_token flow', async () => {
    const identity = `idtok-${randomUUID()}`;
    const issued = tokenService(REG_REALM, () => ({ access_token: 'from-refresh', expires_in: 300, scope: PULL }));
    const { auth } = setup({ config: { auths: { 'reg.example.test': { identitytoken: identity } } } });
    await auth.challenge(REG, CHALLENGE, [PULL, 'repository:c/d:pull']);
    expect(await auth.header(REG, [PULL, 'repository:c/d:pull'])).toBe('Bearer from-refresh');
    expect(issued).toHaveLength(1);
    const [request] = issued;
    expect(request?.method).toBe('POST');
    expect(request?.authorization).toBeNull();
    expect(request?.form?.get('grant_type')).toBe('refresh_token');
    expect(request?.form?.get('refresh_token')).toBe(identity);
    expect(request?.form?.get('service')).toBe(REG_SERVICE);
    expect(request?.form?.get('client_id')).toBeTruthy();
    expect(request?.form?.get('scope')).toBe(`${PULL} repository:c/d:pull`);
  });
});

describe('token service errors', () => {
  it('401 → unauthorized naming the credential source, never the secret', async () => {
    const password = `pw-${randomUUID()}`;
    tokenService(REG_REALM, () => HttpResponse.json({ details: 'incorrect username or password' }, { status: 401 }));
    const { auth, dir } = setup({ config: { auths: { 'reg.example.test': { username: 'alice', password } } } });
    await auth.challenge(REG, CHALLENGE, [PULL]);
    const error = await rejection(auth.header(REG, [PULL]));
    expect(error.type).toBe('unauthorized');
    expect(error.status).toBe(401);
    expect(error.message).toContain(join(dir, 'config.json'));
    expect(error.message).toContain('reg.example.test');
    const shown = JSON.stringify(error.toBody());
    expect(shown).not.toContain(password);
    expect(shown).not.toContain(Buffer.from(`alice:${password}`).toString('base64'));
  });

  it('401 for anonymous access says so and hints at credentials', async () => {
    tokenService(REG_REALM, () => new HttpResponse(null, { status: 401 }));
    const { auth } = setup();
    await auth.challenge(REG, CHALLENGE, [PULL]);
    const error = await rejection(auth.header(REG, [PULL]));
    expect(error.type).toBe('unauthorized');
    expect(error.message).toContain('anonymous');
    expect(error.hint).toContain('DOCKER_HUB_USER');
  });

  it('a failed fetch is not cached: the next call asks again', async () => {
    const issued = tokenService(REG_REALM, (n) => (n === 0 ? new HttpResponse(null, { status: 401 }) : { token: 'second' }));
    const { auth } = setup();
    await auth.challenge(REG, CHALLENGE, [PULL]);
    await rejection(auth.header(REG, [PULL]));
    expect(await auth.header(REG, [PULL])).toBe('Bearer second');
    expect(issued).toHaveLength(2);
  });
});
