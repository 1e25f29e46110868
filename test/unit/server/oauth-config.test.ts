// The OAuth settings at start-up: the issuer kept verbatim (it must equal `iss`), https or
// loopback http only, no credentials; a public URL required off loopback; one scope per name.
import { describe, expect, it } from 'vitest';
import { ConfigError, configuredSecrets, loadConfig, type Config } from '../../../src/config.js';

function load(env: Record<string, string>): Config {
  const outcome = loadConfig({ argv: [], env });
  if (outcome.kind !== 'config') throw new Error('expected a config');
  return outcome.config;
}

function refusal(env: Record<string, string>): string {
  try {
    load(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('OAuth configuration', () => {
  it('defaults: no issuer, the dockerhub:* scope names', () => {
    const config = load({});
    expect(config.oauthIssuer).toBeUndefined();
    expect([config.oauthScopesRead, config.oauthScopesWrite, config.oauthScopesDestructive]).toEqual([
      'dockerhub:read',
      'dockerhub:write',
      'dockerhub:destructive',
    ]);
  });

  it('keeps the issuer verbatim, trailing slash included (Auth0 issuers end with one)', () => {
    expect(load({ MCP_OAUTH_ISSUER: 'https://tenant.auth0.example/' }).oauthIssuer).toBe('https://tenant.auth0.example/');
    expect(load({ MCP_OAUTH_ISSUER: 'http://127.0.0.1:9000' }).oauthIssuer).toBe('http://127.0.0.1:9000');
  });

  it.each([
    ['http://idp.example', 'https://'],
    ['not a url', 'not a URL'],
    ['https://user:pw@idp.example', 'no credentials'],
    ['https://idp.example/?tenant=1', 'no credentials, query or fragment'],
  ])('refuses the issuer %s, naming MCP_OAUTH_ISSUER', (issuer, why) => {
    const message = refusal({ MCP_OAUTH_ISSUER: issuer });
    expect(message).toMatch(/^MCP_OAUTH_ISSUER: /);
    expect(message).toContain(why);
    expect(message).not.toContain('pw@');
  });

  it('needs MCP_PUBLIC_URL with an issuer when HOST is not loopback', () => {
    const message = refusal({ TRANSPORT: 'http', HOST: '0.0.0.0', MCP_OAUTH_ISSUER: 'https://idp.example' });
    expect(message).toMatch(/^MCP_PUBLIC_URL: required/);
    const config = load({
      TRANSPORT: 'http',
      HOST: '0.0.0.0',
      MCP_OAUTH_ISSUER: 'https://idp.example',
      MCP_PUBLIC_URL: 'https://mcp.example/mcp/',
    });
    expect(config.publicUrl).toBe('https://mcp.example/mcp');
  });

  it('refuses a scope name that is several scopes or quotes', () => {
    expect(refusal({ MCP_OAUTH_SCOPES_WRITE: 'a b' })).toMatch(/^MCP_OAUTH_SCOPES_WRITE: /);
    expect(refusal({ MCP_OAUTH_SCOPES_READ: 'a"b' })).toMatch(/^MCP_OAUTH_SCOPES_READ: /);
  });

  it('takes introspection credentials in pairs, with an issuer, and registers the secret with the redactor', () => {
    expect(refusal({ MCP_OAUTH_ISSUER: 'https://idp.example', MCP_OAUTH_CLIENT_ID: 'mcp' })).toContain('set both');
    expect(refusal({ MCP_OAUTH_CLIENT_ID: 'mcp', MCP_OAUTH_CLIENT_SECRET: 'x' })).toMatch(/^MCP_OAUTH_CLIENT_ID: needs MCP_OAUTH_ISSUER/);
    const config = load({ MCP_OAUTH_ISSUER: 'https://idp.example', MCP_OAUTH_CLIENT_ID: 'mcp', MCP_OAUTH_CLIENT_SECRET: 'introspect-me' });
    expect(configuredSecrets(config)).toContain('introspect-me');
  });
});
