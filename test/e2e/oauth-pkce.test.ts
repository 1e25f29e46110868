// The authorization-code + PKCE flow a person runs through mcp-remote or the Inspector, with the
// MCP SDK client's OAuth support end to end: discovery from the 401, an authorization request
// carrying the resource indicator and an S256 challenge, sign-in and consent at a real OpenID
// provider, the code exchanged for a JWT bound to this server, and a call made with it.
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PkceTestClient } from '../helpers/oidc/pkce-client.js';
import { PKCE_CLIENT_ID, PKCE_REDIRECT, SCOPES, startOidcProvider, type OidcProvider } from '../helpers/oidc/provider.js';
import { startHttpServer, type RunningServer } from '../helpers/spawn-server.js';

describe('HTTP e2e: authorization code + PKCE against oidc-provider', () => {
  let idp: OidcProvider;
  let server: RunningServer;
  beforeAll(async () => {
    idp = await startOidcProvider();
    server = await startHttpServer({ MCP_OAUTH_ISSUER: idp.issuer });
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
    await idp?.close();
  });

  it('signs a user in, exchanges the code for a token bound to this server, and calls whoami as that user', async () => {
    const provider = new PkceTestClient(PKCE_CLIENT_ID, PKCE_REDIRECT, 'alice');
    const first = new StreamableHTTPClientTransport(new URL(server.url), { authProvider: provider });
    await expect(new Client({ name: 'pkce', version: '1' }).connect(first)).rejects.toBeInstanceOf(UnauthorizedError);

    const request = provider.authorizationUrl!;
    expect(request.origin).toBe(idp.issuer);
    expect(request.searchParams.get('resource')).toBe(server.url);
    expect(request.searchParams.get('code_challenge_method')).toBe('S256');
    expect(provider.code).toBeTruthy();

    await first.finishAuth(provider.code!);
    const token = provider.tokens()?.access_token ?? '';
    expect(decodeJwt(token)).toMatchObject({ iss: idp.issuer, aud: server.url, sub: 'alice', client_id: PKCE_CLIENT_ID });

    const client = new Client({ name: 'pkce', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url), { authProvider: provider }));
    const result = await client.callTool({ name: 'hub_admin', arguments: { action: 'whoami' } });
    expect(result.isError).toBeFalsy();
    const caller = (result.structuredContent as { data: { oauth_caller: { subject: string; scopes: string[] } } }).data.oauth_caller;
    expect(caller.subject).toBe('alice');
    expect(caller.scopes).toEqual(expect.arrayContaining([SCOPES.read, SCOPES.write]));
    expect(JSON.stringify(result)).not.toContain(token);
    await client.close();
  });
});
