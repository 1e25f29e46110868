// The layer index cache: least recently used out first, bounded in bytes and in entries, and one
// huge index answered but not kept.
import { describe, expect, it } from 'vitest';
import { LayerIndexCache } from '../../../src/image/index-cache.js';
import { FileTable } from '../../../src/image/file-table.js';
import type { LayerIndex } from '../../../src/image/layer-index.js';

const index = (digest: string, weight: number): LayerIndex => ({
  digest,
  table: FileTable.of([]),
  metadata: new Map(),
  language: [],
  tarBytes: 0,
  weight,
});

describe('LayerIndexCache', () => {
  it('evicts the least recently used index past the byte bound', () => {
    const cache = new LayerIndexCache(1000, 100);
    cache.set(index('a', 400));
    cache.set(index('b', 400));
    expect(cache.get('a')?.digest).toBe('a'); // a is now the most recent
    cache.set(index('c', 400));
    expect([cache.get('a')?.digest, cache.get('b'), cache.get('c')?.digest]).toEqual(['a', undefined, 'c']);
    expect(cache.size).toEqual({ entries: 2, bytes: 800 });
  });

  it('keeps at most maxEntries indexes and never one larger than half the bound', () => {
    const cache = new LayerIndexCache(10_000, 2);
    for (const d of ['a', 'b', 'c']) cache.set(index(d, 10));
    expect(cache.size.entries).toBe(2);
    expect(cache.get('a')).toBeUndefined();
    cache.set(index('huge', 6000));
    expect(cache.get('huge')).toBeUndefined();
    expect(cache.size.entries).toBe(2);
  });
});
