// The request base shared by the Hub, registry and Scout clients: URL building, auth header,
// retries with backoff, one re-auth on 401, rate-limit capture, error mapping, bounded reads and
// cancellation. Domain clients add meaning; this file adds none.
import { Readable } from 'node:stream';
import { discard, readBounded } from './body.js';
import { egressError, egressRefusalIn, type EgressPolicy } from './egress.js';
import { envelope, pickHeaders, type Envelope } from './envelope.js';
import { errorFromResponse, ToolError } from './errors.js';
import type { Fetcher, StreamFetcher } from './fetch.js';
import { describeNetworkError, networkCode, toolErrorIn } from './network-errors.js';
import { parseRateLimit, type RateLimitStore } from './rate-limit.js';
import { isRedirect, nextHop, ORIGIN_BOUND_HEADERS } from './redirects.js';
import { gateBody, type StreamCheck } from './bulk-gate.js';
import type { ThroughputFloor } from './throughput.js';
import { jsonBoundsViolation, UPSTREAM_JSON_BOUNDS } from '../util/json-bounds.js';
import { decideRetry, DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
import type { Logger } from '../log.js';

export type QueryValue = string | number | boolean | null | undefined;

export interface RequestOptions {
  method?: string;
  /** A path joined to the base URL, or an absolute URL. */
  path: string;
  query?: Record<string, QueryValue>;
  headers?: Record<string, string>;
  /** JSON body; sets Content-Type unless given. */
  json?: unknown;
  /** Raw body. A stream (web or Node) cannot be replayed, so a request with one is never retried. */
  body?: string | Uint8Array | ReadableStream<Uint8Array> | Readable;
  signal?: AbortSignal;
  /** Send the auth header (default true). */
  auth?: boolean;
  /**
   * How to read the body: auto (JSON by content type, else text), text, bytes (a Buffer, for
   * content that is hashed), stream (the body itself, unread: the caller must consume or cancel
   * it), readable (the same as a Node stream: the cheap path for bulk bytes), or none (discard).
   */
  read?: 'auto' | 'text' | 'bytes' | 'stream' | 'readable' | 'none';
  /** For `readable` reads: a check (a digest) on a 2xx body, in the floor's stage (bulk-gate.ts). */
  check?: StreamCheck;
  /**
   * `follow` (default) follows GET / HEAD redirects here, hop by hop under the egress policy;
   * `manual` returns 3xx responses to the caller (registries: auth per origin).
   */
  redirect?: 'follow' | 'manual';
  /**
   * Deadline in ms for this request as a whole: every attempt, every retry wait and the whole
   * body (default: the base's timeout). Streamed reads and uploads have none unless `bounded`;
   * their bodies are held to the throughput floor instead.
   */
  timeoutMs?: number;
  /** A streamed read of small, capped content (`get_blob`): the deadline covers its whole body. */
  bounded?: boolean;
  /** Statuses returned as data instead of raised (e.g. 404 for an existence check). */
  accept?: readonly number[];
  /** Extra hint for errors from this call. */
  hint?: string;
  /** Safe to repeat after a 5xx or network error even though the method is POST (reads, token mints). */
  idempotent?: boolean;
}

export interface AuthProvider {
  /** The Authorization header value, or undefined for anonymous. */
  header(signal?: AbortSignal): Promise<string | undefined>;
  /**
   * Drops a cached credential after a 401 so the next header() fetches a fresh one. Returns true
   * when a retry can help (a static token cannot be refreshed, so it returns false).
   */
  invalidate?(): boolean;
}

export interface RequestBaseOptions {
  /** Name for rate-limit telemetry and logs: "hub", "scout", "registry:<host>". */
  upstream: string;
  baseUrl: string;
  fetch: Fetcher;
  /** Used instead of `fetch` for streamed bodies and `readable` reads, when given (see PooledFetcher.streams). */
  streams?: StreamFetcher;
  rateLimits: RateLimitStore;
  logger: Logger;
  timeoutMs: number;
  auth?: AuthProvider;
  retry?: RetryPolicy;
  /** Largest body read into memory; larger bodies must be streamed by the caller. */
  maxBodyBytes?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Checked on every URL before it is requested, redirect targets included. */
  egress?: EgressPolicy;
  /** Streamed bodies (both ways) that stay under this rate for a window are cut. */
  streamFloor?: ThroughputFloor;
}

export interface HttpResult<T> extends Envelope<T> {
  /** Raw response headers, for callers that need more than the shown subset. */
  raw: Headers;
}

const DEFAULT_MAX_BODY = 32 * 1024 * 1024;

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason instanceof Error ? signal.reason : new DOMException('aborted', 'AbortError'));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new DOMException('aborted', 'AbortError'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export class RequestBase {
  readonly upstream: string;
  readonly baseUrl: string;
  private readonly options: RequestBaseOptions;

  constructor(options: RequestBaseOptions) {
    this.options = options;
    this.upstream = options.upstream;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  url(path: string, query?: Record<string, QueryValue>): URL {
    const url = /^https?:\/\//i.test(path) ? new URL(path) : new URL(this.baseUrl + (path.startsWith('/') ? path : `/${path}`));
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null) url.searchParams.set(key, String(value));
    }
    return url;
  }

  async request<T = unknown>(options: RequestOptions): Promise<HttpResult<T>> {
    const method = (options.method ?? 'GET').toUpperCase();
    const url = this.url(options.path, options.query);
    const display = url.pathname;
    const policy = this.options.retry ?? DEFAULT_RETRY_POLICY;
    const sleep = this.options.sleep ?? abortableSleep;
    const streamBody = options.body instanceof ReadableStream || options.body instanceof Readable;
    const replayable = !streamBody;
    const hasBody = options.json !== undefined || options.body !== undefined;
    let reauthed = false;
    let waitedMs = 0;
    const streamed = options.read === 'stream' || options.read === 'readable' || streamBody;
    const viaStreams = this.options.streams && (streamBody || options.read === 'readable') ? this.options.streams : undefined;
    const budgetMs = options.timeoutMs ?? this.options.timeoutMs;
    // One deadline for the whole request (attempts, waits, body), so a slow-dripping body or a
    // long Retry-After cannot hold a call past DOCKERHUB_TIMEOUT.
    const callDeadline = !streamed || options.bounded === true ? Date.now() + budgetMs : undefined;
    const budgetLeft = (): number | undefined => (callDeadline === undefined ? undefined : callDeadline - Date.now());
    const timeoutError = (): ToolError =>
      new ToolError(
        'timeout',
        `${method} ${display}: no complete answer from ${this.upstream} within ${budgetMs} ms`,
        undefined,
        'Raise DOCKERHUB_TIMEOUT if the upstream is slow.',
      );
    /** Where this attempt goes: the URL asked for, or a redirect target on a followed hop. */
    let target = url;
    let hops = 0;

    for (let attempt = 1; ; attempt++) {
      this.options.egress?.checkUrl(target, `${method} ${this.upstream}`);
      const sameOrigin = target.origin === url.origin;
      const headers = new Headers(options.headers);
      if (!sameOrigin) for (const name of ORIGIN_BOUND_HEADERS) headers.delete(name);
      if (!headers.has('accept')) headers.set('accept', 'application/json');
      let body: string | Uint8Array | ReadableStream<Uint8Array> | Readable | undefined;
      if (options.json !== undefined) {
        body = JSON.stringify(options.json);
        if (!headers.has('content-type')) headers.set('content-type', 'application/json');
      } else if (options.body instanceof Readable || options.body instanceof ReadableStream) {
        body = this.floored(options.body, `${method} ${display} (upload)`, viaStreams !== undefined);
      } else if (options.body !== undefined) {
        body = options.body;
      }
      if (sameOrigin && options.auth !== false && this.options.auth) {
        const value = await this.options.auth.header(options.signal);
        if (value) headers.set('authorization', value);
      }

      // A streamed body can take longer than any fixed deadline: undici's headers and body
      // timeouts bound every idle gap, and the throughput floor a slow drip.
      const left = budgetLeft();
      if (left !== undefined && left <= 0) throw timeoutError();
      const deadline = left === undefined ? undefined : AbortSignal.timeout(left);
      const signals = [options.signal, deadline].filter((s): s is AbortSignal => s !== undefined);
      const signal = signals.length > 0 ? AbortSignal.any(signals) : undefined;
      let response: Response;
      /** A 2xx body handed over as a Node stream by the streams path (`readable` reads). */
      let nodeBody: Readable | undefined;
      try {
        if (viaStreams) {
          const payload = body instanceof ReadableStream ? Readable.fromWeb(body) : body;
          const answer = await viaStreams(target.toString(), {
            method,
            headers,
            body: payload,
            signal,
            keepBody: options.read === 'readable',
          });
          response = answer.response;
          nodeBody = answer.body;
        } else {
          // Redirects are never left to fetch: each hop is checked by the egress policy here.
          const payload = body instanceof Readable ? (Readable.toWeb(body) as unknown as ReadableStream<Uint8Array>) : body;
          const init: RequestInit & { duplex?: 'half' } = { method, headers, body: payload, signal, redirect: 'manual' };
          if (payload instanceof ReadableStream) init.duplex = 'half';
          response = await this.options.fetch(target.toString(), init);
        }
      } catch (error) {
        if (options.signal?.aborted) throw new ToolError('cancelled', `${method} ${display} was cancelled`);
        const floorError = toolErrorIn(error);
        if (floorError) throw floorError;
        const refusal = egressRefusalIn(error);
        if (refusal) throw egressError(`${method} ${this.upstream} ${target.host}: ${refusal.message}`);
        const timedOut = deadline?.aborted === true;
        if (!timedOut && networkCode(error) === 'ENOTFOUND') {
          // A name that does not resolve will not resolve on a retry a second later.
          throw new ToolError(
            'network_error',
            `${method} ${display}: the host name ${target.hostname} does not resolve`,
            undefined,
            'Check the registry or URL setting for a typo; the name is unknown to DNS.',
          );
        }
        const decision = decideRetry(
          { method, idempotent: options.idempotent, attempt, waitedMs, replayable, budgetLeftMs: budgetLeft() },
          policy,
        );
        this.options.logger.warn('upstream request failed', {
          upstream: this.upstream,
          method,
          path: display,
          error: timedOut ? 'timeout' : describeNetworkError(error),
          retry: decision.retry,
        });
        if (decision.retry) {
          waitedMs += decision.delayMs;
          await sleep(decision.delayMs, options.signal);
          continue;
        }
        if (timedOut) throw timeoutError();
        throw new ToolError(
          'network_error',
          `${method} ${display}: ${describeNetworkError(error)}`,
          undefined,
          `Could not reach ${target.origin}; check the URL settings and the network.`,
        );
      }

      if (options.redirect !== 'manual' && isRedirect(response.status)) {
        discard(response.body);
        target = nextHop({ upstream: this.upstream, from: target, response, method, display, hasBody, hops: ++hops });
        attempt--;
        continue;
      }

      const rateLimit = parseRateLimit(response.headers);
      this.options.rateLimits.record(this.upstream, rateLimit);

      if (response.status === 401 && sameOrigin && !reauthed && options.auth !== false && this.options.auth?.invalidate?.() === true) {
        reauthed = true;
        discard(response.body);
        continue;
      }

      const redirected = options.redirect === 'manual' && response.status >= 300 && response.status < 400;
      const accepted = response.ok || redirected || (options.accept?.includes(response.status) ?? false);
      if (!accepted) {
        const decision = decideRetry(
          {
            method,
            idempotent: options.idempotent,
            status: response.status,
            headers: response.headers,
            attempt,
            waitedMs,
            replayable,
            budgetLeftMs: budgetLeft(),
          },
          policy,
        );
        if (decision.retry) {
          discard(response.body);
          this.options.logger.info('retrying upstream request', {
            upstream: this.upstream,
            method,
            path: display,
            status: response.status,
            delay_ms: decision.delayMs,
          });
          waitedMs += decision.delayMs;
          await sleep(decision.delayMs, options.signal);
          continue;
        }
        const errorBody = await this.readBody(response, 'auto', method).catch(() => undefined);
        let hint = options.hint;
        if (response.status === 429) {
          const until = decision.retry === false && decision.retryAtMs ? new Date(decision.retryAtMs).toISOString() : undefined;
          hint = `Rate limited${until ? ` until ${until}` : ''}; see hub_admin rate_limit. Authenticated requests get higher limits.`;
        }
        throw errorFromResponse(response.status, errorBody, method, display, hint);
      }

      let data: T;
      try {
        // Only the content itself is checked, never a redirect's or an error's body.
        const check = response.status >= 200 && response.status < 300 ? options.check : undefined;
        const read = options.read ?? 'auto';
        data = (
          nodeBody ? this.floored(nodeBody, `${method} ${display}`, true, check) : await this.readBody(response, read, method, check)
        ) as T;
      } catch (error) {
        if (error instanceof ToolError) throw error;
        if (options.signal?.aborted) throw new ToolError('cancelled', `${method} ${display} was cancelled`);
        if (deadline?.aborted === true) throw timeoutError();
        // The connection broke mid-body (reset, truncation, body timeout): same policy as a failed connect.
        const decision = decideRetry(
          { method, idempotent: options.idempotent, attempt, waitedMs, replayable, budgetLeftMs: budgetLeft() },
          policy,
        );
        this.options.logger.warn('upstream body read failed', {
          upstream: this.upstream,
          method,
          path: display,
          error: describeNetworkError(error),
          retry: decision.retry,
        });
        if (decision.retry) {
          waitedMs += decision.delayMs;
          await sleep(decision.delayMs, options.signal);
          continue;
        }
        throw new ToolError('network_error', `${method} ${display}: the response body could not be read (${describeNetworkError(error)})`);
      }
      const result: HttpResult<T> = {
        ...envelope(data, rateLimit ?? this.options.rateLimits.get(this.upstream) ?? null, response.status),
        raw: response.headers,
      };
      const shown = pickHeaders(response.headers);
      if (shown) result.headers = shown;
      return result;
    }
  }

  /** A streamed body held to the floor (and `check`): see gateBody. */
  private floored(
    stream: ReadableStream<Uint8Array> | Readable,
    what: string,
    node: boolean,
    check?: StreamCheck,
  ): ReadableStream<Uint8Array> | Readable {
    return gateBody(stream, { floor: this.options.streamFloor, what: `${this.upstream} ${what}`, check }, node);
  }

  private async readBody(
    response: Response,
    read: NonNullable<RequestOptions['read']>,
    method: string,
    check?: StreamCheck,
  ): Promise<unknown> {
    if (read === 'none' || method === 'HEAD' || response.status === 204 || !response.body) {
      discard(response.body);
      return null;
    }
    const what = `${method} ${response.url ? new URL(response.url).pathname : 'body'}`;
    if (read === 'stream') return this.floored(response.body, what, false);
    if (read === 'readable') return this.floored(response.body, what, true, check);
    const bytes = await readBounded(response, this.options.maxBodyBytes ?? DEFAULT_MAX_BODY);
    if (read === 'bytes') return bytes;
    const text = bytes.toString('utf8');
    if (text.length === 0) return null;
    const type = response.headers.get('content-type') ?? '';
    if (read === 'auto' && /json/i.test(type)) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text) as unknown;
      } catch {
        return text;
      }
      const violation = jsonBoundsViolation(parsed, UPSTREAM_JSON_BOUNDS);
      if (violation) {
        throw new ToolError(
          'invalid_content',
          `${this.upstream} answered with JSON nested deeper than ${violation.limit} levels; not used`,
        );
      }
      return parsed;
    }
    return text;
  }
}
