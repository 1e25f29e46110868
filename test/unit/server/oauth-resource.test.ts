// The protected resource as HTTP sees it: the RFC 9728 document and where it is served, the
// RFC 6750 challenges (401 without or with a bad token, 403 without the read scope, 503 when
// the issuer cannot be asked), one answer whatever the reason, and the egress policy applied to
// issuer fetches.
import { generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../../src/config.js';
import { createLogger } from '../../../src/log.js';
import { bearerToken, createOAuthGuard, ProtectedResource } from '../../../src/server/oauth/resource.js';
import type { Verdict } from '../../../src/server/oauth/verify.js';

const SCOPES = { read: 'dockerhub:read', write: 'dockerhub:write', destructive: 'dockerhub:destructive' };

function resource(verdict: Verdict, lines: string[] = []): ProtectedResource {
  return new ProtectedResource({
    issuer: 'https://idp.example',
    resource: 'https://mcp.example/team/mcp',
    audience: 'https://mcp.example/team/mcp',
    scopes: SCOPES,
    verify: async () => verdict,
    logger: createLogger('debug', (line) => lines.push(line)),
  });
}

const ok = (scopes: string[]): Verdict => ({ ok: true, auth: { token: 't', clientId: 'c', scopes } });

describe('ProtectedResource', () => {
  it('publishes the RFC 9728 document at the root and path-suffixed well-known paths', () => {
    const guard = resource(ok([]));
    expect(guard.metadataUrl).toBe('https://mcp.example/.well-known/oauth-protected-resource/team/mcp');
    expect([...guard.metadataPaths]).toEqual([
      '/.well-known/oauth-protected-resource',
      '/.well-known/oauth-protected-resource/team/mcp',
      '/.well-known/oauth-protected-resource/mcp',
    ]);
    expect(guard.document()).toEqual({
      resource: 'https://mcp.example/team/mcp',
      authorization_servers: ['https://idp.example'],
      scopes_supported: ['dockerhub:read', 'dockerhub:write', 'dockerhub:destructive'],
      bearer_methods_supported: ['header'],
      resource_name: 'dockerhub-mcp',
    });
  });

  it('answers a request without a token 401 with resource_metadata only', async () => {
    const outcome = await resource(ok([SCOPES.read])).authenticate(undefined);
    expect(outcome).toMatchObject({
      ok: false,
      status: 401,
      challenge: 'Bearer resource_metadata="https://mcp.example/.well-known/oauth-protected-resource/team/mcp"',
    });
  });

  it('answers a refused token 401 invalid_token, logging the reason but never sending it', async () => {
    const lines: string[] = [];
    const outcome = await resource({ ok: false, reason: 'wrong audience' }, lines).authenticate('Bearer abc.def.ghi');
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.status).toBe(401);
    expect(outcome.challenge).toBe(
      'Bearer error="invalid_token", error_description="The access token was not accepted", resource_metadata="https://mcp.example/.well-known/oauth-protected-resource/team/mcp"',
    );
    expect(`${outcome.challenge} ${outcome.message}`).not.toContain('audience');
    expect(lines.join('\n')).toContain('"reason":"wrong audience"');
    expect(lines.join('\n')).not.toContain('abc.def.ghi');
  });

  it('answers a valid token without the read scope 403 insufficient_scope naming it', async () => {
    const outcome = await resource(ok(['other'])).authenticate('Bearer abc.def.ghi');
    expect(outcome).toMatchObject({ ok: false, status: 403 });
    expect(outcome.ok ? '' : outcome.challenge).toContain('error="insufficient_scope", scope="dockerhub:read"');
    expect(await resource(ok([SCOPES.read])).authenticate('bearer abc.def.ghi')).toMatchObject({ ok: true });
  });

  it('answers 503 when the issuer cannot be asked: the token may be fine', async () => {
    const outcome = await resource({ ok: false, reason: 'issuer keys unavailable: HTTP 500', unavailable: true }).authenticate(
      'Bearer a.b.c',
    );
    expect(outcome).toMatchObject({ ok: false, status: 503 });
  });

  it('reads only a single bearer token from Authorization', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer  abc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});

describe('createOAuthGuard', () => {
  function config(env: Record<string, string>): Config {
    const outcome = loadConfig({ argv: [], env: { TRANSPORT: 'http', ...env } });
    if (outcome.kind !== 'config') throw new Error('expected a config');
    return outcome.config;
  }

  it('sends issuer fetches through the egress policy: a metadata address is refused before any request', async () => {
    const requested: string[] = [];
    const lines: string[] = [];
    const guard = createOAuthGuard(
      config({ MCP_OAUTH_ISSUER: 'https://169.254.169.254/' }),
      createLogger('warn', (line) => lines.push(line)),
      'http://127.0.0.1:8000/mcp',
      async (url) => {
        requested.push(url);
        return new Response('{}');
      },
    );
    const { privateKey } = await generateKeyPair('ES256');
    const token = await new SignJWT({ exp: 2_000_000_000 }).setProtectedHeader({ alg: 'ES256', kid: 'k' }).sign(privateKey);
    const outcome = await guard.resource.authenticate(`Bearer ${token}`);
    expect(outcome).toMatchObject({ ok: false, status: 503 });
    expect(requested).toEqual([]);
    expect(lines.join('\n')).toContain('egress');
    lines.length = 0;
    await guard.prefetch();
    expect(lines.join('\n')).toContain('OAuth issuer keys could not be loaded');
    expect(requested).toEqual([]);
    await guard.close();
  });

  it('binds tokens to the public URL unless MCP_OAUTH_AUDIENCE says otherwise', () => {
    const guard = createOAuthGuard(config({ MCP_OAUTH_ISSUER: 'https://idp.example' }), createLogger('silent'), 'https://mcp.example/mcp');
    expect(guard.resource.document()).toMatchObject({
      resource: 'https://mcp.example/mcp',
      authorization_servers: ['https://idp.example'],
    });
  });
});
