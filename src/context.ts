// The process-wide state every tool call shares: configuration, logger, one connection pool,
// rate-limit telemetry and the Hub token manager. Built once in main, whatever the transport and
// however many HTTP sessions are open, so tokens and telemetry outlive a single call.
import { HubTokenManager } from './auth/hub-token.js';
import { configuredSecrets, type Config } from './config.js';
import { RequestBase } from './http/client.js';
import { HubClient } from './hub/client.js';
import { EgressPolicy } from './http/egress.js';
import { createFetcher, type PooledFetcher } from './http/fetch.js';
import { RateLimitStore } from './http/rate-limit.js';
import { registerSecret } from './redact.js';
import type { Logger } from './log.js';
import { CredentialSource, registerCredentialForms } from './auth/credentials.js';
import { RegistryAuth } from './auth/registry-token.js';
import { RegistryClient } from './registry/client.js';
import { RegistryTransport } from './registry/transport.js';

export interface AppContext {
  readonly config: Config;
  readonly version: string;
  readonly logger: Logger;
  readonly rateLimits: RateLimitStore;
  readonly hubAuth: HubTokenManager;
  /** The Hub management API (route tables, paging, SCIM on its own bearer). */
  readonly hubClient: HubClient;
  /** Registry v2 / OCI client for any registry; tokens and cached content shared by every call. */
  readonly registry: RegistryClient;
  /** Scout GraphQL requests, authenticated with the same Hub JWT (one shared mint). */
  readonly scout: RequestBase;
  /** Which hosts and addresses the server may reach (shown by `hub_admin config`). */
  readonly egress: EgressPolicy;
  /** Registry credential sources (which registries get the env pair: `hub_admin whoami`). */
  readonly credentials: CredentialSource;
  close(): Promise<void>;
}

export function createAppContext(config: Config, logger: Logger, version: string, fetcher?: PooledFetcher): AppContext {
  for (const secret of configuredSecrets(config)) registerSecret(secret);
  if (config.hubUser && config.hubToken) registerCredentialForms(config.hubUser, config.hubToken);
  const egress = new EgressPolicy({
    transport: config.transport,
    allowedRegistryHosts: config.registryAllowedHosts,
    configuredUrls: [config.registryUrl, config.registryAuthUrl, config.hubUrl, config.scoutUrl],
  });
  const pool = fetcher ?? createFetcher({ timeoutMs: config.timeoutSeconds * 1000, egress });
  const rateLimits = new RateLimitStore();
  const streamFloor = { bytesPerSecond: config.streamMinRate, windowMs: config.streamStallSeconds * 1000 };
  const base = {
    fetch: pool.fetch,
    streams: pool.streams,
    rateLimits,
    logger,
    timeoutMs: config.timeoutSeconds * 1000,
    egress,
    streamFloor,
  };
  // Token answers are small: a service sending megabytes is refused while reading, not parsed.
  const TOKEN_BODY_LIMIT = 1024 * 1024;
  const mintBase = new RequestBase({ ...base, upstream: 'hub', baseUrl: config.hubUrl, maxBodyBytes: TOKEN_BODY_LIMIT });
  const hubAuth = new HubTokenManager({ user: config.hubUser, secret: config.hubToken, jwt: config.hubJwt }, mintBase);
  const hub = new RequestBase({ ...base, upstream: 'hub', baseUrl: config.hubUrl, auth: hubAuth });
  // SCIM uses the organization's SCIM token (bearerSCIMAuth), never the Hub JWT.
  const scimToken = config.scimToken?.trim();
  const scim = scimToken
    ? new RequestBase({
        ...base,
        upstream: 'hub',
        baseUrl: config.hubUrl,
        auth: { header: async () => `Bearer ${scimToken}`, invalidate: () => false },
      })
    : undefined;
  const hubClient = new HubClient({ hub, scim, auth: hubAuth, logger });
  const credentials = new CredentialSource({
    dockerConfigDir: config.dockerConfig,
    hubUser: config.hubUser,
    hubToken: config.hubToken,
    envRegistryOrigins: [new URL(config.registryUrl).origin],
    logger,
  });
  const tokenBase = new RequestBase({
    ...base,
    upstream: 'registry-auth',
    baseUrl: config.registryAuthUrl,
    maxBodyBytes: TOKEN_BODY_LIMIT,
  });
  const registryAuth = new RegistryAuth({ credentials, tokenBase, logger, hubRealm: config.registryAuthUrl });
  const transport = new RegistryTransport({ ...base, auth: registryAuth });
  const registry = new RegistryClient({ transport, defaults: { registryUrl: config.registryUrl }, logger });
  const scout = new RequestBase({ ...base, upstream: 'scout', baseUrl: config.scoutUrl, auth: hubAuth });
  return {
    config,
    registry,
    version,
    logger,
    rateLimits,
    hubAuth,
    hubClient,
    scout,
    egress,
    credentials,
    close: () => pool.close(),
  };
}
