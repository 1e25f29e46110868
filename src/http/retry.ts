// Retry decisions, kept pure so every branch is unit-tested without timers or sockets.

export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Longest single wait; a server asking for longer gets an error naming the reset time instead. */
  maxDelayMs: number;
  /** Bound on the sum of all waits for one call. */
  maxTotalWaitMs: number;
  /** First backoff step for 5xx / network errors; doubles each attempt, with full jitter. */
  baseDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 3,
  maxDelayMs: 30_000,
  maxTotalWaitMs: 60_000,
  baseDelayMs: 250,
};

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
const RETRIABLE_STATUS = new Set([408, 500, 502, 503, 504]);

export function isIdempotent(method: string): boolean {
  return IDEMPOTENT.has(method.toUpperCase());
}

/**
 * Milliseconds the server asked us to wait: `Retry-After` as seconds or an HTTP date, else Hub's
 * `X-Retry-After` as a unix time in seconds. Undefined when absent or unreadable.
 */
export function serverRetryDelayMs(headers: Headers, now: number = Date.now()): number | undefined {
  const retryAfter = headers.get('retry-after')?.trim();
  if (retryAfter) {
    if (/^\d+(\.\d+)?$/.test(retryAfter)) return Math.round(Number(retryAfter) * 1000);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const hubUnix = headers.get('x-retry-after')?.trim();
  if (hubUnix && /^\d+$/.test(hubUnix)) return Math.max(0, Number(hubUnix) * 1000 - now);
  return undefined;
}

export type RetryDecision = { retry: true; delayMs: number; reason: string } | { retry: false; reason: string; retryAtMs?: number };

export interface AttemptOutcome {
  method: string;
  /** The caller vouches the request is safe to repeat whatever its method (a token mint, a GraphQL query). */
  idempotent?: boolean;
  /** HTTP status, or undefined for a network error / timeout. */
  status?: number;
  headers?: Headers;
  /** 1 for the first retry decision after the first attempt. */
  attempt: number;
  /** Total already waited for this call. */
  waitedMs: number;
  /** False when the request body was a stream that has been consumed. */
  replayable: boolean;
  /** Time left of the call's deadline: a wait longer than this is not a retry but an error now. */
  budgetLeftMs?: number;
  now?: number;
  /** Jitter source in [0, 1); injectable for tests. */
  random?: () => number;
}

export function decideRetry(outcome: AttemptOutcome, policy: RetryPolicy = DEFAULT_RETRY_POLICY): RetryDecision {
  const now = outcome.now ?? Date.now();
  const random = outcome.random ?? Math.random;
  if (!outcome.replayable) return { retry: false, reason: 'request body was a stream and cannot be replayed' };
  if (outcome.attempt > policy.maxRetries) return { retry: false, reason: `gave up after ${policy.maxRetries} retries` };

  if (outcome.status === 429) {
    // 429 means the request was not processed, so even a POST may be sent again.
    const asked = outcome.headers ? serverRetryDelayMs(outcome.headers, now) : undefined;
    const delayMs = asked ?? backoff(outcome.attempt, policy, random);
    if (delayMs > policy.maxDelayMs || outcome.waitedMs + delayMs > policy.maxTotalWaitMs) {
      return { retry: false, reason: 'rate limited for longer than the retry budget', retryAtMs: now + delayMs };
    }
    if (outcome.budgetLeftMs !== undefined && delayMs >= outcome.budgetLeftMs) {
      return { retry: false, reason: "rate limited for longer than the call's deadline leaves", retryAtMs: now + delayMs };
    }
    return { retry: true, delayMs, reason: 'rate limited (429)' };
  }

  const transient = outcome.status === undefined || RETRIABLE_STATUS.has(outcome.status);
  if (!transient) return { retry: false, reason: `status ${outcome.status} is not retried` };
  if (!isIdempotent(outcome.method) && outcome.idempotent !== true) {
    return { retry: false, reason: `${outcome.method} is not idempotent; not retried after ${outcome.status ?? 'a network error'}` };
  }
  const asked = outcome.status === 503 && outcome.headers ? serverRetryDelayMs(outcome.headers, now) : undefined;
  const delayMs = Math.min(asked ?? backoff(outcome.attempt, policy, random), policy.maxDelayMs);
  if (outcome.waitedMs + delayMs > policy.maxTotalWaitMs) return { retry: false, reason: 'retry budget spent' };
  if (outcome.budgetLeftMs !== undefined && delayMs >= outcome.budgetLeftMs)
    return { retry: false, reason: "the call's deadline leaves no time" };
  return { retry: true, delayMs, reason: outcome.status === undefined ? 'network error' : `upstream ${outcome.status}` };
}

/** Exponential backoff with full jitter: uniform in [base, base * 2^(attempt-1)]. */
function backoff(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
  return Math.round(policy.baseDelayMs / 2 + random() * (ceiling - policy.baseDelayMs / 2));
}
