// The content cache, directly: a byte-capped LRU for digest-addressed content.
import { describe, expect, it } from 'vitest';
import { ContentCache } from '../../../src/registry/cache.js';

const bytes = (n: number): Buffer => Buffer.alloc(n, 1);

describe('ContentCache', () => {
  it('evicts the least recently used entries to stay under its byte cap', () => {
    const cache = new ContentCache(100);
    cache.set('a', bytes(20));
    cache.set('b', bytes(20));
    cache.set('c', bytes(20));
    expect(cache.get('a')).toBeDefined(); // a is now the most recent
    cache.set('d', bytes(20));
    cache.set('e', bytes(20));
    cache.set('f', bytes(20)); // 120 bytes: the oldest (b) goes
    expect(cache.has('b')).toBe(false);
    expect(cache.has('a')).toBe(true);
    expect(cache.size).toBeLessThanOrEqual(100);
  });

  it('refuses an item over a quarter of the cap instead of flushing everything for it', () => {
    const cache = new ContentCache(100);
    cache.set('small', bytes(10));
    cache.set('huge', bytes(26));
    expect(cache.has('huge')).toBe(false);
    expect(cache.has('small')).toBe(true);
  });

  it('replaces an entry without double-counting it, and counts hits and misses', () => {
    const cache = new ContentCache(100);
    cache.set('a', bytes(10));
    cache.set('a', bytes(20));
    expect(cache.size).toBe(20);
    cache.get('a');
    cache.get('nope');
    expect([cache.hits, cache.misses]).toEqual([1, 1]);
  });

  it('forgets by prefix (a deleted manifest, a whole repository)', () => {
    const cache = new ContentCache(1000);
    cache.set('reg/acme/app@sha256:1', bytes(10));
    cache.set('reg/acme/app@sha256:2', bytes(10));
    cache.set('reg/acme/other@sha256:1', bytes(10));
    cache.forget('reg/acme/app@');
    expect([cache.has('reg/acme/app@sha256:1'), cache.has('reg/acme/other@sha256:1')]).toEqual([false, true]);
    expect(cache.size).toBe(10);
  });
});
