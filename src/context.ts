// The process-wide state every tool call shares: configuration, logger, one connection pool,
// rate-limit telemetry and the Hub token manager. Built once in main, whatever the transport and
// however many HTTP sessions are open, so tokens and telemetry outlive a single call.
import { HubTokenManager } from './auth/hub-token.js';
import { configuredSecrets, type Config } from './config.js';
import { RequestBase } from './http/client.js';
import { createFetcher, type PooledFetcher } from './http/fetch.js';
import { RateLimitStore } from './http/rate-limit.js';
import { registerSecret } from './http/redact.js';
import type { Logger } from './log.js';

export interface AppContext {
  readonly config: Config;
  readonly version: string;
  readonly logger: Logger;
  readonly rateLimits: RateLimitStore;
  readonly fetcher: PooledFetcher;
  readonly hubAuth: HubTokenManager;
  /** Hub API requests, authenticated with the Hub JWT when credentials are configured. */
  readonly hub: RequestBase;
  close(): Promise<void>;
}

export function createAppContext(config: Config, logger: Logger, version: string, fetcher?: PooledFetcher): AppContext {
  for (const secret of configuredSecrets(config)) registerSecret(secret);
  const pool = fetcher ?? createFetcher({ timeoutMs: config.timeoutSeconds * 1000 });
  const rateLimits = new RateLimitStore();
  const base = { fetch: pool.fetch, rateLimits, logger, timeoutMs: config.timeoutSeconds * 1000 };
  const mintBase = new RequestBase({ ...base, upstream: 'hub', baseUrl: config.hubUrl });
  const hubAuth = new HubTokenManager({ user: config.hubUser, secret: config.hubToken, jwt: config.hubJwt }, mintBase);
  const hub = new RequestBase({ ...base, upstream: 'hub', baseUrl: config.hubUrl, auth: hubAuth });
  return {
    config,
    version,
    logger,
    rateLimits,
    fetcher: pool,
    hubAuth,
    hub,
    close: () => pool.close(),
  };
}
