// Registry requests: one RequestBase per registry origin (shared retries, timeouts and rate-limit
// capture), the registry auth dance (header up front when warm, one re-challenge on 401),
// redirects followed by hand so `Authorization` never leaves the registry's origin, and URLs
// from the registry (upload `Location`, `Link`) held to that origin.
import { Readable } from 'node:stream';
import type { StreamCheck } from '../http/bulk-gate.js';
import { RequestBase, type HttpResult, type QueryValue } from '../http/client.js';
import { egressError, type EgressPolicy } from '../http/egress.js';
import { ToolError } from '../http/errors.js';
import type { Fetcher, StreamFetcher } from '../http/fetch.js';
import type { RateLimitStore } from '../http/rate-limit.js';
import type { ThroughputFloor } from '../http/throughput.js';
import type { Logger } from '../log.js';
import type { RegistryAuth } from '../auth/registry-token.js';
import type { Registry } from './reference.js';
import { BoundedMap } from '../util/bounded-map.js';

/** Registries whose per-origin state is kept at once. */
const MAX_ORIGINS = 256;

export interface RegistryRequest {
  method?: string;
  /** Path on the registry (`/v2/...`), or an absolute URL on the registry's origin. */
  path: string;
  query?: Record<string, QueryValue>;
  headers?: Record<string, string>;
  body?: string | Uint8Array | ReadableStream<Uint8Array> | Readable;
  /** Token scopes this request needs, e.g. `repository:library/nginx:pull`. */
  scopes: readonly string[];
  /** Statuses returned as results instead of raised. */
  accept?: readonly number[];
  read?: 'auto' | 'text' | 'bytes' | 'stream' | 'readable' | 'none';
  /** For `readable` reads: run on the content's body only, after any redirect (see RequestOptions). */
  check?: StreamCheck;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** A streamed read of small, capped content: the deadline covers the whole body. */
  bounded?: boolean;
}

export interface RegistryTransportOptions {
  fetch: Fetcher;
  streams?: StreamFetcher;
  rateLimits: RateLimitStore;
  logger: Logger;
  timeoutMs: number;
  auth: RegistryAuth;
  /** Which registries calls may name, and which addresses any request may reach. */
  egress?: EgressPolicy;
  streamFloor?: ThroughputFloor;
}

const MAX_REDIRECTS = 5;

/** Rate-limit telemetry key: Docker Hub's pull limits show as "registry". */
export function upstreamName(registry: Registry): string {
  return registry.dockerHub ? 'registry' : `registry:${registry.host}`;
}

export class RegistryTransport {
  /** Per registry origin (a tool argument chooses it): bounded, rebuilt on a miss. */
  private readonly bases = new BoundedMap<string, RequestBase>(MAX_ORIGINS);
  /** Requests sent (not counting token requests), for tests and benchmarks. */
  requests = 0;

  constructor(private readonly options: RegistryTransportOptions) {}

  get auth(): RegistryAuth {
    return this.options.auth;
  }

  private base(origin: string, upstream: string): RequestBase {
    let base = this.bases.get(origin);
    if (!base) {
      base = new RequestBase({
        upstream,
        baseUrl: origin,
        fetch: this.options.fetch,
        streams: this.options.streams,
        rateLimits: this.options.rateLimits,
        logger: this.options.logger,
        timeoutMs: this.options.timeoutMs,
        egress: this.options.egress,
        streamFloor: this.options.streamFloor,
      });
      this.bases.set(origin, base);
    }
    return base;
  }

  /** Resolves a registry-supplied URL (maybe relative) and refuses one on another origin. */
  sameOrigin(registry: Registry, url: string, what: string): string {
    let resolved: URL;
    try {
      resolved = new URL(url, registry.origin);
    } catch {
      throw new ToolError('upstream_error', `the registry sent an unreadable ${what} URL`);
    }
    if (resolved.origin !== registry.origin) {
      throw new ToolError(
        'forbidden',
        `the registry sent a ${what} URL on another origin (${resolved.origin}); refusing to follow it`,
        undefined,
        'A registry must keep upload and paging URLs on its own origin.',
      );
    }
    return resolved.toString();
  }

  /** Refuses a registry the egress policy does not allow, before any connection or token request. */
  checkRegistry(registry: Registry): void {
    const egress = this.options.egress;
    if (!egress) return;
    const url = new URL(registry.origin);
    const verdict =
      egress.registryVerdict(url.hostname, url.port || (url.protocol === 'https:' ? '443' : '80'), registry.dockerHub) ??
      egress.urlVerdict(url);
    if (verdict) throw egressError(verdict);
  }

  async request<T = unknown>(registry: Registry, request: RegistryRequest): Promise<HttpResult<T>> {
    this.checkRegistry(registry);
    const method = (request.method ?? 'GET').toUpperCase();
    const path = /^https?:\/\//i.test(request.path) ? this.sameOrigin(registry, request.path, 'request') : request.path;
    const base = this.base(registry.origin, upstreamName(registry));
    let scopes = [...request.scopes];
    let authorization = await this.options.auth.header(registry, scopes, request.signal);

    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { ...request.headers };
      if (authorization) headers.authorization = authorization;
      this.requests++;
      const result = await base.request<T>({
        method,
        path,
        query: request.query,
        headers,
        body: request.body,
        accept: [...(request.accept ?? []), 401],
        read: request.read,
        check: request.check,
        redirect: 'manual',
        signal: request.signal,
        timeoutMs: request.timeoutMs,
        bounded: request.bounded,
      });
      if (result.status_code === 401) {
        cancelBody(result.data);
        // A streamed body was (partly) sent already and cannot be sent again.
        const canRetry =
          attempt === 0 && !(request.body instanceof Readable || (request.body instanceof ReadableStream && request.body.locked));
        const retryScopes = canRetry
          ? await this.options.auth.challenge(registry, result.raw.get('www-authenticate'), scopes, authorization)
          : undefined;
        if (retryScopes) {
          scopes = retryScopes;
          authorization = await this.options.auth.header(registry, scopes, request.signal);
          continue;
        }
        throw new ToolError(
          'unauthorized',
          `HTTP 401 for ${method} ${new URL(path, registry.origin).pathname} on ${registry.host}`,
          401,
          'The registry wants credentials: DOCKER_HUB_USER / DOCKER_HUB_TOKEN for Docker Hub, or an entry in $DOCKER_CONFIG/config.json for other registries.',
        );
      }
      if (attempt === 0 && !authorization && result.status_code < 400) this.options.auth.markOpen(registry);
      if (result.status_code >= 300 && result.status_code < 400) {
        return this.followRedirect<T>(registry, method, result, request);
      }
      return result;
    }
  }

  /** Follows a redirect (e.g. a blob on a CDN); Authorization is only resent on the same origin. */
  private async followRedirect<T>(
    registry: Registry,
    method: string,
    first: HttpResult<T>,
    request: RegistryRequest,
  ): Promise<HttpResult<T>> {
    let current = first;
    let url = new URL(registry.origin);
    for (let hop = 0; hop < MAX_REDIRECTS; hop++) {
      const location = current.raw.get('location');
      cancelBody(current.data);
      if (!location || (method !== 'GET' && method !== 'HEAD')) {
        throw new ToolError(
          'upstream_error',
          `the registry answered ${method} with a redirect (${current.status_code}) that cannot be followed`,
        );
      }
      const from = url;
      url = new URL(location, url);
      if (url.protocol !== 'https:' && url.protocol !== 'http:')
        throw new ToolError('upstream_error', `redirect to unsupported URL scheme ${url.protocol}`);
      if (from.protocol === 'https:' && url.protocol === 'http:')
        throw egressError(`registry ${registry.host} redirected ${method} from https to plain http (${url.origin})`);
      const sameOrigin = url.origin === registry.origin;
      const headers: Record<string, string> = { ...request.headers };
      if (sameOrigin) {
        const authorization = await this.options.auth.header(registry, request.scopes, request.signal);
        if (authorization) headers.authorization = authorization;
      }
      this.requests++;
      current = await this.base(url.origin, upstreamName(registry)).request<T>({
        method,
        path: url.toString(),
        headers,
        accept: request.accept,
        read: request.read,
        check: request.check,
        redirect: 'manual',
        signal: request.signal,
        timeoutMs: request.timeoutMs,
        bounded: request.bounded,
      });
      if (current.status_code < 300 || current.status_code >= 400) return current;
    }
    throw new ToolError('upstream_error', `more than ${MAX_REDIRECTS} redirects`);
  }
}

/** Drops an unread streamed body (not awaited; see discard in http/client.ts). */
function cancelBody(data: unknown): void {
  if (data instanceof ReadableStream) data.cancel().catch(() => undefined);
  else if (data instanceof Readable) data.destroy();
}
