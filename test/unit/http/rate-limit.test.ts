import { describe, expect, it } from 'vitest';
import { parseRateLimit, RateLimitStore, type RateLimitSnapshot } from '../../../src/http/rate-limit.js';

const AT = new Date('2025-01-15T12:00:00.000Z');

describe('parseRateLimit', () => {
  it("reads Hub's X-RateLimit-* headers", () => {
    const headers = new Headers({ 'X-RateLimit-Limit': '180', 'X-RateLimit-Remaining': '179', 'X-RateLimit-Reset': '1736942460' });
    expect(parseRateLimit(headers, AT)).toEqual({ limit: 180, remaining: 179, reset: 1736942460, observed_at: '2025-01-15T12:00:00.000Z' });
  });

  it("reads the registry's ratelimit-* headers with their window", () => {
    const headers = new Headers({
      'ratelimit-limit': '100;w=21600',
      'ratelimit-remaining': '76;w=21600',
      'docker-ratelimit-source': '203.0.113.7',
    });
    expect(parseRateLimit(headers, AT)).toEqual({
      limit: 100,
      remaining: 76,
      window_seconds: 21600,
      source: '203.0.113.7',
      observed_at: AT.toISOString(),
    });
  });

  it('takes the window from remaining when limit has none', () => {
    expect(parseRateLimit(new Headers({ 'ratelimit-limit': '200', 'ratelimit-remaining': '10;w=3600' }), AT)).toMatchObject({
      limit: 200,
      remaining: 10,
      window_seconds: 3600,
    });
  });

  it('a source header alone is a snapshot', () => {
    expect(parseRateLimit(new Headers({ 'docker-ratelimit-source': 'account-uuid' }), AT)).toEqual({
      source: 'account-uuid',
      observed_at: AT.toISOString(),
    });
  });

  it('is undefined when no rate-limit header is present', () => {
    expect(parseRateLimit(new Headers({ 'content-type': 'application/json' }), AT)).toBeUndefined();
  });

  it('leaves out figures it cannot read', () => {
    const snapshot = parseRateLimit(new Headers({ 'x-ratelimit-limit': 'lots', 'x-ratelimit-remaining': '3' }), AT);
    expect(snapshot).toEqual({ remaining: 3, observed_at: AT.toISOString() });
  });
});

describe('RateLimitStore', () => {
  const snap = (remaining: number): RateLimitSnapshot => ({ limit: 100, remaining, observed_at: AT.toISOString() });

  it('keeps the latest snapshot per upstream', () => {
    const store = new RateLimitStore();
    store.record('hub', snap(10));
    store.record('registry:ghcr.io', snap(50));
    store.record('hub', snap(9));
    expect(store.get('hub')).toEqual(snap(9));
    expect(store.get('registry:ghcr.io')).toEqual(snap(50));
    expect(store.get('scout')).toBeUndefined();
  });

  it('a response without headers does not erase the last figures', () => {
    const store = new RateLimitStore();
    store.record('hub', snap(5));
    store.record('hub', undefined);
    expect(store.get('hub')).toEqual(snap(5));
  });

  it('all() lists every upstream, sorted by name', () => {
    const store = new RateLimitStore();
    store.record('scout', snap(1));
    store.record('hub', snap(2));
    store.record('registry', snap(3));
    expect(Object.keys(store.all())).toEqual(['hub', 'registry', 'scout']);
    expect(store.all().registry).toEqual(snap(3));
  });
});
