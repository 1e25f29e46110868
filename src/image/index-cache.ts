// Layer indexes kept by layer digest, least recently used first out, bounded in bytes and count.
// A digest names exact content (every layer read is verified against it), so an entry is right for
// any repository and any registry that serves the same digest: a second question about an image,
// or about another image on the same base, reads no blob.
import type { RegistryClient } from '../registry/client.js';
import type { LayerIndex } from './layer-index.js';

export const INDEX_CACHE_BYTES = 128 * 1024 * 1024;
export const INDEX_CACHE_ENTRIES = 512;

export class LayerIndexCache {
  private readonly entries = new Map<string, LayerIndex>();
  private bytes = 0;

  constructor(
    private readonly maxBytes = INDEX_CACHE_BYTES,
    private readonly maxEntries = INDEX_CACHE_ENTRIES,
  ) {}

  get(digest: string): LayerIndex | undefined {
    const index = this.entries.get(digest);
    if (index) {
      this.entries.delete(digest);
      this.entries.set(digest, index);
    }
    return index;
  }

  set(index: LayerIndex): void {
    // One enormous layer must not flush everything else; it is answered, just not kept.
    if (index.weight > this.maxBytes / 2) return;
    const old = this.entries.get(index.digest);
    if (old) {
      this.entries.delete(index.digest);
      this.bytes -= old.weight;
    }
    this.entries.set(index.digest, index);
    this.bytes += index.weight;
    for (const [digest, item] of this.entries) {
      if (this.bytes <= this.maxBytes && this.entries.size <= this.maxEntries) break;
      this.entries.delete(digest);
      this.bytes -= item.weight;
    }
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }
}

/** One cache per registry client, i.e. per server process (the client outlives every call). */
const caches = new WeakMap<RegistryClient, LayerIndexCache>();

export function indexCacheFor(client: RegistryClient): LayerIndexCache {
  let cache = caches.get(client);
  if (!cache) {
    cache = new LayerIndexCache();
    caches.set(client, cache);
  }
  return cache;
}
