// A byte-capped LRU for digest-addressed content (manifests, configs): immutable, so a hit is
// always right, and repeated inspects cost no request.

export class ContentCache {
  private readonly entries = new Map<string, Buffer>();
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(private readonly maxBytes: number) {}

  get(key: string): Buffer | undefined {
    const value = this.entries.get(key);
    if (value === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // Re-insert to mark as most recently used.
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  set(key: string, value: Buffer): void {
    if (value.byteLength > this.maxBytes / 4) return; // one huge item must not flush everything
    const old = this.entries.get(key);
    if (old) {
      this.bytes -= old.byteLength;
      this.entries.delete(key);
    }
    this.entries.set(key, value);
    this.bytes += value.byteLength;
    for (const [oldest, item] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= item.byteLength;
    }
  }

  /** Drops every entry whose key starts with `prefix` (a deleted manifest, or a whole repository). */
  forget(prefix: string): void {
    for (const [key, value] of this.entries) {
      if (key.startsWith(prefix)) {
        this.entries.delete(key);
        this.bytes -= value.byteLength;
      }
    }
  }

  get size(): number {
    return this.bytes;
  }
}
