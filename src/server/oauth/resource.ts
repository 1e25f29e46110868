// The server as an OAuth 2.1 protected resource (MCP authorization spec, RFC 9728, RFC 6750): the
// metadata document that tells a client which authorization server to ask, and the check of each
// request's bearer token with the challenge a client follows when it fails.
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { Config } from '../../config.js';
import { EgressPolicy } from '../../http/egress.js';
import { createFetcher, type Fetcher } from '../../http/fetch.js';
import type { Logger } from '../../log.js';
import { createIntrospector, INTROSPECTION_MAX_BYTES } from './introspect.js';
import { IssuerKeys } from './issuer-keys.js';
import { scopeNames, type ScopeNames } from './scopes.js';
import { verifyAccessToken, type Verdict } from './verify.js';

export const METADATA_PATH = '/.well-known/oauth-protected-resource';

export type AuthOutcome =
  { ok: true; auth: AuthInfo } | { ok: false; status: 401 | 403 | 503; challenge: string; message: string; reason: string };

export interface ProtectedResourceOptions {
  issuer: string;
  /** The MCP endpoint's public URL: the resource identifier clients ask tokens for. */
  resource: string;
  /** The `aud` tokens must carry; the resource unless the operator says otherwise. */
  audience: string;
  scopes: ScopeNames;
  verify: (token: string) => Promise<Verdict>;
  logger: Logger;
}

/** The token of `Authorization: Bearer <token>`, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = header ? /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(header) : null;
  return match?.[1];
}

export class ProtectedResource {
  /** RFC 9728 §3.1: the well-known path, with the resource's path appended (`/…/mcp`) as clients try first. */
  readonly metadataUrl: string;
  readonly metadataPaths: ReadonlySet<string>;

  constructor(private readonly options: ProtectedResourceOptions) {
    const url = new URL(options.resource);
    const suffix = url.pathname === '/' ? '' : url.pathname.replace(/\/+$/, '');
    this.metadataUrl = `${url.origin}${METADATA_PATH}${suffix}`;
    // Behind a proxy the public path may differ from the local `/mcp`: both are answered.
    this.metadataPaths = new Set([METADATA_PATH, `${METADATA_PATH}${suffix}`, `${METADATA_PATH}/mcp`]);
  }

  /** The RFC 9728 protected resource metadata. */
  document(): Record<string, unknown> {
    const { scopes } = this.options;
    return {
      resource: this.options.resource,
      authorization_servers: [this.options.issuer],
      scopes_supported: [scopes.read, scopes.write, scopes.destructive],
      bearer_methods_supported: ['header'],
      resource_name: 'dockerhub-mcp',
    };
  }

  private challenge(params: Record<string, string>): string {
    const all = { ...params, resource_metadata: this.metadataUrl };
    return `Bearer ${Object.entries(all)
      .map(([key, value]) => `${key}="${value}"`)
      .join(', ')}`;
  }

  /** Checks the request's bearer token; the refusal's reason is logged here and never sent. */
  async authenticate(header: string | undefined): Promise<AuthOutcome> {
    const token = bearerToken(header);
    if (token === undefined) {
      return {
        ok: false,
        status: 401,
        challenge: this.challenge({}),
        message: 'Unauthorized: send an OAuth access token (Authorization: Bearer …); see the resource_metadata URL in WWW-Authenticate',
        reason: header ? 'not a bearer token' : 'no token',
      };
    }
    const verdict = await this.options.verify(token);
    if (!verdict.ok) {
      this.options.logger.warn('refused OAuth access token', { reason: verdict.reason });
      if (verdict.unavailable) {
        return {
          ok: false,
          status: 503,
          challenge: this.challenge({}),
          message: 'The authorization server cannot be reached to check the token; retry later',
          reason: verdict.reason,
        };
      }
      return {
        ok: false,
        status: 401,
        // One answer whatever the reason: which check failed helps an attacker more than a client.
        challenge: this.challenge({ error: 'invalid_token', error_description: 'The access token was not accepted' }),
        message: 'Unauthorized: the access token was not accepted; get a new one from the authorization server',
        reason: verdict.reason,
      };
    }
    const read = this.options.scopes.read;
    if (!verdict.auth.scopes.includes(read)) {
      this.options.logger.warn('refused OAuth access token', { reason: `missing scope ${read}`, client: verdict.auth.clientId });
      return {
        ok: false,
        status: 403,
        challenge: this.challenge({ error: 'insufficient_scope', scope: read }),
        message: `Forbidden: the access token lacks the scope '${read}'`,
        reason: `missing scope ${read}`,
      };
    }
    return { ok: true, auth: verdict.auth };
  }
}

export interface OAuthGuard {
  resource: ProtectedResource;
  /** Fetches the issuer's keys now and logs the outcome; requests work either way. */
  prefetch(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Builds the guard for the running server. Issuer fetches go through their own egress-checked
 * pool: the issuer is the operator's choice (so reachable on loopback or a private network when
 * configured there), anything else its metadata names follows the HTTP transport's policy.
 */
export function createOAuthGuard(config: Config, logger: Logger, resource: string, fetcher?: Fetcher): OAuthGuard {
  const issuer = config.oauthIssuer;
  if (issuer === undefined) throw new Error('createOAuthGuard without MCP_OAUTH_ISSUER');
  const egress = new EgressPolicy({ transport: config.transport, allowedRegistryHosts: [], configuredUrls: [issuer] });
  const pool = fetcher ? undefined : createFetcher({ timeoutMs: 10_000, egress, connections: 2 });
  const base = fetcher ?? pool!.fetch;
  // The URL is checked before the request (scheme, metadata names, literal addresses), the
  // resolved address again at connect time by the pool.
  const fetch: Fetcher = async (url, init) => {
    egress.checkUrl(new URL(url), 'OAuth issuer metadata');
    return base(url, init);
  };
  const keys = new IssuerKeys({ issuer, fetch, logger });
  const audience = config.oauthAudience ?? resource;
  const { oauthClientId: clientId, oauthClientSecret: clientSecret } = config;
  const introspect =
    clientId !== undefined && clientSecret !== undefined
      ? createIntrospector({
          issuer,
          audience,
          clientId,
          clientSecret,
          endpoint: async () => (await keys.discovered()).introspectionEndpoint,
          post: (url, body, authorization) => keys.getJson(url, INTROSPECTION_MAX_BYTES, { body, authorization }),
        })
      : undefined;
  const guard = new ProtectedResource({
    issuer,
    resource,
    audience,
    scopes: scopeNames(config),
    // A JWT is checked here; anything else is opaque, asked about at the issuer when the server can.
    verify: (token) =>
      introspect && token.split('.').length !== 3 ? introspect(token) : verifyAccessToken(token, { issuer, audience, getKey: keys.getKey }),
    logger,
  });
  return {
    resource: guard,
    prefetch: async () => {
      try {
        const count = await keys.prefetch();
        logger.info('OAuth issuer keys loaded', { issuer, keys: count, audience });
      } catch (error) {
        logger.warn('OAuth issuer keys could not be loaded; tokens are refused with 503 until they can', {
          issuer,
          error: (error as Error).message,
        });
      }
    },
    close: async () => pool?.close(),
  };
}
