// The built server as an OAuth 2.1 protected resource against a real OpenID provider
// (node-oidc-provider on loopback): discovery from the 401, the SDK client's client-credentials
// flow, scopes narrowing what a caller may do, audience binding, and every kind of bad token
// refused with a 401 whose reason is in the server's log and not in the answer. A fake Hub counts
// upstream requests, so a refused call is shown to cost none.
import { request } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ClientCredentialsProvider } from '@modelcontextprotocol/sdk/client/auth-extensions.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { decodeJwt, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeHub, type FakeHub } from '../helpers/fake-hub.js';
import { MACHINE_CLIENTS, SCOPES, startOidcProvider, type OidcProvider } from '../helpers/oidc/provider.js';
import { runToExit, startHttpServer, type RunningServer } from '../helpers/spawn-server.js';
import { INIT, MCP_HEADERS } from '../helpers/raw-mcp.js';

const HUB_SECRET = 'dckr_pat_oauthE2eCanary0123';
const STATIC_TOKEN = 'oauth-e2e-static-token-4c1d';

interface ErrorBody {
  error: { type: string; message: string };
}

describe('HTTP e2e: OAuth 2.1 resource server against oidc-provider', () => {
  let idp: OidcProvider;
  let hub: FakeHub;
  let server: RunningServer;

  beforeAll(async () => {
    idp = await startOidcProvider();
    hub = await startFakeHub({ secret: HUB_SECRET });
    hub.route('PATCH', '/v2/namespaces/acme/repositories/web', { json: { name: 'web', description: 'new' } });
    hub.route('DELETE', '/v2/namespaces/acme/repositories/web', { status: 202, json: {} });
    server = await startHttpServer({
      MCP_OAUTH_ISSUER: idp.issuer,
      MCP_AUTH_TOKEN: STATIC_TOKEN,
      DOCKER_HUB_USER: 'octo',
      DOCKER_HUB_TOKEN: HUB_SECRET,
      DOCKERHUB_URL: hub.url,
      DOCKERHUB_ALLOW_DESTRUCTIVE: 'true',
    });
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
    await hub?.close();
    await idp?.close();
  });

  const post = (token?: string, body = INIT): Promise<Response> =>
    fetch(server.url, { method: 'POST', headers: { ...MCP_HEADERS, ...(token ? { authorization: `Bearer ${token}` } : {}) }, body });

  /** A client of the SDK that gets its own token with the client-credentials grant. */
  async function machineClient(clientId: keyof typeof MACHINE_CLIENTS, scope?: string): Promise<Client> {
    const [clientSecret, granted] = MACHINE_CLIENTS[clientId];
    const authProvider = new ClientCredentialsProvider({ clientId, clientSecret, scope: scope ?? granted, expectedIssuer: idp.issuer });
    const client = new Client({ name: 'oauth-e2e', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url), { authProvider }));
    return client;
  }

  const call = async (client: Client, name: string, args: Record<string, unknown>) => {
    const result = await client.callTool({ name, arguments: args });
    return { result, text: JSON.stringify(result), error: (result.structuredContent as ErrorBody | undefined)?.error };
  };

  it('answers an unauthenticated request 401 with the resource_metadata URL, and that document names the issuer', async () => {
    const res = await post();
    expect(res.status).toBe(401);
    const challenge = res.headers.get('www-authenticate') ?? '';
    const metadataUrl = /resource_metadata="([^"]+)"/.exec(challenge)?.[1];
    expect(metadataUrl).toBe(`${server.base}/.well-known/oauth-protected-resource/mcp`);
    const document = await (await fetch(metadataUrl!)).json();
    expect(document).toEqual({
      resource: server.url,
      authorization_servers: [idp.issuer],
      scopes_supported: [SCOPES.read, SCOPES.write, SCOPES.destructive],
      bearer_methods_supported: ['header'],
      resource_name: 'dockerhub-mcp',
    });
    // The root form too, for clients that try it.
    expect(await (await fetch(`${server.base}/.well-known/oauth-protected-resource`)).json()).toEqual(document);
    // Browser clients read it cross-origin, after a preflight for MCP-Protocol-Version.
    const preflight = await fetch(metadataUrl!, { method: 'OPTIONS' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('mcp-protocol-version');
  });

  it('lets an SDK client discover the issuer, get a token and call a read; whoami shows the caller, never the token', async () => {
    const before = idp.tokenRequests();
    const client = await machineClient('read-bot');
    expect(idp.tokenRequests()).toBeGreaterThan(before);
    const { result, text } = await call(client, 'hub_admin', { action: 'whoami' });
    expect(result.isError).toBeFalsy();
    const data = (result.structuredContent as { data: { oauth_caller: unknown } }).data;
    expect(data.oauth_caller).toMatchObject({ subject: 'read-bot', client_id: 'read-bot', scopes: [SCOPES.read] });
    expect(text).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/); // no JWT, the caller's or another
    await client.close();
  });

  it('refuses a write to a token without the write scope, before any upstream request', async () => {
    const client = await machineClient('read-bot');
    const seen = hub.requests.length;
    const { result, error } = await call(client, 'hub_repos', { action: 'update', namespace: 'acme', repository: 'web', description: 'x' });
    expect(result.isError).toBe(true);
    expect(error?.type).toBe('insufficient_scope');
    expect(error?.message).toContain(SCOPES.write);
    expect(hub.requests.length).toBe(seen);
    await client.close();
  });

  it('runs a write with the write scope, and refuses a destructive action without the destructive scope (gate open)', async () => {
    const writer = await machineClient('ops-bot', `${SCOPES.read} ${SCOPES.write}`);
    const update = await call(writer, 'hub_repos', { action: 'update', namespace: 'acme', repository: 'web', description: 'new' });
    expect(update.result.isError).toBeFalsy();
    expect(hub.requests.some((r) => r.method === 'PATCH' && r.path === '/v2/namespaces/acme/repositories/web')).toBe(true);
    const seen = hub.requests.length;
    const denied = await call(writer, 'hub_repos', { action: 'delete', namespace: 'acme', repository: 'web' });
    expect(denied.error?.type).toBe('insufficient_scope');
    expect(denied.error?.message).toContain(SCOPES.destructive);
    expect(hub.requests.length).toBe(seen);
    await writer.close();

    const admin = await machineClient('ops-bot');
    const deleted = await call(admin, 'hub_repos', { action: 'delete', namespace: 'acme', repository: 'web' });
    expect(deleted.result.isError).toBeFalsy();
    expect(hub.requests.some((r) => r.method === 'DELETE')).toBe(true);
    await admin.close();
  });

  it('refuses 403 insufficient_scope a valid token that lacks the read scope', async () => {
    const token = await idp.clientCredentialsToken('other-bot', server.url);
    const res = await post(token);
    expect(res.status).toBe(403);
    const challenge = res.headers.get('www-authenticate') ?? '';
    expect(challenge).toContain('error="insufficient_scope"');
    expect(challenge).toContain(`scope="${SCOPES.read}"`);
    expect(challenge).toContain('resource_metadata="');
  });

  it('keeps a session to the client and subject that opened it: another token gets 404 for its id', async () => {
    const reader = await idp.clientCredentialsToken('read-bot', server.url);
    const opened = await post(reader);
    expect(opened.status).toBe(200);
    const sessionId = opened.headers.get('mcp-session-id') ?? '';
    expect(sessionId).not.toBe('');
    const list = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} });
    const as = (token: string): Promise<Response> =>
      fetch(server.url, {
        method: 'POST',
        headers: { ...MCP_HEADERS, authorization: `Bearer ${token}`, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' },
        body: list,
      });
    expect((await as(await idp.clientCredentialsToken('ops-bot', server.url))).status).toBe(404);
    expect((await as(STATIC_TOKEN)).status).toBe(404);
    expect((await as(await idp.clientCredentialsToken('read-bot', server.url))).status).toBe(200);
  });

  it('still accepts the static MCP_AUTH_TOKEN, with the operator settings', async () => {
    expect((await post(STATIC_TOKEN)).status).toBe(200);
  });

  describe('refused tokens: 401 invalid_token each, the reason logged and not answered', () => {
    const now = (): number => Math.floor(Date.now() / 1000);
    const b64 = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    const sign = (claims: Record<string, unknown>, alg = 'RS256') =>
      new SignJWT(claims).setProtectedHeader({ alg, kid: idp.testKey.kid, typ: 'at+jwt' }).sign(idp.testKey.privateKey);
    const good = (): Record<string, unknown> => ({
      iss: idp.issuer,
      aud: server.url,
      sub: 'tester',
      client_id: 'tester',
      scope: SCOPES.read,
      iat: now(),
      exp: now() + 300,
    });

    it('accepts a token signed with the test key when its claims are right (so the refusals below are about what each changes)', async () => {
      expect((await post(await sign(good()))).status).toBe(200);
    });

    const cases: [string, string, () => Promise<string>][] = [
      ['expired', 'expired', () => sign({ ...good(), iat: now() - 600, exp: now() - 120 })],
      ['issued by another issuer', 'wrong issuer', () => sign({ ...good(), iss: 'https://evil.example' })],
      ['for another resource (audience)', 'wrong audience', () => idp.clientCredentialsToken('read-bot', 'https://other.example/mcp')],
      [
        'HS256 signed with the public key (algorithm confusion)',
        'algorithm not allowed',
        () =>
          new SignJWT(good())
            .setProtectedHeader({ alg: 'HS256', kid: idp.testKey.kid })
            .sign(new TextEncoder().encode(idp.testKey.publicPem)),
      ],
      ['alg none', 'algorithm not allowed', async () => `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(good())}.`],
      [
        'tampered (scope widened after signing)',
        'bad signature',
        async () => {
          const real = await idp.clientCredentialsToken('read-bot', server.url);
          const [header, , signature] = real.split('.');
          const claims = decodeJwt(real);
          return `${header}.${b64({ ...claims, scope: `${SCOPES.read} ${SCOPES.write} ${SCOPES.destructive}` })}.${signature}`;
        },
      ],
      ['not a JWT', 'not a JWT', async () => 'opaque-token-value-1234'],
    ];

    it.each(cases)('%s', async (_name, reason, make) => {
      const token = await make();
      const logged = server.stderr().length;
      const res = await post(token);
      const body = await res.text();
      expect(res.status).toBe(401);
      const challenge = res.headers.get('www-authenticate') ?? '';
      expect(challenge).toContain('error="invalid_token"');
      expect(challenge).toContain(`resource_metadata="${server.base}/.well-known/oauth-protected-resource/mcp"`);
      // The same answer for every reason.
      expect(JSON.parse(body)).toEqual({
        jsonrpc: '2.0',
        error: { code: -32001, message: 'Unauthorized: the access token was not accepted; get a new one from the authorization server' },
        id: null,
      });
      expect(challenge).not.toContain(reason);
      const log = server.stderr().slice(logged);
      expect(log).toContain('refused OAuth access token');
      expect(log).toContain(`"reason":"${reason}`);
      expect(log).not.toContain(token);
    });
  });

  it('sent no upstream request for any refused call or token (only the whoami mint and the allowed write and delete)', () => {
    const upstream = hub.requests.map((r) => `${r.method} ${r.path}`);
    expect(upstream.filter((line) => !line.startsWith('POST /v2/auth/token'))).toEqual([
      'PATCH /v2/namespaces/acme/repositories/web',
      'DELETE /v2/namespaces/acme/repositories/web',
    ]);
  });
});

describe('HTTP e2e: OAuth behind a proxy (MCP_PUBLIC_URL)', () => {
  const PUBLIC = 'https://mcp.example.test/team/mcp';
  let idp: OidcProvider;
  let server: RunningServer;
  beforeAll(async () => {
    idp = await startOidcProvider();
    server = await startHttpServer({ MCP_OAUTH_ISSUER: idp.issuer, MCP_PUBLIC_URL: PUBLIC });
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
    await idp?.close();
  });

  /** A request as the proxy forwards it: the public Host header (fetch cannot set Host). */
  const proxied = (path: string, token?: string): Promise<{ status: number; challenge: string; body: string }> =>
    new Promise((resolve, reject) => {
      const req = request(
        `${server.base}${path}`,
        {
          method: path === '/mcp' ? 'POST' : 'GET',
          headers: { ...MCP_HEADERS, host: 'mcp.example.test', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, challenge: String(res.headers['www-authenticate'] ?? ''), body }));
        },
      );
      req.on('error', reject);
      req.end(path === '/mcp' ? INIT : undefined);
    });

  it('names the public URL as the resource, serves the metadata at its path, and accepts the public Host', async () => {
    const refused = await proxied('/mcp');
    expect(refused.status).toBe(401);
    expect(refused.challenge).toBe('Bearer resource_metadata="https://mcp.example.test/.well-known/oauth-protected-resource/team/mcp"');
    const document = await proxied('/.well-known/oauth-protected-resource/team/mcp');
    expect(JSON.parse(document.body)).toMatchObject({ resource: PUBLIC, authorization_servers: [idp.issuer] });
  });

  it('accepts a token whose audience is the public URL, and refuses one for the local address', async () => {
    expect((await proxied('/mcp', await idp.clientCredentialsToken('read-bot', PUBLIC))).status).toBe(200);
    expect((await proxied('/mcp', await idp.clientCredentialsToken('read-bot', server.url))).status).toBe(401);
    expect(server.stderr()).toContain('"reason":"wrong audience"');
  });
});

describe('HTTP e2e: OAuth settings refused at start-up', () => {
  it.each([
    [['--host', '127.0.0.1'], { MCP_OAUTH_ISSUER: 'http://idp.example' }, 'MCP_OAUTH_ISSUER'],
    [['--host', '0.0.0.0'], { MCP_OAUTH_ISSUER: 'https://idp.example' }, 'MCP_PUBLIC_URL'],
    [['--host', '0.0.0.0'], {}, 'MCP_OAUTH_ISSUER'],
  ])('exits 2 with %j and %j, naming %s', async (args, env, variable) => {
    const result = await runToExit(['--transport', 'http', '--port', '0', ...args], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(variable);
  });
});
