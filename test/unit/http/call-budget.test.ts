// The deadline of a request as a whole, the throughput floor of streams, and the bounds on what
// an upstream chooses (JSON depth, names that do not resolve), with msw and in-memory streams.
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { RequestBase, type RequestBaseOptions } from '../../../src/http/client.js';
import { ToolError } from '../../../src/http/errors.js';
import { RateLimitStore } from '../../../src/http/rate-limit.js';
import { decideRetry } from '../../../src/http/retry.js';
import { withThroughputFloor } from '../../../src/http/throughput.js';
import { silentLogger } from '../../../src/log.js';
import { useMsw } from '../../helpers/unit/msw.js';
import { rejectionOf as failure } from '../../helpers/unit/rejection.js';

const msw = useMsw();
const BASE = 'https://api.test';

function base(overrides: Partial<RequestBaseOptions> = {}): { base: RequestBase; sleeps: number[] } {
  const sleeps: number[] = [];
  return {
    sleeps,
    base: new RequestBase({
      upstream: 'hub',
      baseUrl: BASE,
      fetch: (url, init) => globalThis.fetch(url, init),
      rateLimits: new RateLimitStore(),
      logger: silentLogger,
      timeoutMs: 2_000,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      ...overrides,
    }),
  };
}

describe('Retry-After against the deadline', () => {
  it('a Retry-After longer than the time left answers rate_limited at once, with the time to retry', async () => {
    let hits = 0;
    msw.server.use(
      http.get(`${BASE}/v2/x`, () => {
        hits++;
        return HttpResponse.json({ detail: 'slow down' }, { status: 429, headers: { 'retry-after': '29' } });
      }),
    );
    const { base: b, sleeps } = base();
    const error = await failure(b.request({ path: '/v2/x' }));
    expect(error.type).toBe('rate_limited');
    expect(error.hint).toMatch(/Rate limited until \d{4}-\d\d-\d\dT/);
    expect(hits).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('a Retry-After within the time left is waited for', async () => {
    let hits = 0;
    msw.server.use(
      http.get(`${BASE}/v2/x`, () =>
        ++hits === 1 ? HttpResponse.json({}, { status: 429, headers: { 'retry-after': '1' } }) : HttpResponse.json({ ok: true }),
      ),
    );
    const { base: b, sleeps } = base();
    expect((await b.request({ path: '/v2/x' })).data).toEqual({ ok: true });
    expect(sleeps).toEqual([1000]);
  });

  it('decideRetry: a 503 backoff past the budget is not a retry', () => {
    const decision = decideRetry({
      method: 'GET',
      status: 503,
      attempt: 1,
      waitedMs: 0,
      replayable: true,
      budgetLeftMs: 10,
      random: () => 0.99,
    });
    expect(decision.retry).toBe(false);
  });
});

describe('upstream JSON', () => {
  it('nested past 64 levels is invalid_content, not a stack overflow', async () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    msw.server.use(http.get(`${BASE}/v2/deep`, () => new HttpResponse(deep, { headers: { 'content-type': 'application/json' } })));
    const error = await failure(base().base.request({ path: '/v2/deep' }));
    expect(error.type).toBe('invalid_content');
    expect(error.message).toMatch(/nested deeper than 64 levels/);
  });

  it('64 levels still read', async () => {
    const ok = '['.repeat(64) + ']'.repeat(64);
    msw.server.use(http.get(`${BASE}/v2/ok`, () => new HttpResponse(ok, { headers: { 'content-type': 'application/json' } })));
    expect((await base().base.request({ path: '/v2/ok' })).data).toBeInstanceOf(Array);
  });
});

describe('names that do not resolve', () => {
  it('ENOTFOUND is reported at once, not retried', async () => {
    let attempts = 0;
    const { base: b, sleeps } = base({
      fetch: async () => {
        attempts++;
        throw new TypeError('fetch failed', {
          cause: Object.assign(new Error('getaddrinfo ENOTFOUND nope.invalid'), { code: 'ENOTFOUND' }),
        });
      },
    });
    const error = await failure(b.request({ path: '/v2/' }));
    expect(error.type).toBe('network_error');
    expect(error.message).toMatch(/does not resolve/);
    expect(attempts).toBe(1);
    expect(sleeps).toEqual([]);
  });
});

function dripSource(chunks: number, everyMs: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      await new Promise((resolve) => setTimeout(resolve, everyMs));
      if (sent++ >= chunks) controller.close();
      else controller.enqueue(new Uint8Array(1));
    },
  });
}

async function drain(stream: ReadableStream<Uint8Array>): Promise<number> {
  let bytes = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return bytes;
    bytes += value.byteLength;
  }
}

describe('the throughput floor', () => {
  it('cuts a drip of 1 byte per 20 ms once a 200 ms window averages under the floor', async () => {
    const started = Date.now();
    const error = await drain(withThroughputFloor(dripSource(1_000, 20), { bytesPerSecond: 1024, windowMs: 200 }, 'GET blob')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ToolError);
    expect((error as ToolError).type).toBe('timeout');
    expect((error as ToolError).message).toMatch(/under the floor of 1 KiB\/s; aborted/);
    // Cut after about one window, not after the 20 s the whole drip would take.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('cuts a stream nobody reads from (a stalled receiver) from its timer', async () => {
    const errors: unknown[] = [];
    const floored = withThroughputFloor(dripSource(10, 1), { bytesPerSecond: 1024, windowMs: 100 }, 'PUT upload');
    const reader = floored.getReader();
    await reader.read();
    await new Promise((resolve) => setTimeout(resolve, 400));
    await reader.read().catch((e: unknown) => errors.push(e));
    expect(errors).toHaveLength(1);
    expect((errors[0] as ToolError).message).toMatch(/PUT upload/);
  });

  it('passes a fast stream through unchanged, and 0 turns the floor off', async () => {
    const fast = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 100; i++) controller.enqueue(new Uint8Array(1024));
        controller.close();
      },
    });
    expect(await drain(withThroughputFloor(fast, { bytesPerSecond: 1024, windowMs: 50 }, 'x'))).toBe(102_400);
    const source = dripSource(3, 1);
    expect(withThroughputFloor(source, { bytesPerSecond: 0, windowMs: 50 }, 'x')).toBe(source);
  });
});
