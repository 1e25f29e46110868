// Which JWT access tokens pass: the issuer's asymmetric signature, `iss`, `aud` (RFC 8707),
// `exp`/`nbf` within 30 s of skew; and what the server reads from one (scopes, client, subject).
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLOCK_TOLERANCE_SECONDS, MAX_TOKEN_CHARS, verifyAccessToken, type VerifierOptions } from '../../../src/server/oauth/verify.js';

const ISSUER = 'https://idp.example/';
const AUDIENCE = 'https://mcp.example/mcp';
const now = (): number => Math.floor(Date.now() / 1000);
const b64 = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

let key: CryptoKey;
let options: VerifierOptions;
beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  key = pair.privateKey;
  options = {
    issuer: ISSUER,
    audience: AUDIENCE,
    getKey: createLocalJWKSet({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1' }] }),
  };
});

const claims = (extra: JWTPayload = {}): JWTPayload => ({
  iss: ISSUER,
  aud: AUDIENCE,
  sub: 'user-1',
  client_id: 'cli',
  scope: 'dockerhub:read dockerhub:write',
  exp: now() + 300,
  ...extra,
});
const sign = (payload: JWTPayload): Promise<string> => new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).sign(key);

describe('verifyAccessToken', () => {
  it('accepts a token of the issuer for this resource, reading scopes, client and subject', async () => {
    const verdict = await verifyAccessToken(await sign(claims()), options);
    expect(verdict).toMatchObject({
      ok: true,
      auth: { clientId: 'cli', scopes: ['dockerhub:read', 'dockerhub:write'], extra: { subject: 'user-1' } },
    });
  });

  it('reads Entra-style `scp` lists and `azp`, and an audience list that contains this resource', async () => {
    const verdict = await verifyAccessToken(
      await sign(claims({ scope: undefined, scp: ['Dockerhub.Read'], client_id: undefined, azp: 'app-9', aud: ['other', AUDIENCE] })),
      options,
    );
    expect(verdict).toMatchObject({ ok: true, auth: { clientId: 'app-9', scopes: ['Dockerhub.Read'] } });
  });

  it(`allows ${CLOCK_TOLERANCE_SECONDS} s of clock skew on exp and nbf, not more`, async () => {
    expect((await verifyAccessToken(await sign(claims({ exp: now() - 10 })), options)).ok).toBe(true);
    expect(await verifyAccessToken(await sign(claims({ exp: now() - 120 })), options)).toEqual({ ok: false, reason: 'expired' });
    expect((await verifyAccessToken(await sign(claims({ nbf: now() + 10 })), options)).ok).toBe(true);
    expect(await verifyAccessToken(await sign(claims({ nbf: now() + 120 })), options)).toEqual({ ok: false, reason: 'not yet valid' });
  });

  it.each([
    ['another issuer', claims({ iss: 'https://idp.example' }), 'wrong issuer'],
    ['another audience', claims({ aud: 'https://other.example/mcp' }), 'wrong audience'],
    ['no exp', claims({ exp: undefined }), 'claim exp: missing'],
  ])('refuses a token with %s', async (_name, payload, reason) => {
    const verdict = await verifyAccessToken(await sign(payload), options);
    expect(verdict.ok).toBe(false);
    expect(verdict.ok ? '' : verdict.reason).toContain(reason);
  });

  it('refuses alg none and HMAC whatever the claims', async () => {
    const none = `${b64({ alg: 'none', kid: 'k1' })}.${b64(claims())}.`;
    expect(await verifyAccessToken(none, options)).toEqual({ ok: false, reason: 'algorithm not allowed' });
    const hmac = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .sign(new TextEncoder().encode('shared-secret-0123456789abcdef01'));
    expect(await verifyAccessToken(hmac, options)).toEqual({ ok: false, reason: 'algorithm not allowed' });
  });

  it('refuses a token changed after signing, an opaque token and an oversized one without parsing it', async () => {
    const [header, , signature] = (await sign(claims())).split('.');
    const widened = `${header}.${b64(claims({ scope: 'dockerhub:read dockerhub:write dockerhub:destructive' }))}.${signature}`;
    expect(await verifyAccessToken(widened, options)).toEqual({ ok: false, reason: 'bad signature' });
    expect((await verifyAccessToken('opaque', options)).ok).toBe(false);
    expect(await verifyAccessToken(`a.${'b'.repeat(MAX_TOKEN_CHARS)}.c`, options)).toEqual({
      ok: false,
      reason: `token longer than ${MAX_TOKEN_CHARS} characters`,
    });
  });
});
