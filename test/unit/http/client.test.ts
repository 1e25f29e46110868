import { delay, http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { RequestBase, type AuthProvider, type RequestBaseOptions } from '../../../src/http/client.js';
import { RateLimitStore } from '../../../src/http/rate-limit.js';
import { silentLogger } from '../../../src/log.js';
import { useMsw } from '../../helpers/unit/msw.js';
import { rejectionOf as toolError } from '../../helpers/unit/rejection.js';

const BASE = 'https://api.test';
const msw = useMsw();

function setup(overrides: Partial<RequestBaseOptions> = {}) {
  const sleeps: number[] = [];
  const rateLimits = new RateLimitStore();
  const base = new RequestBase({
    upstream: 'hub',
    baseUrl: `${BASE}/`,
    fetch: (url, init) => globalThis.fetch(url, init),
    rateLimits,
    logger: silentLogger,
    timeoutMs: 5000,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...overrides,
  });
  return { base, sleeps, rateLimits };
}

describe('a successful request', () => {
  it('returns the envelope: status_code, parsed data, rate_limit, shown headers', async () => {
    msw.server.use(
      http.get(`${BASE}/v2/repositories/library/alpine`, () =>
        HttpResponse.json(
          { name: 'alpine' },
          {
            headers: {
              'docker-content-digest': 'sha256:abc',
              'x-ratelimit-limit': '180',
              'x-ratelimit-remaining': '170',
              'x-internal-noise': 'n',
            },
          },
        ),
      ),
    );
    const { base } = setup();
    const result = await base.request({ path: '/v2/repositories/library/alpine' });
    expect(result.status_code).toBe(200);
    expect(result.data).toEqual({ name: 'alpine' });
    expect(result.rate_limit).toMatchObject({ limit: 180, remaining: 170 });
    expect(result.headers).toMatchObject({ 'docker-content-digest': 'sha256:abc', 'content-type': 'application/json' });
    expect(result.headers).not.toHaveProperty('x-internal-noise');
    expect(result.headers).not.toHaveProperty('x-ratelimit-limit');
    expect(result.raw.get('x-internal-noise')).toBe('n');
  });

  it('builds the query, dropping undefined and null values', async () => {
    msw.server.use(http.get(`${BASE}/v2/search`, () => HttpResponse.json({})));
    const { base } = setup();
    await base.request({ path: 'v2/search', query: { query: 'nginx', page: 2, official: true, ordering: undefined, cursor: null } });
    expect(msw.seen).toHaveLength(1);
    const url = msw.seen[0]!.url;
    expect(url.pathname).toBe('/v2/search');
    expect(Object.fromEntries(url.searchParams)).toEqual({ query: 'nginx', page: '2', official: 'true' });
  });

  it('sends JSON bodies with a JSON content type and asks for JSON', async () => {
    let received: unknown;
    let contentType: string | null = null;
    msw.server.use(
      http.post(`${BASE}/v2/things`, async ({ request }) => {
        received = await request.json();
        contentType = request.headers.get('content-type');
        return HttpResponse.json({ id: 1 }, { status: 201 });
      }),
    );
    const { base } = setup();
    const result = await base.request({ method: 'post', path: '/v2/things', json: { name: 'x' } });
    expect(result.status_code).toBe(201);
    expect(received).toEqual({ name: 'x' });
    expect(contentType).toBe('application/json');
    expect(msw.seen[0]!.headers.get('accept')).toBe('application/json');
  });

  it('parses JSON by content type, returns text otherwise, and text when asked', async () => {
    msw.server.use(
      http.get(`${BASE}/json`, () => HttpResponse.json({ a: 1 })),
      http.get(`${BASE}/text`, () => HttpResponse.text('{"a":1}')),
      http.get(`${BASE}/empty`, () => new HttpResponse(null, { status: 204 })),
    );
    const { base } = setup();
    expect((await base.request({ path: '/json' })).data).toEqual({ a: 1 });
    expect((await base.request({ path: '/text' })).data).toBe('{"a":1}');
    expect((await base.request({ path: '/json', read: 'text' })).data).toBe('{"a":1}');
    const empty = await base.request({ path: '/empty' });
    expect(empty.status_code).toBe(204);
    expect(empty.data).toBeNull();
  });

  it('returns an accepted error status as data instead of raising', async () => {
    msw.server.use(http.get(`${BASE}/missing`, () => HttpResponse.json({ detail: 'nope' }, { status: 404 })));
    const { base } = setup();
    const result = await base.request({ path: '/missing', accept: [404] });
    expect(result.status_code).toBe(404);
    expect(result.data).toEqual({ detail: 'nope' });
  });

  it('records rate-limit headers in the store under its upstream, and keeps the last figures when a response has none', async () => {
    let calls = 0;
    msw.server.use(
      http.get(`${BASE}/limited`, () =>
        ++calls === 1
          ? HttpResponse.json(
              {},
              {
                headers: {
                  'ratelimit-limit': '100;w=21600',
                  'ratelimit-remaining': '76;w=21600',
                  'docker-ratelimit-source': '198.51.100.9',
                },
              },
            )
          : HttpResponse.json({}),
      ),
    );
    const { base, rateLimits } = setup({ upstream: 'registry:example.test' });
    await base.request({ path: '/limited' });
    expect(rateLimits.get('registry:example.test')).toMatchObject({
      limit: 100,
      remaining: 76,
      window_seconds: 21600,
      source: '198.51.100.9',
    });
    const second = await base.request({ path: '/limited' });
    expect(second.rate_limit).toMatchObject({ remaining: 76 });
    expect(rateLimits.get('registry:example.test')).toMatchObject({ remaining: 76 });
  });
});

describe('retries', () => {
  it('429 with Retry-After is retried after the asked delay, then succeeds', async () => {
    let calls = 0;
    msw.server.use(
      http.get(`${BASE}/busy`, () =>
        ++calls === 1 ? new HttpResponse(null, { status: 429, headers: { 'retry-after': '2' } }) : HttpResponse.json({ ok: true }),
      ),
    );
    const { base, sleeps } = setup();
    const result = await base.request({ path: '/busy' });
    expect(result.data).toEqual({ ok: true });
    expect(msw.seen).toHaveLength(2);
    expect(sleeps).toEqual([2000]);
  });

  it('429 asking for longer than the cap is not retried and the error says until when', async () => {
    msw.server.use(
      http.get(`${BASE}/busy`, () =>
        HttpResponse.json({ detail: 'too many requests' }, { status: 429, headers: { 'retry-after': '3600' } }),
      ),
    );
    const { base, sleeps } = setup();
    const error = await toolError(base.request({ path: '/busy' }));
    expect(error.type).toBe('rate_limited');
    expect(error.status).toBe(429);
    expect(error.hint).toMatch(/until \d{4}-\d{2}-\d{2}T/);
    expect(msw.seen).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('503 on GET is retried, then succeeds', async () => {
    let calls = 0;
    msw.server.use(
      http.get(`${BASE}/flaky`, () => (++calls <= 2 ? new HttpResponse(null, { status: 503 }) : HttpResponse.json({ ok: 1 }))),
    );
    const { base, sleeps } = setup();
    expect((await base.request({ path: '/flaky' })).data).toEqual({ ok: 1 });
    expect(msw.seen).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
  });

  it('503 on POST is not retried', async () => {
    msw.server.use(http.post(`${BASE}/flaky`, () => new HttpResponse('unavailable', { status: 503 })));
    const { base, sleeps } = setup();
    const error = await toolError(base.request({ method: 'POST', path: '/flaky', json: {} }));
    expect(error.type).toBe('upstream_error');
    expect(error.status).toBe(503);
    expect(msw.seen).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('a 503 that never clears gives up after the retry limit', async () => {
    msw.server.use(http.get(`${BASE}/down`, () => new HttpResponse(null, { status: 503 })));
    const { base } = setup({ retry: { maxRetries: 2, maxDelayMs: 1000, maxTotalWaitMs: 10_000, baseDelayMs: 10 } });
    expect((await toolError(base.request({ path: '/down' }))).status).toBe(503);
    expect(msw.seen).toHaveLength(3);
  });

  it('a network error on GET is retried; on POST it is reported as network_error at once', async () => {
    let calls = 0;
    msw.server.use(
      http.get(`${BASE}/net`, () => (++calls === 1 ? HttpResponse.error() : HttpResponse.json({ ok: true }))),
      http.post(`${BASE}/net`, () => HttpResponse.error()),
    );
    const { base, sleeps } = setup();
    expect((await base.request({ path: '/net' })).data).toEqual({ ok: true });
    expect(sleeps).toHaveLength(1);
    msw.seen.length = 0;
    const error = await toolError(base.request({ method: 'POST', path: '/net', json: {} }));
    expect(error.type).toBe('network_error');
    expect(msw.seen).toHaveLength(1);
  });

  it('a connection that breaks mid-body on GET is retried', async () => {
    let calls = 0;
    msw.server.use(
      http.get(`${BASE}/broken`, () => {
        if (++calls > 1) return HttpResponse.json({ ok: true });
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('{"partial":'));
            controller.error(new Error('socket hang up'));
          },
        });
        return new HttpResponse(stream, { headers: { 'content-type': 'application/json' } });
      }),
    );
    const { base, sleeps } = setup();
    expect((await base.request({ path: '/broken' })).data).toEqual({ ok: true });
    expect(msw.seen).toHaveLength(2);
    expect(sleeps).toHaveLength(1);
  });

  it('a streamed request body is never replayed', async () => {
    msw.server.use(http.put(`${BASE}/upload`, () => new HttpResponse(null, { status: 503 })));
    const { base, sleeps } = setup();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('layer bytes'));
        controller.close();
      },
    });
    const error = await toolError(base.request({ method: 'PUT', path: '/upload', body }));
    expect(error.status).toBe(503);
    expect(msw.seen).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });
});

describe('errors', () => {
  it('404 is not_found with the upstream detail', async () => {
    msw.server.use(http.get(`${BASE}/v2/repositories/nope/nope`, () => HttpResponse.json({ detail: 'Object not found' }, { status: 404 })));
    const { base } = setup();
    const error = await toolError(base.request({ path: '/v2/repositories/nope/nope' }));
    expect(error.type).toBe('not_found');
    expect(error.status).toBe(404);
    expect(error.message).toContain('Object not found');
    expect(error.message).toContain('/v2/repositories/nope/nope');
  });

  it("reads the registry's errors[] form", async () => {
    msw.server.use(
      http.get(`${BASE}/v2/x/manifests/y`, () =>
        HttpResponse.json({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }, { status: 404 }),
      ),
    );
    const { base } = setup();
    expect((await toolError(base.request({ path: '/v2/x/manifests/y' }))).message).toContain('MANIFEST_UNKNOWN: manifest unknown');
  });

  it('a caller hint is carried on the error', async () => {
    msw.server.use(http.get(`${BASE}/forbidden`, () => HttpResponse.json({ detail: 'no' }, { status: 403 })));
    const { base } = setup();
    const error = await toolError(base.request({ path: '/forbidden', hint: 'Needs the org owner role.' }));
    expect(error.type).toBe('forbidden');
    expect(error.hint).toBe('Needs the org owner role.');
  });
});

describe('auth', () => {
  function fakeAuth(): AuthProvider & { invalidations: number } {
    let generation = 1;
    const auth = {
      invalidations: 0,
      header: async () => `Bearer token-${generation}`,
      invalidate: () => {
        auth.invalidations++;
        generation++;
        return true;
      },
    };
    return auth;
  }

  it('sends the auth header, and none when the call opts out', async () => {
    msw.server.use(http.get(`${BASE}/me`, () => HttpResponse.json({})));
    const { base } = setup({ auth: fakeAuth() });
    await base.request({ path: '/me' });
    await base.request({ path: '/me', auth: false });
    expect(msw.seen.map((r) => r.headers.get('authorization'))).toEqual(['Bearer token-1', null]);
  });

  it('401 → one re-auth, then success', async () => {
    msw.server.use(
      http.get(`${BASE}/me`, ({ request }) =>
        request.headers.get('authorization') === 'Bearer token-2'
          ? HttpResponse.json({ user: 'alice' })
          : new HttpResponse(null, { status: 401 }),
      ),
    );
    const auth = fakeAuth();
    const { base } = setup({ auth });
    expect((await base.request({ path: '/me' })).data).toEqual({ user: 'alice' });
    expect(auth.invalidations).toBe(1);
    expect(msw.seen).toHaveLength(2);
  });

  it('a second 401 is reported as unauthorized, with no further re-auth', async () => {
    msw.server.use(http.get(`${BASE}/me`, () => new HttpResponse(null, { status: 401 })));
    const auth = fakeAuth();
    const { base } = setup({ auth });
    const error = await toolError(base.request({ path: '/me' }));
    expect(error.type).toBe('unauthorized');
    expect(auth.invalidations).toBe(1);
    expect(msw.seen).toHaveLength(2);
  });

  it('a credential that cannot be refreshed is not retried on 401', async () => {
    msw.server.use(http.get(`${BASE}/me`, () => new HttpResponse(null, { status: 401 })));
    const { base } = setup({ auth: { header: async () => 'Bearer static', invalidate: () => false } });
    expect((await toolError(base.request({ path: '/me' }))).type).toBe('unauthorized');
    expect(msw.seen).toHaveLength(1);
  });
});

describe('deadlines, cancellation and size', () => {
  it("the caller's AbortSignal cancels the request", async () => {
    const controller = new AbortController();
    msw.server.use(
      http.get(`${BASE}/slow`, async () => {
        controller.abort();
        await delay('infinite');
        return HttpResponse.json({});
      }),
    );
    const { base, sleeps } = setup();
    const error = await toolError(base.request({ path: '/slow', signal: controller.signal }));
    expect(error.type).toBe('cancelled');
    expect(sleeps).toEqual([]);
  });

  it('no answer within timeoutMs is a timeout', async () => {
    msw.server.use(
      http.post(`${BASE}/slow`, async () => {
        await delay('infinite');
        return HttpResponse.json({});
      }),
    );
    const { base } = setup({ timeoutMs: 20 });
    const error = await toolError(base.request({ method: 'POST', path: '/slow', json: {} }));
    expect(error.type).toBe('timeout');
    expect(error.hint).toContain('DOCKERHUB_TIMEOUT');
  });

  it('a GET that times out ends at the deadline: no retry that would overrun DOCKERHUB_TIMEOUT', async () => {
    msw.server.use(
      http.get(`${BASE}/slow`, async () => {
        await delay('infinite');
        return HttpResponse.json({});
      }),
    );
    const { base, sleeps } = setup({ timeoutMs: 20, retry: { maxRetries: 1, maxDelayMs: 10, maxTotalWaitMs: 100, baseDelayMs: 1 } });
    expect((await toolError(base.request({ path: '/slow' }))).type).toBe('timeout');
    expect(msw.seen).toHaveLength(1);
    expect(sleeps).toHaveLength(0);
  });
});

// BUG (reported): RequestBase awaits `response.body.cancel()` / `reader.cancel()` to discard a
// body. For msw-produced responses (msw 2.15, @mswjs/interceptors 0.41: mswjs/interceptors#712,
// #799) that promise never settles, so every path that discards a body hangs: read 'none', a
// retried 5xx/429 or re-authed 401 that carries a body, and an oversized body. The 5 s timeout
// only stops a hang from holding the run for the default 20 s; nothing here asserts on time.
describe('discarding a body does not hang', { timeout: 5000 }, () => {
  it("read: 'none' returns no data", async () => {
    msw.server.use(http.get(`${BASE}/json`, () => HttpResponse.json({ a: 1 })));
    const { base } = setup();
    const result = await base.request({ path: '/json', read: 'none' });
    expect(result.status_code).toBe(200);
    expect(result.data).toBeNull();
  });

  it('a 503 with a body on GET is retried, then succeeds', async () => {
    let calls = 0;
    msw.server.use(
      http.get(`${BASE}/flaky`, () =>
        ++calls === 1 ? HttpResponse.json({ detail: 'Service Unavailable' }, { status: 503 }) : HttpResponse.json({ ok: 1 }),
      ),
    );
    const { base, sleeps } = setup();
    expect((await base.request({ path: '/flaky' })).data).toEqual({ ok: 1 });
    expect(msw.seen).toHaveLength(2);
    expect(sleeps).toHaveLength(1);
  });

  it('a 401 with a body triggers one re-auth, then succeeds', async () => {
    let generation = 1;
    const auth = { header: async () => `Bearer token-${generation}`, invalidate: () => (generation++, true) };
    msw.server.use(
      http.get(`${BASE}/me`, ({ request }) =>
        request.headers.get('authorization') === 'Bearer token-2'
          ? HttpResponse.json({ user: 'alice' })
          : HttpResponse.json({ detail: 'token expired' }, { status: 401 }),
      ),
    );
    const { base } = setup({ auth });
    expect((await base.request({ path: '/me' })).data).toEqual({ user: 'alice' });
    expect(msw.seen).toHaveLength(2);
  });

  it('refuses a body larger than maxBodyBytes, declared or streamed', async () => {
    const big = 'x'.repeat(4096);
    msw.server.use(
      http.get(
        `${BASE}/declared`,
        () => new HttpResponse(big, { headers: { 'content-type': 'text/plain', 'content-length': String(big.length) } }),
      ),
      http.get(`${BASE}/streamed`, () => {
        const chunk = new TextEncoder().encode('y'.repeat(1024));
        let sent = 0;
        const stream = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent++ < 4) controller.enqueue(chunk);
            else controller.close();
          },
        });
        return new HttpResponse(stream, { headers: { 'content-type': 'text/plain' } });
      }),
      http.get(`${BASE}/small`, () => HttpResponse.text('small')),
    );
    const { base } = setup({ maxBodyBytes: 1024 });
    for (const path of ['/declared', '/streamed']) {
      const error = await toolError(base.request({ path }));
      expect(error.type).toBe('upstream_error');
      expect(error.message).toContain('1024-byte limit');
    }
    expect((await base.request({ path: '/small' })).data).toBe('small');
  });
});
