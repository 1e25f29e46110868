// The open HTTP sessions, with what the cap and idle expiry need: when each was last used and how
// many requests are in flight on it. One-shot clients (scripts, inspectors) never send DELETE, so
// at the cap the least recently used idle session makes room; only busy sessions are never closed.

export interface SessionEntry<T> {
  readonly value: T;
  lastSeen: number;
  /** Requests in flight (POSTs whose response has not ended); a standalone GET stream is not one. */
  busy: number;
}

export type Admission = { kind: 'room' } | { kind: 'evict'; id: string } | { kind: 'full' };

export class SessionTable<T> {
  private readonly entries = new Map<string, SessionEntry<T>>();
  /** Sessions being initialized: counted against the cap before they have an id. */
  private opening = 0;

  constructor(
    private readonly max: number,
    private readonly idleMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  ids(): string[] {
    return [...this.entries.keys()];
  }

  get(id: string): SessionEntry<T> | undefined {
    return this.entries.get(id);
  }

  add(id: string, value: T): void {
    this.entries.set(id, { value, lastSeen: this.now(), busy: 0 });
  }

  delete(id: string): SessionEntry<T> | undefined {
    const entry = this.entries.get(id);
    this.entries.delete(id);
    return entry;
  }

  /** Marks a request in flight on `id`; the returned function ends it (once). */
  begin(id: string): () => void {
    const entry = this.entries.get(id);
    if (!entry) return () => undefined;
    entry.busy++;
    entry.lastSeen = this.now();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      entry.busy--;
      entry.lastSeen = this.now();
    };
  }

  /** Idle sessions unused for longer than the idle timeout. */
  expired(): string[] {
    const cutoff = this.now() - this.idleMs;
    return [...this.entries].filter(([, entry]) => entry.busy === 0 && entry.lastSeen < cutoff).map(([id]) => id);
  }

  /**
   * Whether a new session fits: there is room, or the least recently used idle session should be
   * closed first, or every session is busy. Call `reserve()` when admitting, `release()` after.
   */
  admit(): Admission {
    if (this.entries.size + this.opening < this.max) return { kind: 'room' };
    let oldest: [string, SessionEntry<T>] | undefined;
    for (const pair of this.entries) {
      if (pair[1].busy === 0 && (!oldest || pair[1].lastSeen < oldest[1].lastSeen)) oldest = pair;
    }
    return oldest ? { kind: 'evict', id: oldest[0] } : { kind: 'full' };
  }

  reserve(): void {
    this.opening++;
  }

  release(): void {
    this.opening = Math.max(0, this.opening - 1);
  }
}
