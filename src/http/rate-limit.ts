// Rate-limit telemetry, kept process-wide per upstream so `hub_admin rate_limit` can show the
// latest figures (the reference built a new client per call and always reported nothing).
import { BoundedMap } from '../util/bounded-map.js';

export interface RateLimitSnapshot {
  limit?: number;
  remaining?: number;
  /** Unix seconds when the window resets (Hub's X-RateLimit-Reset). */
  reset?: number;
  /** Window length in seconds from the registry form `100;w=21600`. */
  window_seconds?: number;
  /** docker-ratelimit-source: the IP or account the pull limit is counted against. */
  source?: string;
  /** ISO time the headers were seen. */
  observed_at: string;
}

function firstNumber(value: string | null): number | undefined {
  if (value === null) return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)/.exec(value);
  return match?.[1] !== undefined ? Number(match[1]) : undefined;
}

function windowOf(value: string | null): number | undefined {
  const match = value === null ? null : /;\s*w=(\d+)/.exec(value);
  return match?.[1] !== undefined ? Number(match[1]) : undefined;
}

/** Reads Hub's X-RateLimit-* and the registry's ratelimit-* headers; undefined when none is present. */
export function parseRateLimit(headers: Headers, now: Date = new Date()): RateLimitSnapshot | undefined {
  const limitRaw = headers.get('x-ratelimit-limit') ?? headers.get('ratelimit-limit');
  const remainingRaw = headers.get('x-ratelimit-remaining') ?? headers.get('ratelimit-remaining');
  const resetRaw = headers.get('x-ratelimit-reset') ?? headers.get('ratelimit-reset');
  const source = headers.get('docker-ratelimit-source') ?? undefined;
  if (limitRaw === null && remainingRaw === null && resetRaw === null && source === undefined) return undefined;
  const snapshot: RateLimitSnapshot = { observed_at: now.toISOString() };
  const limit = firstNumber(limitRaw);
  const remaining = firstNumber(remainingRaw);
  const reset = firstNumber(resetRaw);
  const window = windowOf(limitRaw) ?? windowOf(remainingRaw);
  if (limit !== undefined) snapshot.limit = limit;
  if (remaining !== undefined) snapshot.remaining = remaining;
  if (reset !== undefined) snapshot.reset = reset;
  if (window !== undefined) snapshot.window_seconds = window;
  if (source !== undefined) snapshot.source = source;
  return snapshot;
}

/** The latest snapshot per upstream ("hub", "scout", "registry", or "registry:<host>"). */
export class RateLimitStore {
  /** Per upstream, registries included (bounded: tool arguments name registries). */
  private readonly latest = new BoundedMap<string, RateLimitSnapshot>(256);

  record(upstream: string, snapshot: RateLimitSnapshot | undefined): void {
    if (snapshot) this.latest.set(upstream, snapshot);
  }

  get(upstream: string): RateLimitSnapshot | undefined {
    return this.latest.get(upstream);
  }

  all(): Record<string, RateLimitSnapshot> {
    return Object.fromEntries([...this.latest.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }
}
