// Opaque access tokens (RFC 7662): with MCP_OAUTH_CLIENT_ID / _SECRET the built server asks
// oidc-provider's introspection endpoint about a token that is not a JWT, holds the answer to the
// same rules (active, audience bound to this server), and asks once for a burst of calls.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTROSPECTION_CLIENT, startOidcProvider, type OidcProvider } from '../helpers/oidc/provider.js';
import { startHttpServer, type RunningServer } from '../helpers/spawn-server.js';
import { INIT, MCP_HEADERS } from '../helpers/raw-mcp.js';

describe('HTTP e2e: opaque tokens through introspection', () => {
  let idp: OidcProvider;
  let server: RunningServer;
  beforeAll(async () => {
    idp = await startOidcProvider();
    server = await startHttpServer({
      MCP_OAUTH_ISSUER: idp.issuer,
      MCP_OAUTH_CLIENT_ID: INTROSPECTION_CLIENT.id,
      MCP_OAUTH_CLIENT_SECRET: INTROSPECTION_CLIENT.secret,
      MCP_STATELESS: 'true',
    });
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
    await idp?.close();
  });

  const post = (token: string, body = INIT): Promise<Response> =>
    fetch(server.url, {
      method: 'POST',
      headers: { ...MCP_HEADERS, authorization: `Bearer ${token}` },
      body,
    });

  it('accepts an opaque token for this server, shows its caller, and introspects it once for several calls', async () => {
    const token = await idp.clientCredentialsToken('opaque-bot', server.url);
    expect(token.split('.')).toHaveLength(1);
    const before = idp.introspections();
    expect((await post(token)).status).toBe(200);
    const whoami = JSON.stringify({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: 'hub_admin', arguments: { action: 'whoami' } },
    });
    const answer = await post(token, whoami);
    expect(answer.status).toBe(200);
    const text = await answer.text();
    expect(text).toContain('"client_id":"opaque-bot"');
    expect(text).not.toContain(token);
    expect(idp.introspections() - before).toBe(1);
  });

  it('refuses an opaque token for another resource, and one the issuer never issued: 401 each, reason logged', async () => {
    const other = await idp.clientCredentialsToken('opaque-bot', 'https://other.example/mcp');
    expect((await post(other)).status).toBe(401);
    expect(server.stderr()).toContain('"reason":"wrong audience"');
    expect((await post('made-up-opaque-token-0123456789')).status).toBe(401);
    expect(server.stderr()).toContain('"reason":"introspection: not active"');
    expect(server.stderr()).not.toContain(INTROSPECTION_CLIENT.secret);
  });
});
