// Opaque tokens judged from the issuer's RFC 7662 answer by the same rules as a JWT, the answer
// remembered for a minute at most (never past the token's exp), and an issuer that cannot answer
// reported as unavailable rather than as a bad token. Time is injected.
import { describe, expect, it } from 'vitest';
import { createIntrospector, INTROSPECTION_CACHE_MS, type IntrospectorOptions } from '../../../src/server/oauth/introspect.js';

const AUDIENCE = 'https://mcp.example/mcp';

function introspector(answer: () => unknown, extra: Partial<IntrospectorOptions> = {}) {
  const posts: { url: string; token: string | null; authorization: string }[] = [];
  let now = 1_800_000_000_000;
  const introspect = createIntrospector({
    issuer: 'https://idp.example',
    audience: AUDIENCE,
    clientId: 'mcp server',
    clientSecret: 's3cret',
    endpoint: async () => 'https://idp.example/introspect',
    post: async (url, body, authorization) => {
      posts.push({ url, token: body.get('token'), authorization });
      return answer();
    },
    now: () => now,
    ...extra,
  });
  return { introspect, posts, advance: (ms: number) => (now += ms), nowSeconds: () => Math.floor(now / 1000) };
}

describe('createIntrospector', () => {
  it('accepts an active token for this audience, reading scopes, client and subject; authenticates with client_secret_basic', async () => {
    const { introspect, posts } = introspector(() => ({ active: true, aud: AUDIENCE, scope: 'a b', client_id: 'bot', sub: 'u1' }));
    expect(await introspect('opaque-1')).toMatchObject({
      ok: true,
      auth: { clientId: 'bot', scopes: ['a', 'b'], extra: { subject: 'u1' } },
    });
    expect(posts).toEqual([
      {
        url: 'https://idp.example/introspect',
        token: 'opaque-1',
        authorization: `Basic ${Buffer.from('mcp+server:s3cret').toString('base64')}`,
      },
    ]);
  });

  it.each([
    [{ active: false }, 'introspection: not active'],
    [{ active: true, aud: 'https://other.example/mcp' }, 'wrong audience'],
    [{ active: true }, 'wrong audience'],
    [{ active: true, aud: [AUDIENCE], iss: 'https://evil.example' }, 'wrong issuer'],
    [{ active: true, aud: AUDIENCE, token_type: 'refresh_token' }, 'introspection: a refresh token'],
  ])('refuses %j: %s', async (answer, reason) => {
    const { introspect } = introspector(() => answer);
    expect(await introspect('opaque')).toEqual({ ok: false, reason });
  });

  it('refuses an expired answer beyond the 30 s leeway', async () => {
    const state = introspector(() => ({ active: true, aud: AUDIENCE, exp: state.nowSeconds() - 60 }));
    expect(await state.introspect('opaque')).toEqual({ ok: false, reason: 'expired' });
  });

  it(`asks once per token for ${INTROSPECTION_CACHE_MS} ms, and not past the token's exp`, async () => {
    const state = introspector(() => ({ active: true, aud: AUDIENCE, exp: state.nowSeconds() + 3600 }));
    await state.introspect('t1');
    await state.introspect('t1');
    expect(state.posts).toHaveLength(1);
    state.advance(INTROSPECTION_CACHE_MS);
    await state.introspect('t1');
    expect(state.posts).toHaveLength(2);

    const short = introspector(() => ({ active: true, aud: AUDIENCE, exp: short.nowSeconds() + 5 }));
    await short.introspect('t2');
    short.advance(6_000);
    await short.introspect('t2');
    expect(short.posts).toHaveLength(2);
  });

  it('does not remember a refusal, and reports an issuer that cannot answer as unavailable', async () => {
    let active = false;
    const state = introspector(() => ({ active, aud: AUDIENCE }));
    expect((await state.introspect('t')).ok).toBe(false);
    active = true;
    expect((await state.introspect('t')).ok).toBe(true);

    const down = introspector(() => {
      throw new Error('HTTP 401');
    });
    expect(await down.introspect('t')).toEqual({ ok: false, reason: 'issuer introspection unavailable: HTTP 401', unavailable: true });
    const none = introspector(() => ({}), { endpoint: async () => undefined });
    expect(await none.introspect('t')).toMatchObject({ ok: false, reason: expect.stringContaining('no introspection_endpoint') });
  });
});
