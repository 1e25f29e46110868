import { describe, expect, it } from 'vitest';
import {
  decideRetry,
  DEFAULT_RETRY_POLICY,
  isIdempotent,
  serverRetryDelayMs,
  type AttemptOutcome,
  type RetryPolicy,
} from '../../../src/http/retry.js';

// A whole second, so HTTP dates (second resolution) convert back exactly.
const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);

function outcome(partial: Partial<AttemptOutcome>): AttemptOutcome {
  return { method: 'GET', attempt: 1, waitedMs: 0, replayable: true, now: NOW, random: () => 0.5, ...partial };
}

const headers = (init: Record<string, string>): Headers => new Headers(init);

describe('serverRetryDelayMs', () => {
  it('reads Retry-After in seconds', () => {
    expect(serverRetryDelayMs(headers({ 'retry-after': '7' }), NOW)).toBe(7000);
  });

  it('reads Retry-After as an HTTP date', () => {
    expect(serverRetryDelayMs(headers({ 'retry-after': new Date(NOW + 12_000).toUTCString() }), NOW)).toBe(12_000);
  });

  it("reads Hub's X-Retry-After unix time", () => {
    expect(serverRetryDelayMs(headers({ 'x-retry-after': String(NOW / 1000 + 9) }), NOW)).toBe(9000);
  });

  it('a time already past means no wait', () => {
    expect(serverRetryDelayMs(headers({ 'retry-after': new Date(NOW - 60_000).toUTCString() }), NOW)).toBe(0);
    expect(serverRetryDelayMs(headers({ 'x-retry-after': String(NOW / 1000 - 60) }), NOW)).toBe(0);
  });

  it('is undefined when absent or unreadable', () => {
    expect(serverRetryDelayMs(headers({}), NOW)).toBeUndefined();
    expect(serverRetryDelayMs(headers({ 'retry-after': 'soon' }), NOW)).toBeUndefined();
  });
});

describe('429', () => {
  it('is retried after the Retry-After seconds', () => {
    expect(decideRetry(outcome({ status: 429, headers: headers({ 'retry-after': '2' }) }))).toEqual({
      retry: true,
      delayMs: 2000,
      reason: expect.any(String),
    });
  });

  it('is retried after an HTTP-date Retry-After', () => {
    const decision = decideRetry(outcome({ status: 429, headers: headers({ 'retry-after': new Date(NOW + 4000).toUTCString() }) }));
    expect(decision).toMatchObject({ retry: true, delayMs: 4000 });
  });

  it("is retried at Hub's X-Retry-After time", () => {
    const decision = decideRetry(outcome({ status: 429, headers: headers({ 'x-retry-after': String(NOW / 1000 + 3) }) }));
    expect(decision).toMatchObject({ retry: true, delayMs: 3000 });
  });

  it('is retried even for a POST (the request was not processed)', () => {
    expect(decideRetry(outcome({ method: 'POST', status: 429, headers: headers({ 'retry-after': '1' }) }))).toMatchObject({
      retry: true,
      delayMs: 1000,
    });
  });

  it('asking for longer than the single-wait cap is not retried, and says when to come back', () => {
    const decision = decideRetry(outcome({ status: 429, headers: headers({ 'retry-after': '3600' }) }));
    expect(decision).toEqual({ retry: false, reason: expect.any(String), retryAtMs: NOW + 3_600_000 });
  });

  it('a wait that would overrun the total budget is not retried, and says when to come back', () => {
    const decision = decideRetry(
      outcome({ status: 429, headers: headers({ 'retry-after': '20' }), waitedMs: DEFAULT_RETRY_POLICY.maxTotalWaitMs - 10_000 }),
    );
    expect(decision).toEqual({ retry: false, reason: expect.any(String), retryAtMs: NOW + 20_000 });
  });

  it('without a server hint falls back to a bounded backoff', () => {
    const decision = decideRetry(outcome({ status: 429 }));
    expect(decision.retry).toBe(true);
    if (decision.retry) {
      expect(decision.delayMs).toBeGreaterThan(0);
      expect(decision.delayMs).toBeLessThanOrEqual(DEFAULT_RETRY_POLICY.maxDelayMs);
    }
  });
});

describe('5xx and network errors', () => {
  it.each(['GET', 'HEAD', 'PUT', 'DELETE'])('503 on %s is retried', (method) => {
    expect(decideRetry(outcome({ method, status: 503 })).retry).toBe(true);
  });

  it.each(['POST', 'PATCH'])('503 on %s is not retried', (method) => {
    expect(decideRetry(outcome({ method, status: 503 }))).toMatchObject({ retry: false });
  });

  it.each([500, 502, 504, 408])('%i on GET is retried', (status) => {
    expect(decideRetry(outcome({ status })).retry).toBe(true);
  });

  it.each([400, 401, 403, 404, 409, 501])('%i is never retried', (status) => {
    expect(decideRetry(outcome({ status })).retry).toBe(false);
  });

  it('a network error on GET is retried, on POST not', () => {
    expect(decideRetry(outcome({ method: 'GET' })).retry).toBe(true);
    expect(decideRetry(outcome({ method: 'POST' })).retry).toBe(false);
  });

  it('503 honours its Retry-After, capped at the single-wait cap', () => {
    expect(decideRetry(outcome({ status: 503, headers: headers({ 'retry-after': '5' }) }))).toMatchObject({ retry: true, delayMs: 5000 });
    expect(decideRetry(outcome({ status: 503, headers: headers({ 'retry-after': '9999' }) }))).toMatchObject({
      retry: true,
      delayMs: DEFAULT_RETRY_POLICY.maxDelayMs,
    });
  });

  it('backoff grows with the attempt and stays within the cap', () => {
    const at = (attempt: number, random: number): number => {
      const decision = decideRetry(outcome({ status: 502, attempt, random: () => random }));
      if (!decision.retry) throw new Error('expected a retry');
      return decision.delayMs;
    };
    expect(at(3, 0.999)).toBeGreaterThan(at(1, 0.999));
    for (let attempt = 1; attempt <= 3; attempt++) {
      for (const random of [0, 0.5, 0.999]) {
        expect(at(attempt, random)).toBeGreaterThan(0);
        expect(at(attempt, random)).toBeLessThanOrEqual(DEFAULT_RETRY_POLICY.baseDelayMs * 2 ** (attempt - 1));
      }
    }
  });
});

describe('limits', () => {
  it('a non-replayable stream body is never retried, whatever the status', () => {
    for (const status of [429, 503, undefined]) {
      expect(decideRetry(outcome({ method: 'PUT', status, headers: headers({ 'retry-after': '1' }), replayable: false })).retry).toBe(
        false,
      );
    }
  });

  it('gives up after maxRetries', () => {
    expect(decideRetry(outcome({ status: 503, attempt: DEFAULT_RETRY_POLICY.maxRetries })).retry).toBe(true);
    expect(decideRetry(outcome({ status: 503, attempt: DEFAULT_RETRY_POLICY.maxRetries + 1 })).retry).toBe(false);
    expect(
      decideRetry(outcome({ status: 429, headers: headers({ 'retry-after': '1' }), attempt: DEFAULT_RETRY_POLICY.maxRetries + 1 })).retry,
    ).toBe(false);
  });

  it('the total wait of one call stays within maxTotalWaitMs', () => {
    const policy: RetryPolicy = { maxRetries: 1000, maxDelayMs: 10_000, maxTotalWaitMs: 25_000, baseDelayMs: 1000 };
    for (const status of [503, 429, undefined]) {
      let waited = 0;
      let retries = 0;
      for (let attempt = 1; attempt < 1000; attempt++) {
        const decision = decideRetry(outcome({ status, attempt, waitedMs: waited, random: () => 0.999 }), policy);
        if (!decision.retry) break;
        waited += decision.delayMs;
        retries++;
      }
      expect(retries).toBeGreaterThan(0);
      expect(retries).toBeLessThan(1000);
      expect(waited).toBeLessThanOrEqual(policy.maxTotalWaitMs);
    }
  });
});

describe('isIdempotent', () => {
  it('knows the idempotent methods, in any case', () => {
    expect(['get', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'].every(isIdempotent)).toBe(true);
    expect(['POST', 'patch'].some(isIdempotent)).toBe(false);
  });
});

describe('requests the caller marks safe to repeat', () => {
  it('retries a POST marked idempotent after a 503 or a network error', () => {
    expect(decideRetry(outcome({ method: 'POST', status: 503, idempotent: true })).retry).toBe(true);
    expect(decideRetry(outcome({ method: 'POST', idempotent: true })).retry).toBe(true);
  });

  it('still never retries an unmarked POST', () => {
    expect(decideRetry(outcome({ method: 'POST', status: 503 })).retry).toBe(false);
  });
});
