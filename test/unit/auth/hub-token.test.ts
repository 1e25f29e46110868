import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { decodeClaims, HubTokenManager, type HubCredentials } from '../../../src/auth/hub-token.js';
import { RequestBase } from '../../../src/http/client.js';
import { RateLimitStore } from '../../../src/http/rate-limit.js';
import { silentLogger } from '../../../src/log.js';
import { fakeJwt, hubJwt } from '../../helpers/unit/jwt.js';
import { useMsw } from '../../helpers/unit/msw.js';
import { rejectionOf as toolError } from '../../helpers/unit/rejection.js';

const HUB = 'https://hub.test';
const TOKEN_URL = `${HUB}/v2/auth/token`;
const msw = useMsw();

/** A clock the test moves by hand. */
function clock(start = Date.UTC(2025, 0, 15, 12, 0, 0)) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms), set: (ms: number) => (now = ms) };
}

function manager(credentials: HubCredentials, now: () => number = Date.now): HubTokenManager {
  const mintBase = new RequestBase({
    upstream: 'hub',
    baseUrl: HUB,
    fetch: (url, init) => globalThis.fetch(url, init),
    rateLimits: new RateLimitStore(),
    logger: silentLogger,
    timeoutMs: 5000,
    sleep: async () => undefined,
  });
  return new HubTokenManager(credentials, mintBase, now);
}

/** Answers mints with a fresh JWT each time (numbered), valid for an hour from `now()`. */
function mintHandler(now: () => number, bodies: unknown[] = []) {
  let minted = 0;
  return http.post(TOKEN_URL, async ({ request }) => {
    bodies.push(await request.json());
    minted++;
    return HttpResponse.json({ access_token: hubJwt({ username: `alice-${minted}`, exp: Math.floor(now() / 1000) + 3600 }) });
  });
}

describe('user + secret', () => {
  it('mints with POST /v2/auth/token {identifier, secret}, unauthenticated', async () => {
    const time = clock();
    const bodies: unknown[] = [];
    msw.server.use(mintHandler(time.now, bodies));
    const auth = manager({ user: 'alice', secret: 'dckr_pat_abc' }, time.now);
    expect(auth.mode).toBe('credentials');
    const header = await auth.header();
    expect(header).toMatch(/^Bearer eyJ/);
    expect(bodies).toEqual([{ identifier: 'alice', secret: 'dckr_pat_abc' }]);
    expect(msw.seen).toHaveLength(1);
    expect(msw.seen[0]!.method).toBe('POST');
    expect(msw.seen[0]!.headers.get('authorization')).toBeNull();
  });

  it("also accepts Hub's legacy `token` field", async () => {
    const jwt = hubJwt({ username: 'alice', exp: Math.floor(Date.now() / 1000) + 3600 });
    msw.server.use(http.post(TOKEN_URL, () => HttpResponse.json({ token: jwt })));
    expect(await manager({ user: 'alice', secret: 's' }).token()).toBe(jwt);
  });

  it('caches the token until 60 s before it expires, then mints again', async () => {
    const time = clock();
    msw.server.use(mintHandler(time.now));
    const auth = manager({ user: 'alice', secret: 's' }, time.now);
    const first = await auth.token();
    const expMs = (decodeClaims(first!).exp as number) * 1000;
    expect(auth.expiresAt).toBe(expMs);

    time.set(expMs - 61_000);
    expect(await auth.token()).toBe(first);
    expect(msw.seen).toHaveLength(1);

    time.set(expMs - 59_000);
    const second = await auth.token();
    expect(second).not.toBe(first);
    expect(msw.seen).toHaveLength(2);
    expect(auth.mints).toBe(2);
  });

  it('a mint answered 503 is tried again (a POST, but safe to repeat)', async () => {
    const time = clock();
    let calls = 0;
    msw.server.use(
      http.post(TOKEN_URL, () => {
        calls++;
        if (calls === 1) return new HttpResponse('busy', { status: 503 });
        return HttpResponse.json({ access_token: hubJwt({ username: 'alice', exp: Math.floor(time.now() / 1000) + 3600 }) });
      }),
    );
    expect(await manager({ user: 'alice', secret: 's' }, time.now).header()).toMatch(/^Bearer /);
    expect(calls).toBe(2);
  });

  it('concurrent callers share one mint', async () => {
    const time = clock();
    msw.server.use(mintHandler(time.now));
    const auth = manager({ user: 'alice', secret: 's' }, time.now);
    const tokens = await Promise.all(Array.from({ length: 5 }, () => auth.header()));
    expect(new Set(tokens).size).toBe(1);
    expect(msw.seen).toHaveLength(1);
    expect(auth.mints).toBe(1);
  });

  it('invalidate drops the cached token and the next call mints a new one', async () => {
    const time = clock();
    msw.server.use(mintHandler(time.now));
    const auth = manager({ user: 'alice', secret: 's' }, time.now);
    const first = await auth.token();
    expect(auth.invalidate()).toBe(true);
    const second = await auth.token();
    expect(second).not.toBe(first);
    expect(msw.seen).toHaveLength(2);
  });

  it('401 from the mint is unauthorized with the upstream detail and a hint, and does not leak the secret', async () => {
    msw.server.use(http.post(TOKEN_URL, () => HttpResponse.json({ detail: 'Incorrect authentication credentials' }, { status: 401 })));
    const auth = manager({ user: 'acme', secret: 'dckr_oat_wrong' });
    const error = await toolError(auth.header());
    expect(error.type).toBe('unauthorized');
    expect(error.status).toBe(401);
    expect(error.message).toContain("'acme'");
    expect(error.message).toContain('Incorrect authentication credentials');
    expect(error.hint).toContain('DOCKER_HUB_USER');
    expect(`${error.message} ${error.hint}`).not.toContain('dckr_oat_wrong');
    expect(msw.seen).toHaveLength(1);
  });

  it.each([
    ['dckr_pat_expired', 'pat', /personal access token/],
    ['dckr_oat_expired', 'oat', /organization name/],
    ['a-plain-password', 'password', /DOCKER_HUB_USER \/ DOCKER_HUB_TOKEN/],
  ])('the hint fits the kind of secret (%s)', async (secret, kind, hint) => {
    msw.server.use(http.post(TOKEN_URL, () => new HttpResponse(null, { status: 401 })));
    const auth = manager({ user: 'someone', secret });
    expect(auth.kind).toBe(kind);
    const error = await toolError(auth.token());
    expect(error.hint).toMatch(hint);
    expect(error.hint).not.toContain(secret);
  });

  it('an SSO refusal says to use a personal access token', async () => {
    msw.server.use(http.post(TOKEN_URL, () => HttpResponse.json({ detail: 'SSO is enforced for this organization' }, { status: 401 })));
    expect((await toolError(manager({ user: 'alice', secret: 'pw' }).token())).hint).toContain('dckr_pat_');
  });

  it('a rate-limited mint is reported as rate_limited', async () => {
    msw.server.use(http.post(TOKEN_URL, () => new HttpResponse(null, { status: 429, headers: { 'retry-after': '3600' } })));
    const error = await toolError(manager({ user: 'alice', secret: 'pw' }).token());
    expect(error.type).toBe('rate_limited');
    expect(error.status).toBe(429);
    expect(msw.seen).toHaveLength(1);
  });

  it('trims credentials pasted with spaces or a newline', async () => {
    const bodies: unknown[] = [];
    msw.server.use(mintHandler(Date.now, bodies));
    await manager({ user: ' alice\n', secret: '  dckr_pat_abc \n' }).token();
    expect(bodies).toEqual([{ identifier: 'alice', secret: 'dckr_pat_abc' }]);
  });

  it('a caller that gives up is cancelled without failing the shared mint for the others', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const time = clock();
    const inner = mintHandler(time.now);
    msw.server.use(
      http.post(TOKEN_URL, async () => {
        await released;
        return undefined;
      }),
      inner,
    );
    const auth = manager({ user: 'alice', secret: 's' }, time.now);
    const controller = new AbortController();
    const quitter = auth.token(controller.signal);
    const patient = auth.token();
    controller.abort();
    expect((await toolError(quitter)).type).toBe('cancelled');
    release();
    expect(await patient).toMatch(/^eyJ/);
    expect(auth.mints).toBe(1);
    expect(msw.seen).toHaveLength(1);
  });

  it('a failed mint is not cached: the next call tries again', async () => {
    let calls = 0;
    const time = clock();
    const good = mintHandler(time.now);
    msw.server.use(
      http.post(TOKEN_URL, () => (++calls === 1 ? HttpResponse.json({ detail: 'nope' }, { status: 401 }) : undefined)),
      good,
    );
    const auth = manager({ user: 'alice', secret: 's' }, time.now);
    await toolError(auth.token());
    expect(await auth.token()).toMatch(/^eyJ/);
    expect(msw.seen).toHaveLength(2);
  });

  it('an answer without a token is an upstream error', async () => {
    msw.server.use(http.post(TOKEN_URL, () => HttpResponse.json({ hello: 'world' })));
    expect((await toolError(manager({ user: 'alice', secret: 's' }).token())).type).toBe('upstream_error');
  });

  it('reports the configured user as its identity, and claims from the minted token', async () => {
    const time = clock();
    msw.server.use(mintHandler(time.now));
    const auth = manager({ user: 'alice', secret: 's' }, time.now);
    expect(auth.identity).toBe('alice');
    expect(await auth.claims()).toMatchObject({ username: 'alice-1', email: 'alice-1@example.com' });
    expect(msw.seen).toHaveLength(1);
  });
});

describe('static JWT', () => {
  const jwt = hubJwt({ username: 'bob', exp: 1_900_000_000 });

  it('is used as the bearer without any request', async () => {
    const auth = manager({ jwt, user: 'ignored', secret: 'ignored' });
    expect(auth.mode).toBe('jwt');
    expect(await auth.header()).toBe(`Bearer ${jwt}`);
    expect(await auth.header()).toBe(`Bearer ${jwt}`);
    expect(msw.seen).toHaveLength(0);
  });

  it('cannot be refreshed, so invalidate says a retry will not help', () => {
    expect(manager({ jwt }).invalidate()).toBe(false);
  });

  it('claims and identity are decoded locally', async () => {
    const auth = manager({ jwt });
    expect(auth.identity).toBe('bob');
    expect(await auth.claims()).toMatchObject({ username: 'bob', sub: 'uuid-of-bob', exp: 1_900_000_000 });
    expect(auth.expiresAt).toBe(1_900_000_000_000);
    expect(msw.seen).toHaveLength(0);
  });
});

describe('anonymous', () => {
  it('sends no header and makes no request', async () => {
    const auth = manager({});
    expect(auth.mode).toBe('anonymous');
    expect(await auth.header()).toBeUndefined();
    expect(await auth.claims()).toEqual({});
    expect(auth.identity).toBeUndefined();
    expect(auth.invalidate()).toBe(false);
    expect(msw.seen).toHaveLength(0);
  });

  it('a user without a secret is anonymous too', () => {
    expect(manager({ user: 'alice' }).mode).toBe('anonymous');
  });
});

describe('decodeClaims', () => {
  it("keeps the useful claims, flattening Hub's nested ones, and drops the rest", () => {
    const jwt = fakeJwt({
      sub: 'uuid-1',
      exp: 100,
      iat: 50,
      jti: 'internal',
      'https://hub.docker.com': { username: 'carol', email: 'carol@example.com', roles: ['internal'] },
    });
    expect(decodeClaims(jwt)).toEqual({ sub: 'uuid-1', exp: 100, iat: 50, username: 'carol', email: 'carol@example.com' });
  });

  it('is empty for something that is not a JWT', () => {
    expect(decodeClaims('not-a-jwt')).toEqual({});
    expect(decodeClaims('')).toEqual({});
  });
});
