// The issuer's keys: discovery in the RFC 8414 / OpenID order, the metadata's issuer checked, the
// JWKS bounded and filtered, one fetch for many waiting requests, a refetch on an unknown `kid` at
// most once per cooldown, and stale keys kept when a refresh fails. Time is injected, not waited for.
import { http, HttpResponse } from 'msw';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  FAILURE_BACKOFF_MS,
  IssuerKeys,
  IssuerUnavailable,
  JWKS_MAX_BYTES,
  KEYS_MAX_AGE_MS,
  MAX_KEYS,
  metadataUrls,
  UNKNOWN_KID_COOLDOWN_MS,
  usableKeys,
} from '../../../src/server/oauth/issuer-keys.js';
import { silentLogger } from '../../../src/log.js';
import { useMsw } from '../../helpers/unit/msw.js';

const ISSUER = 'https://idp.example';
const msw = useMsw();
const fetchViaMsw = (url: string, init: RequestInit): Promise<Response> => globalThis.fetch(url, init);

interface Signer {
  jwk: JWK;
  sign: () => Promise<string>;
}

async function signer(kid: string): Promise<Signer> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return {
    jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' },
    sign: () => new SignJWT({ sub: 'x' }).setProtectedHeader({ alg: 'ES256', kid }).setExpirationTime('5m').sign(privateKey),
  };
}

/** Header and payload of a token as jose's key resolver receives them. */
function parts(token: string): [{ alg: string; kid: string }, { payload: string; signature: string; protected: string }] {
  const [protectedHeader = '', payload = '', signature = ''] = token.split('.');
  return [
    JSON.parse(Buffer.from(protectedHeader, 'base64url').toString()) as { alg: string; kid: string },
    { protected: protectedHeader, payload, signature },
  ];
}

/** Serves the issuer's RFC 8414 metadata and a JWKS whose keys the test can change. */
function serveIssuer(keys: () => JWK[], metadata: Record<string, unknown> = {}): { jwksFetches: () => number } {
  let jwksFetches = 0;
  msw.server.use(
    http.get(`${ISSUER}/.well-known/oauth-authorization-server`, () =>
      HttpResponse.json({ issuer: ISSUER, jwks_uri: `${ISSUER}/jwks`, ...metadata }),
    ),
    http.get(`${ISSUER}/jwks`, () => {
      jwksFetches += 1;
      return HttpResponse.json({ keys: keys() });
    }),
  );
  return { jwksFetches: () => jwksFetches };
}

describe('metadataUrls', () => {
  it('tries RFC 8414 (path inserted), then OpenID (path appended), then OpenID with the path inserted', () => {
    expect(metadataUrls('https://sso.example/realms/ops')).toEqual([
      'https://sso.example/.well-known/oauth-authorization-server/realms/ops',
      'https://sso.example/realms/ops/.well-known/openid-configuration',
      'https://sso.example/.well-known/openid-configuration/realms/ops',
    ]);
    expect(metadataUrls('https://tenant.auth0.example/')).toEqual([
      'https://tenant.auth0.example/.well-known/oauth-authorization-server',
      'https://tenant.auth0.example/.well-known/openid-configuration',
    ]);
  });
});

describe('usableKeys', () => {
  it('keeps public signing keys only, without private parts, and at most MAX_KEYS', () => {
    const keys = usableKeys({
      keys: [
        { kty: 'RSA', kid: 'a', n: 'n', e: 'AQAB', d: 'private', p: 'p', q: 'q' },
        { kty: 'oct', kid: 'hmac', k: 'c2VjcmV0' },
        { kty: 'EC', kid: 'enc', use: 'enc', crv: 'P-256', x: 'x', y: 'y' },
        { kty: 'OKP', kid: 'ed', crv: 'Ed25519', x: 'x', use: 'sig' },
        null,
        'junk',
      ],
    });
    expect(keys).toEqual([
      { kty: 'RSA', kid: 'a', n: 'n', e: 'AQAB' },
      { kty: 'OKP', kid: 'ed', crv: 'Ed25519', x: 'x', use: 'sig' },
    ]);
    const many = Array.from({ length: MAX_KEYS + 20 }, (_, i) => ({ kty: 'EC', kid: `k${i}`, crv: 'P-256', x: 'x', y: 'y' }));
    expect(usableKeys({ keys: many })).toHaveLength(MAX_KEYS);
    expect(() => usableKeys({ nope: [] })).toThrow(IssuerUnavailable);
  });
});

describe('IssuerKeys', () => {
  let first: Signer;
  let second: Signer;
  beforeAll(async () => {
    first = await signer('first');
    second = await signer('second');
  });

  it('finds the JWKS through the metadata and resolves a token key; many waiting requests share one fetch', async () => {
    const issuer = serveIssuer(() => [first.jwk]);
    const keys = new IssuerKeys({ issuer: ISSUER, fetch: fetchViaMsw, logger: silentLogger });
    const token = await first.sign();
    await Promise.all(Array.from({ length: 5 }, () => keys.getKey(...parts(token))));
    expect(issuer.jwksFetches()).toBe(1);
  });

  it('falls back to OpenID discovery when the RFC 8414 document is missing', async () => {
    msw.server.use(
      http.get(`${ISSUER}/.well-known/oauth-authorization-server`, () => new HttpResponse(null, { status: 404 })),
      http.get(`${ISSUER}/.well-known/openid-configuration`, () => HttpResponse.json({ issuer: ISSUER, jwks_uri: `${ISSUER}/certs` })),
      http.get(`${ISSUER}/certs`, () => HttpResponse.json({ keys: [first.jwk] })),
    );
    const keys = new IssuerKeys({ issuer: ISSUER, fetch: fetchViaMsw, logger: silentLogger });
    await expect(keys.getKey(...parts(await first.sign()))).resolves.toBeDefined();
  });

  it('refuses metadata that names another issuer (RFC 8414 §3.3), and a jwks_uri over plain http', async () => {
    serveIssuer(() => [first.jwk], { issuer: 'https://evil.example' });
    const keys = new IssuerKeys({ issuer: ISSUER, fetch: fetchViaMsw, logger: silentLogger });
    await expect(keys.getKey(...parts(await first.sign()))).rejects.toThrow(/names the issuer https:\/\/evil\.example/);

    msw.server.resetHandlers();
    serveIssuer(() => [first.jwk], { jwks_uri: 'http://idp.example/jwks' });
    const plain = new IssuerKeys({ issuer: ISSUER, fetch: fetchViaMsw, logger: silentLogger });
    await expect(plain.getKey(...parts(await first.sign()))).rejects.toThrow(/not https/);
  });

  it(`refuses a JWKS over ${JWKS_MAX_BYTES} bytes`, async () => {
    msw.server.use(
      http.get(`${ISSUER}/.well-known/oauth-authorization-server`, () => HttpResponse.json({ issuer: ISSUER, jwks_uri: `${ISSUER}/jwks` })),
      http.get(`${ISSUER}/jwks`, () => HttpResponse.json({ keys: [first.jwk], padding: 'x'.repeat(JWKS_MAX_BYTES) })),
    );
    const keys = new IssuerKeys({ issuer: ISSUER, fetch: fetchViaMsw, logger: silentLogger });
    await expect(keys.getKey(...parts(await first.sign()))).rejects.toThrow(/limit/);
  });

  it('fetches again for an unknown kid (key rotation), but at most once per cooldown', async () => {
    let published = [first.jwk];
    const issuer = serveIssuer(() => published);
    let now = 1_000_000;
    const keys = new IssuerKeys({ issuer: ISSUER, fetch: fetchViaMsw, logger: silentLogger, now: () => now });
    await keys.getKey(...parts(await first.sign()));
    expect(issuer.jwksFetches()).toBe(1);

    published = [first.jwk, second.jwk];
    await expect(keys.getKey(...parts(await second.sign()))).resolves.toBeDefined();
    expect(issuer.jwksFetches()).toBe(2);

    // Garbage kids cannot make the server hammer its issuer.
    const stranger = await signer('stranger');
    await expect(keys.getKey(...parts(await stranger.sign()))).rejects.toThrow();
    await expect(keys.getKey(...parts(await stranger.sign()))).rejects.toThrow();
    expect(issuer.jwksFetches()).toBe(2);

    now += UNKNOWN_KID_COOLDOWN_MS;
    await expect(keys.getKey(...parts(await stranger.sign()))).rejects.toThrow();
    expect(issuer.jwksFetches()).toBe(3);
  });

  it('fetches again once the keys are stale, and keeps the old keys when that fetch fails', async () => {
    let up = true;
    let fetches = 0;
    msw.server.use(
      http.get(`${ISSUER}/.well-known/oauth-authorization-server`, () => HttpResponse.json({ issuer: ISSUER, jwks_uri: `${ISSUER}/jwks` })),
      http.get(`${ISSUER}/jwks`, () => {
        fetches += 1;
        return up ? HttpResponse.json({ keys: [first.jwk] }) : new HttpResponse(null, { status: 502 });
      }),
    );
    let now = 5_000_000;
    const keys = new IssuerKeys({ issuer: ISSUER, fetch: fetchViaMsw, logger: silentLogger, now: () => now });
    const token = await first.sign();
    await keys.getKey(...parts(token));
    await keys.getKey(...parts(token));
    expect(fetches).toBe(1);

    now += KEYS_MAX_AGE_MS;
    up = false;
    await expect(keys.getKey(...parts(token))).resolves.toBeDefined();
    expect(fetches).toBe(2);
  });

  it('reports an issuer it cannot reach as unavailable, not as a bad token', async () => {
    msw.server.use(
      http.get(`${ISSUER}/.well-known/oauth-authorization-server`, () => new HttpResponse(null, { status: 500 })),
      http.get(`${ISSUER}/.well-known/openid-configuration`, () => new HttpResponse(null, { status: 500 })),
    );
    const keys = new IssuerKeys({ issuer: ISSUER, fetch: fetchViaMsw, logger: silentLogger });
    const error = await keys.getKey(...parts(await first.sign())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IssuerUnavailable);
    expect((error as Error).message).toContain('HTTP 500');
  });

  it(`does not ask an unreachable issuer again for ${FAILURE_BACKOFF_MS} ms, whatever the request rate`, async () => {
    let asked = 0;
    msw.server.use(
      http.get(`${ISSUER}/.well-known/*`, () => {
        asked += 1;
        return new HttpResponse(null, { status: 503 });
      }),
    );
    let now = 9_000_000;
    const keys = new IssuerKeys({ issuer: ISSUER, fetch: fetchViaMsw, logger: silentLogger, now: () => now });
    const token = await first.sign();
    for (let i = 0; i < 10; i += 1) await expect(keys.getKey(...parts(token))).rejects.toBeInstanceOf(IssuerUnavailable);
    expect(asked).toBe(2); // the RFC 8414 and OpenID documents, once
    now += FAILURE_BACKOFF_MS;
    await expect(keys.getKey(...parts(token))).rejects.toBeInstanceOf(IssuerUnavailable);
    expect(asked).toBe(4);
  });
});
