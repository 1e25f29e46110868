// A Map that keeps at most `max` entries, dropping the least recently used: for state keyed by
// something a tool argument chooses (a registry origin, a port), so naming a million hosts costs
// a bounded amount of memory. Everything kept in one is rebuilt on a miss.
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly max: number) {
    super();
  }

  override get(key: K): V | undefined {
    if (!super.has(key)) return undefined;
    const value = super.get(key) as V;
    // Re-insert: Map order is insertion order, so the front is the least recently used.
    super.delete(key);
    super.set(key, value);
    return value;
  }

  override set(key: K, value: V): this {
    super.delete(key);
    super.set(key, value);
    while (this.size > this.max) {
      const oldest = this.keys().next();
      if (oldest.done === true) break;
      super.delete(oldest.value);
    }
    return this;
  }
}
