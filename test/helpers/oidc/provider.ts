// A real OpenID provider (node-oidc-provider, OpenID certified) on loopback for the OAuth e2e
// tests: client-credentials clients with different scope grants, an authorization-code + PKCE
// public client, and JWT access tokens for whatever resource indicator a client asks (RFC 8707),
// so a token for another resource carries that resource as its audience. Its JWKS also publishes
// a key the test holds (`testKey`), so a test can sign odd tokens the server must judge by their
// claims alone (expired, wrong issuer) next to ones it must refuse for their form.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import Provider from 'oidc-provider';

export const SCOPES = { read: 'dockerhub:read', write: 'dockerhub:write', destructive: 'dockerhub:destructive' } as const;

/** client id → [secret, scopes it may be granted]. */
export const MACHINE_CLIENTS = {
  'ops-bot': ['ops-bot-secret-7f3a', `${SCOPES.read} ${SCOPES.write} ${SCOPES.destructive}`],
  'read-bot': ['read-bot-secret-91c2', SCOPES.read],
  'other-bot': ['other-bot-secret-2b8e', 'other:read'],
  /** Gets opaque access tokens, which the server must introspect. */
  'opaque-bot': ['opaque-bot-secret-5d0f', SCOPES.read],
} as const;

/** The MCP server's own client, for introspection (RFC 7662). */
export const INTROSPECTION_CLIENT = { id: 'dockerhub-mcp', secret: 'introspection-secret-8e21' } as const;

export const PKCE_CLIENT_ID = 'inspector-like';
export const PKCE_REDIRECT = 'http://127.0.0.1:6274/oauth/callback';

export interface TestKey {
  privateKey: CryptoKey;
  kid: string;
  alg: 'RS256';
  /** The public key as SPKI PEM: what a key-confusion attacker would use as an HMAC secret. */
  publicPem: string;
}

export interface OidcProvider {
  issuer: string;
  tokenEndpoint: string;
  testKey: TestKey;
  /** Token endpoint requests seen. */
  tokenRequests: () => number;
  /** Introspection requests seen. */
  introspections: () => number;
  /** A client-credentials token for `resource`, asking `scope` (the client's grant limits it). */
  clientCredentialsToken(clientId: keyof typeof MACHINE_CLIENTS, resource: string, scope?: string): Promise<string>;
  close(): Promise<void>;
}

async function signingKey(alg: 'ES256' | 'RS256', kid: string): Promise<{ privateJwk: JWK; privateKey: CryptoKey; publicKey: CryptoKey }> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { privateJwk: { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' }, privateKey, publicKey };
}

export async function startOidcProvider(): Promise<OidcProvider> {
  // The issuer URL names the port, so the socket is bound before the provider exists.
  const route: { handler?: (req: IncomingMessage, res: ServerResponse) => void } = {};
  let tokenRequests = 0;
  let introspections = 0;
  const server: Server = createServer((req, res) => {
    if (req.url === '/token') tokenRequests += 1;
    if (req.url?.startsWith('/token/introspection')) introspections += 1;
    if (route.handler) route.handler(req, res);
    else res.writeHead(503).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const providerKey = await signingKey('ES256', 'provider-es256');
  const test = await signingKey('RS256', 'test-rs256');
  const { createPublicKey } = await import('node:crypto');
  const publicPem = createPublicKey({ key: (await exportJWK(test.publicKey)) as import('node:crypto').JsonWebKey, format: 'jwk' })
    .export({ type: 'spki', format: 'pem' })
    .toString();

  const provider = new Provider(issuer, {
    clients: [
      ...Object.entries(MACHINE_CLIENTS).map(([clientId, [secret, scope]]) => ({
        client_id: clientId,
        client_secret: secret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        scope,
      })),
      {
        client_id: INTROSPECTION_CLIENT.id,
        client_secret: INTROSPECTION_CLIENT.secret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      },
      {
        client_id: PKCE_CLIENT_ID,
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: [PKCE_REDIRECT],
        application_type: 'native',
        scope: `openid ${SCOPES.read} ${SCOPES.write} ${SCOPES.destructive}`,
      },
    ],
    // Any login name is an account (the dev form takes any password).
    findAccount: (_ctx: unknown, accountId: string) => ({ accountId, claims: () => ({ sub: accountId }) }),
    // The test key is published but never chosen for access tokens: those are ES256.
    jwks: { keys: [providerKey.privateJwk, test.privateJwk] },
    ttl: { ClientCredentials: 300, AccessToken: 300, AuthorizationCode: 60, Grant: 600, Session: 600, Interaction: 600 },
    scopes: ['openid', 'other:read', SCOPES.read, SCOPES.write, SCOPES.destructive],
    features: {
      // The provider's own login and consent forms: the PKCE test fills them in as a user would.
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => undefined,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resourceIndicator: string, client: { clientId: string }) => ({
          scope: `other:read ${SCOPES.read} ${SCOPES.write} ${SCOPES.destructive}`,
          audience: resourceIndicator,
          accessTokenTTL: 300,
          accessTokenFormat: client.clientId === 'opaque-bot' ? 'opaque' : 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        }),
      },
    },
  });
  route.handler = provider.callback();

  const tokenEndpoint = `${issuer}/token`;
  return {
    issuer,
    tokenEndpoint,
    testKey: { privateKey: test.privateKey, kid: 'test-rs256', alg: 'RS256', publicPem },
    tokenRequests: () => tokenRequests,
    introspections: () => introspections,
    clientCredentialsToken: async (clientId, resource, scope) => {
      const [secret, granted] = MACHINE_CLIENTS[clientId];
      const response = await fetch(tokenEndpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', resource, scope: scope ?? granted }),
      });
      const body = (await response.json()) as { access_token?: string; error?: string; error_description?: string };
      if (!response.ok || !body.access_token)
        throw new Error(`token request failed: ${response.status} ${body.error} ${body.error_description}`);
      return body.access_token;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
