// Redirects under the egress policy (msw upstreams): GETs followed hop by hop with credentials
// kept to their origin; never https → http; never more than 5 hops; a request with a body (a
// token mint, a GraphQL query, a refresh-token POST) is never re-sent after a redirect.
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { RequestBase } from '../../../src/http/client.js';
import { EgressPolicy } from '../../../src/http/egress.js';
import { RateLimitStore } from '../../../src/http/rate-limit.js';
import { silentLogger } from '../../../src/log.js';
import { useMsw } from '../../helpers/unit/msw.js';
import { rejectionOf as failure } from '../../helpers/unit/rejection.js';

const msw = useMsw();
const egress = new EgressPolicy({ transport: 'stdio', allowedRegistryHosts: [], configuredUrls: [] });

function base(baseUrl = 'https://api.test'): RequestBase {
  return new RequestBase({
    upstream: 'hub',
    baseUrl,
    fetch: (url, init) => globalThis.fetch(url, init),
    rateLimits: new RateLimitStore(),
    logger: silentLogger,
    timeoutMs: 5_000,
    egress,
    auth: { header: async () => 'Bearer secret-jwt-canary' },
    retry: { maxRetries: 0, maxDelayMs: 0, maxTotalWaitMs: 0, baseDelayMs: 0 },
  });
}

const seenOn = (origin: string) => msw.seen.filter((s) => s.url.origin === origin);

describe('GET redirects', () => {
  it('follows a same-origin redirect with the credential', async () => {
    msw.server.use(
      http.get('https://api.test/v2/old', () => new HttpResponse(null, { status: 301, headers: { location: '/v2/new' } })),
      http.get('https://api.test/v2/new', ({ request }) => HttpResponse.json({ auth: request.headers.get('authorization') })),
    );
    const result = await base().request<{ auth: string }>({ path: '/v2/old' });
    expect(result.data.auth).toBe('Bearer secret-jwt-canary');
  });

  it('drops Authorization and cookies on an origin change', async () => {
    msw.server.use(
      http.get(
        'https://api.test/v2/blob',
        () => new HttpResponse(null, { status: 307, headers: { location: 'https://cdn.test/b?sig=1' } }),
      ),
      http.get('https://cdn.test/b', ({ request }) =>
        HttpResponse.json({ auth: request.headers.get('authorization'), cookie: request.headers.get('cookie') }),
      ),
    );
    const result = await base().request<{ auth: unknown; cookie: unknown }>({ path: '/v2/blob', headers: { cookie: 'session=abc' } });
    expect(result.data).toEqual({ auth: null, cookie: null });
  });

  it('refuses https → http with no request to the http target', async () => {
    msw.server.use(
      http.get('https://api.test/v2/x', () => new HttpResponse(null, { status: 302, headers: { location: 'http://api.test/v2/x' } })),
      http.get('http://api.test/v2/x', () => HttpResponse.json({ leaked: true })),
    );
    const error = await failure(base().request({ path: '/v2/x' }));
    expect(error.type).toBe('egress_denied');
    expect(error.message).toMatch(/https to plain http/);
    expect(seenOn('http://api.test')).toHaveLength(0);
  });

  it('refuses a redirect to the cloud metadata address with no request to it', async () => {
    msw.server.use(
      http.get(
        'https://api.test/v2/x',
        () => new HttpResponse(null, { status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data/iam/' } }),
      ),
    );
    const httpBase = base('http://api.test');
    msw.server.use(
      http.get(
        'http://api.test/v2/x',
        () => new HttpResponse(null, { status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data/iam/' } }),
      ),
    );
    for (const b of [base(), httpBase]) {
      const error = await failure(b.request({ path: '/v2/x' }));
      expect(error.type).toMatch(/egress_denied/);
    }
    expect(seenOn('http://169.254.169.254')).toHaveLength(0);
  });

  it('gives up after 5 hops', async () => {
    let hops = 0;
    msw.server.use(
      http.get('https://api.test/loop/:n', ({ params }) => {
        hops++;
        return new HttpResponse(null, { status: 302, headers: { location: `/loop/${Number(params.n) + 1}` } });
      }),
    );
    const error = await failure(base().request({ path: '/loop/0' }));
    expect(error.message).toMatch(/more than 5 redirects/);
    expect(hops).toBe(6);
  });
});

describe('requests with a body', () => {
  it.each([301, 302, 303, 307, 308])('a %i to another origin is an error naming the upstream; the body is not re-sent', async (status) => {
    msw.server.use(
      http.post(
        'https://api.test/v2/auth/token',
        () => new HttpResponse(null, { status, headers: { location: 'https://evil.test/collect' } }),
      ),
      http.post('https://evil.test/collect', () => HttpResponse.json({ stolen: true })),
      http.get('https://evil.test/collect', () => HttpResponse.json({ stolen: true })),
    );
    const error = await failure(
      base().request({ method: 'POST', path: '/v2/auth/token', json: { identifier: 'octo', secret: 'dckr_pat_canary' }, auth: false }),
    );
    expect(error.type).toBe('upstream_error');
    expect(error.message).toMatch(/^hub answered POST \/v2\/auth\/token with a redirect/);
    expect(error.message).toContain('https://evil.test');
    expect(error.message).not.toContain('collect');
    expect(seenOn('https://evil.test')).toHaveLength(0);
  });

  it('a same-origin 307 of a POST is not followed either', async () => {
    let posts = 0;
    msw.server.use(
      http.post('https://api.test/v1/graphql', () => {
        posts++;
        return new HttpResponse(null, { status: 307, headers: { location: '/v1/graphql2' } });
      }),
      http.post('https://api.test/v1/graphql2', () => HttpResponse.json({ data: {} })),
    );
    await failure(base().request({ method: 'POST', path: '/v1/graphql', json: { query: '{a}' } }));
    expect(posts).toBe(1);
    expect(msw.seen.filter((s) => s.url.pathname === '/v1/graphql2')).toHaveLength(0);
  });
});
