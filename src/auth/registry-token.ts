// Registry auth: learns each registry's challenge once (Bearer realm/service, or Basic), then
// sends credentials up front on every later request, so a warm call costs no 401 round trip.
// Bearer tokens are cached per (realm, service, scope set) until shortly before they expire,
// with one fetch in flight per key however many calls wait for it.
import type { RequestBase } from '../http/client.js';
import { ToolError } from '../http/errors.js';
// Real tokens are a few KB; a hostile service could send MBs per scope. One limit, the redactor's.
import { MINTED_MAX_CHARS, registerMintedSecret } from '../redact.js';
import type { Logger } from '../log.js';
import { basicHeader, type CredentialSource, type RegistryCredential } from './credentials.js';
import { challengeScopes, parseWwwAuthenticate } from './www-authenticate.js';
import { BoundedMap } from '../util/bounded-map.js';
import { isLoopbackHost } from '../config.js';

/** The registry a token is for: the shape auth needs (registry/reference.ts's Registry has it). */
export interface Registry {
  /** Where requests go, e.g. https://registry-1.docker.io */
  readonly origin: string;
  /** host[:port], as credentials are keyed. */
  readonly host: string;
  readonly dockerHub: boolean;
}

const DEFAULT_TTL_S = 60;
/** Cached tokens kept (least recently used dropped first): one per (realm, service, scope set). */
const MAX_CACHED_TOKENS = 512;

type RegistryState = { scheme: 'bearer'; realm: string; service?: string } | { scheme: 'basic' } | { scheme: 'none' };

interface CachedToken {
  token: string;
  expiresAt: number;
}

export interface RegistryAuthOptions {
  credentials: CredentialSource;
  /** A request base for token services (absolute URLs, no auth of its own). */
  tokenBase: RequestBase;
  logger: Logger;
  /** DOCKER_REGISTRY_AUTH_URL: Docker Hub's realm, known before any challenge. */
  hubRealm: string;
  now?: () => number;
}

export function repositoryScope(repository: string, actions: string): string {
  return `repository:${repository}:${actions}`;
}

/** A token realm elsewhere is trusted only over https (or loopback http for a loopback http registry). */
export function realmAllowed(realm: string, registryOrigin: string): boolean {
  let url: URL;
  try {
    url = new URL(realm);
  } catch {
    return false;
  }
  const registry = new URL(registryOrigin);
  if (url.origin === registry.origin) return true;
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && isLoopbackHost(url.hostname) && registry.protocol === 'http:' && isLoopbackHost(registry.hostname);
}

export class RegistryAuth {
  /** What each registry origin asked for (bounded: origins come from tool arguments). */
  private readonly states = new BoundedMap<string, RegistryState>(256);
  /** Least recently used tokens are dropped first. */
  private readonly tokens = new BoundedMap<string, CachedToken>(MAX_CACHED_TOKENS);
  private readonly pending = new Map<string, Promise<string | undefined>>();
  /** Token-service requests sent, for tests and benchmarks. */
  tokenRequests = 0;

  constructor(private readonly options: RegistryAuthOptions) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private state(registry: Registry): RegistryState | undefined {
    const known = this.states.get(registry.origin);
    if (known) return known;
    // Docker Hub's realm is configuration, so even the first call skips the 401 round trip.
    if (registry.dockerHub) return { scheme: 'bearer', realm: this.options.hubRealm, service: 'registry.docker.io' };
    return undefined;
  }

  /** The Authorization header for a request needing `scopes`, when the registry is known. */
  async header(registry: Registry, scopes: readonly string[], signal?: AbortSignal): Promise<string | undefined> {
    const state = this.state(registry);
    if (!state || state.scheme === 'none') return undefined;
    const credential = await this.options.credentials.lookup(registry.host, registry.dockerHub, registry.origin);
    if (state.scheme === 'basic') return credential ? basicHeader(credential) : undefined;
    const token = await this.token(state, scopes, credential, signal);
    return token ? `Bearer ${token}` : undefined;
  }

  /**
   * Learns from a 401's challenge. Returns the scopes to retry with, or undefined when a retry
   * cannot help (no usable challenge, or Basic without credentials).
   */
  async challenge(
    registry: Registry,
    header: string | null,
    scopes: readonly string[],
    /** The Authorization the request that got the 401 carried: only that token is dropped. */
    sent?: string,
  ): Promise<string[] | undefined> {
    const challenges = parseWwwAuthenticate(header);
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    if (bearer?.params.realm) {
      if (!realmAllowed(bearer.params.realm, registry.origin)) {
        throw new ToolError(
          'forbidden',
          `registry ${registry.host} points its token realm at ${new URL(bearer.params.realm).origin} over plain http; refusing to send credentials there`,
        );
      }
      const next: RegistryState = { scheme: 'bearer', realm: bearer.params.realm };
      if (bearer.params.service !== undefined) next.service = bearer.params.service;
      const previous = this.states.get(registry.origin);
      this.states.set(registry.origin, next);
      const wanted = new Set(scopes);
      // insufficient_scope (or a first challenge naming a scope) tells us what the registry wants.
      for (const scope of challengeScopes(bearer)) wanted.add(scope);
      const retryScopes = [...wanted];
      const key = this.key(next, retryScopes);
      const stale = previous?.scheme === 'bearer' && previous.realm === next.realm;
      // A 401 to a request sent before (or without) the cached token says nothing about it: under
      // concurrency, dropping it anyway re-mints a token another call just cached.
      const carried = this.tokens.get(key)?.token;
      if ((stale || bearer.params.error === 'invalid_token') && carried !== undefined && sent === `Bearer ${carried}`) {
        this.tokens.delete(key);
      }
      return retryScopes;
    }
    if (challenges.some((c) => c.scheme === 'basic')) {
      const already = this.states.get(registry.origin)?.scheme === 'basic';
      this.states.set(registry.origin, { scheme: 'basic' });
      const credential = await this.options.credentials.lookup(registry.host, registry.dockerHub, registry.origin);
      return credential && !already ? [...scopes] : undefined;
    }
    return undefined;
  }

  /** Called when a request without auth succeeded: this registry needs none. */
  markOpen(registry: Registry): void {
    if (!this.states.has(registry.origin) && !registry.dockerHub) this.states.set(registry.origin, { scheme: 'none' });
  }

  private key(state: { realm: string; service?: string }, scopes: readonly string[]): string {
    return `${state.realm}\n${state.service ?? ''}\n${[...scopes].sort().join(' ')}`;
  }

  private async token(
    state: { realm: string; service?: string },
    scopes: readonly string[],
    credential: RegistryCredential | undefined,
    signal?: AbortSignal,
  ): Promise<string | undefined> {
    const key = this.key(state, scopes);
    const cached = this.tokens.get(key);
    if (cached && this.now() < cached.expiresAt) return cached.token;
    if (cached) this.tokens.delete(key);
    let inflight = this.pending.get(key);
    if (!inflight) {
      inflight = this.fetchToken(state, scopes, credential, key, signal).finally(() => this.pending.delete(key));
      this.pending.set(key, inflight);
    }
    return inflight;
  }

  private async fetchToken(
    state: { realm: string; service?: string },
    scopes: readonly string[],
    credential: RegistryCredential | undefined,
    key: string,
    signal?: AbortSignal,
  ): Promise<string | undefined> {
    this.tokenRequests++;
    const base = this.options.tokenBase;
    let data: Record<string, unknown>;
    try {
      if (credential?.identityToken) {
        // OAuth2 refresh-token flow for docker config `identitytoken` entries.
        const form = new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: credential.identityToken,
          client_id: 'dockerhub-mcp',
          scope: scopes.join(' '),
        });
        if (state.service) form.set('service', state.service);
        const result = await base.request<Record<string, unknown>>({
          method: 'POST',
          path: state.realm,
          body: form.toString(),
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          signal,
        });
        data = result.data;
      } else {
        const url = new URL(state.realm);
        if (state.service) url.searchParams.set('service', state.service);
        for (const scope of scopes) url.searchParams.append('scope', scope);
        const authorization = credential ? basicHeader(credential) : undefined;
        const result = await base.request<Record<string, unknown>>({
          path: url.toString(),
          headers: authorization ? { authorization } : {},
          signal,
        });
        data = result.data;
      }
    } catch (error) {
      if (error instanceof ToolError && (error.status === 401 || error.status === 403)) {
        throw new ToolError(
          'unauthorized',
          `the registry token service rejected the credentials from ${credential?.source ?? 'anonymous access'} (HTTP ${error.status})`,
          error.status,
          credential
            ? 'Check the registry credentials (a PAT may be expired, or lack the scope).'
            : 'This repository needs credentials: set DOCKER_HUB_USER / DOCKER_HUB_TOKEN for Docker Hub, or log in with docker for other registries.',
        );
      }
      throw error;
    }
    const token =
      (typeof data?.token === 'string' && data.token) || (typeof data?.access_token === 'string' && data.access_token) || undefined;
    if (!token) return undefined;
    if (token.length > MINTED_MAX_CHARS) {
      throw new ToolError(
        'upstream_error',
        `the registry token service at ${new URL(state.realm).origin} returned a token of ${token.length} characters; the limit is ${MINTED_MAX_CHARS}`,
      );
    }
    const ttlSeconds = typeof data.expires_in === 'number' && data.expires_in > 0 ? data.expires_in : DEFAULT_TTL_S;
    const issued = typeof data.issued_at === 'string' ? Date.parse(data.issued_at) : NaN;
    const start = Number.isFinite(issued) && issued <= this.now() ? issued : this.now();
    // Refresh a little early, but never so early that a 60 s token is useless (the reference's bug).
    const margin = Math.min(30_000, (ttlSeconds * 1000) / 4);
    registerMintedSecret(token);
    this.tokens.set(key, { token, expiresAt: start + ttlSeconds * 1000 - margin });
    return token;
  }
}
