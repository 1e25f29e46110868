// The authorization server's signing keys: its metadata (RFC 8414, or OpenID discovery) names a
// JWKS, fetched through the egress-checked pool, kept for a while, fetched again when a token names
// a key it does not hold (key rotation) but at most once a minute, so garbage `kid`s cannot make
// the server hammer its issuer. Every answer is bounded: time, bytes, and keys kept.
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWK, type JWTHeaderParameters, type FlattenedJWSInput } from 'jose';
import { isLoopbackHost } from '../../config.js';
import { readBounded } from '../../http/body.js';
import type { Fetcher } from '../../http/fetch.js';
import type { Logger } from '../../log.js';

export const METADATA_MAX_BYTES = 256 * 1024;
export const JWKS_MAX_BYTES = 256 * 1024;
/** Keys kept from one JWKS; providers publish a handful (current, next, previous). */
export const MAX_KEYS = 50;
const FETCH_TIMEOUT_MS = 10_000;
/** Keys are trusted this long before a token makes the server fetch them again. */
export const KEYS_MAX_AGE_MS = 15 * 60_000;
/** An unknown `kid` triggers a fetch at most this often. */
export const UNKNOWN_KID_COOLDOWN_MS = 60_000;
/** With no keys yet, a failed fetch is not tried again for this long: an issuer outage is not multiplied by the request rate. */
export const FAILURE_BACKOFF_MS = 5_000;

/** The issuer cannot be asked (down, refused by egress, not answering metadata): not the caller's fault. */
export class IssuerUnavailable extends Error {
  override name = 'IssuerUnavailable';
}

type KeyResolver = ReturnType<typeof createLocalJWKSet>;

export interface IssuerKeysOptions {
  issuer: string;
  fetch: Fetcher;
  logger: Logger;
  now?: () => number;
}

/** Where RFC 8414 and OpenID Connect Discovery put the metadata of an issuer, in the order tried. */
export function metadataUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/+$/, '');
  const origin = url.origin;
  const urls = [`${origin}/.well-known/oauth-authorization-server${path}`, `${origin}${path}/.well-known/openid-configuration`];
  if (path !== '') urls.push(`${origin}/.well-known/openid-configuration${path}`);
  return urls;
}

/** The public, signing, asymmetric keys of a JWKS (private parts dropped), at most MAX_KEYS. */
export function usableKeys(jwks: unknown): JWK[] {
  const keys = (jwks as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new IssuerUnavailable('the JWKS has no keys array');
  const out: JWK[] = [];
  for (const key of keys as unknown[]) {
    if (out.length >= MAX_KEYS) break;
    if (key === null || typeof key !== 'object') continue;
    const jwk = key as JWK;
    if (jwk.kty !== 'RSA' && jwk.kty !== 'EC' && jwk.kty !== 'OKP') continue;
    if (jwk.use !== undefined && jwk.use !== 'sig') continue;
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, k: _k, oth: _oth, ...publicPart } = jwk;
    out.push(publicPart);
  }
  return out;
}

export class IssuerKeys {
  private resolver: KeyResolver | undefined;
  private fetchedAt = -Infinity;
  private lastUnknownKidFetch = -Infinity;
  private loading: Promise<KeyResolver> | undefined;
  private metadata: Promise<IssuerMetadata> | undefined;
  private keyCount = 0;
  private lastFailure: { at: number; error: IssuerUnavailable } | undefined;
  private readonly now: () => number;

  constructor(private readonly options: IssuerKeysOptions) {
    this.now = options.now ?? Date.now;
  }

  /** A key resolver for jose's jwtVerify: the cached set, refreshed when stale or missing the token's `kid`. */
  readonly getKey = async (header: JWTHeaderParameters, token: FlattenedJWSInput): ReturnType<KeyResolver> => {
    const resolver = await this.current();
    try {
      return await resolver(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey) || this.now() - this.lastUnknownKidFetch < UNKNOWN_KID_COOLDOWN_MS) throw error;
      this.lastUnknownKidFetch = this.now();
      const fresh = await this.refresh();
      return fresh(header, token);
    }
  };

  /** Loads the keys ahead of the first token, so a wrong issuer shows in the log at start-up. */
  async prefetch(): Promise<number> {
    await this.current();
    return this.keyCount;
  }

  private async current(): Promise<KeyResolver> {
    if (this.resolver && this.now() - this.fetchedAt < KEYS_MAX_AGE_MS) return this.resolver;
    if (!this.resolver && this.lastFailure && this.now() - this.lastFailure.at < FAILURE_BACKOFF_MS) throw this.lastFailure.error;
    try {
      return await this.refresh();
    } catch (error) {
      // Stale keys beat no keys while the issuer is briefly unreachable.
      if (this.resolver) {
        this.options.logger.warn('OAuth issuer keys could not be refreshed; using the previous set', { error: (error as Error).message });
        this.fetchedAt = this.now();
        return this.resolver;
      }
      throw error;
    }
  }

  /** One fetch at a time, whatever the number of requests waiting for it. */
  private refresh(): Promise<KeyResolver> {
    this.loading ??= this.load()
      .catch((error: unknown) => {
        const cause = (error as Error & { cause?: Error }).cause;
        const unavailable =
          error instanceof IssuerUnavailable
            ? error
            : new IssuerUnavailable(`${(error as Error).message}${cause ? `: ${cause.message}` : ''}`);
        this.lastFailure = { at: this.now(), error: unavailable };
        throw unavailable;
      })
      .finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async load(): Promise<KeyResolver> {
    const { jwksUri } = await this.discovered();
    const keys = usableKeys(await this.getJson(jwksUri, JWKS_MAX_BYTES));
    if (keys.length === 0) throw new IssuerUnavailable('the JWKS holds no usable signing key');
    const set: JSONWebKeySet = { keys };
    this.resolver = createLocalJWKSet(set);
    this.keyCount = keys.length;
    this.fetchedAt = this.now();
    this.options.logger.debug('OAuth issuer keys loaded', { keys: keys.length, kids: keys.map((key) => key.kid ?? null) });
    return this.resolver;
  }

  /** The issuer's metadata, fetched once; a failed discovery is tried again next time. */
  discovered(): Promise<IssuerMetadata> {
    this.metadata ??= this.discover().catch((error: unknown) => {
      this.metadata = undefined;
      throw error;
    });
    return this.metadata;
  }

  private async discover(): Promise<IssuerMetadata> {
    const { issuer } = this.options;
    const reasons: string[] = [];
    for (const url of metadataUrls(issuer)) {
      let metadata: { issuer?: unknown; jwks_uri?: unknown; introspection_endpoint?: unknown };
      try {
        metadata = (await this.getJson(url, METADATA_MAX_BYTES)) as typeof metadata;
      } catch (error) {
        reasons.push(`${url}: ${(error as Error).message}`);
        continue;
      }
      // RFC 8414 §3.3: metadata naming another issuer must not be used.
      if (metadata.issuer !== issuer)
        throw new IssuerUnavailable(`${url} names the issuer ${String(metadata.issuer).slice(0, 200)}, not ${issuer}`);
      if (typeof metadata.jwks_uri !== 'string') throw new IssuerUnavailable(`${url} names no jwks_uri`);
      const introspection = metadata.introspection_endpoint;
      return {
        jwksUri: checkedEndpoint(metadata.jwks_uri, issuer, 'jwks_uri'),
        ...(typeof introspection === 'string'
          ? { introspectionEndpoint: checkedEndpoint(introspection, issuer, 'introspection_endpoint') }
          : {}),
      };
    }
    throw new IssuerUnavailable(`no authorization server metadata found: ${reasons.join('; ')}`);
  }

  /** A bounded JSON GET (or form POST, for introspection) to the issuer, no redirects. */
  async getJson(url: string, limit: number, post?: { body: URLSearchParams; authorization: string }): Promise<unknown> {
    // Redirects are not followed: each hop would need its own egress and scheme checks, and
    // issuers serve these documents directly.
    const response = await this.options.fetch(url, {
      method: post ? 'POST' : 'GET',
      headers: {
        accept: 'application/json',
        ...(post ? { 'content-type': 'application/x-www-form-urlencoded', authorization: post.authorization } : {}),
      },
      ...(post ? { body: post.body } : {}),
      redirect: 'manual',
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
    if (response.status !== 200) {
      void response.body?.cancel().catch(() => undefined);
      throw new IssuerUnavailable(`HTTP ${response.status}`);
    }
    const body = await readBounded(response, limit);
    try {
      return JSON.parse(body.toString('utf8')) as unknown;
    } catch {
      throw new IssuerUnavailable('the answer is not JSON');
    }
  }
}

export interface IssuerMetadata {
  jwksUri: string;
  /** RFC 7662, for opaque tokens when the server has introspection credentials. */
  introspectionEndpoint?: string;
}

/** Endpoints the metadata names must be https, or plain http on loopback when the issuer itself is plain loopback. */
export function checkedEndpoint(value: string, issuer: string, name: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new IssuerUnavailable(`${name} is not a URL`);
  }
  const issuerUrl = new URL(issuer);
  const plainLoopback = url.protocol === 'http:' && isLoopbackHost(url.hostname) && issuerUrl.protocol === 'http:';
  if (url.protocol !== 'https:' && !plainLoopback) throw new IssuerUnavailable(`${name} ${url.origin} is not https`);
  if (url.username !== '' || url.password !== '') throw new IssuerUnavailable(`${name} carries credentials`);
  return url.href;
}
