// One layer's entries in a compact form. A layer of 200k small files held as 200k objects plus a
// Map costs ~150 bytes a file and keeps the garbage collector busy; here the paths and link
// targets are UTF-8 in a few large Buffers and every other field sits in a typed array (≈ 30 bytes
// a file plus its path). A permutation sorted by path bytes (ties: archive order) answers lookups
// by binary search and lets merged views and listings walk the layer in path order without a sort.
import type { EntryType } from './tar.js';

export type IndexType = EntryType | 'whiteout' | 'opaque';

export interface IndexEntry {
  path: string;
  type: IndexType;
  size: number;
  mode: number;
  link?: string;
  escaped?: true;
}

const TYPES: readonly IndexType[] = ['file', 'hardlink', 'symlink', 'dir', 'char', 'block', 'fifo', 'other', 'whiteout', 'opaque'];
const CODES = new Map(TYPES.map((type, code) => [type, code]));
const WHITEOUT = CODES.get('whiteout')!;
const OPAQUE = CODES.get('opaque')!;
const DIR = CODES.get('dir')!;
const ESCAPED = 0x80;

/** Names are stored in chunks of this size (a longer name gets a chunk of its own). */
const CHUNK = 1 << 20;
/** A location is chunk × CHUNK + offset in a uint32: at most this many chunks (4 GiB of names). */
const MAX_CHUNKS = 4096;

/** Bytes of `a[ao, ao+al)` against `b[bo, bo+bl)`: UTF-8 byte order, which is code point order. */
export function compareBytes(a: Uint8Array, ao: number, al: number, b: Uint8Array, bo: number, bl: number): number {
  const n = al < bl ? al : bl;
  for (let i = 0; i < n; i++) {
    const d = a[ao + i]! - b[bo + i]!;
    if (d !== 0) return d;
  }
  return al - bl;
}

/** A sequence of entries sorted by path bytes, looked up by binary search. */
export interface SortedPaths {
  readonly count: number;
  /** Position `i`'s path against `key` (negative: before it). */
  compareAt(i: number, key: Buffer): number;
}

/** The first position whose path is not before `key`. */
export function lowerBound(seq: SortedPaths, key: Buffer, from = 0, to = seq.count): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (seq.compareAt(mid, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Positions of `prefix` itself and of everything below it (`prefix/…`), as two ranges. */
export function subtree(seq: SortedPaths, prefix: string): Array<[number, number]> {
  if (prefix === '') return [[0, seq.count]];
  const self = Buffer.from(prefix, 'utf8');
  const at = lowerBound(seq, self);
  let end = at;
  while (end < seq.count && seq.compareAt(end, self) === 0) end++;
  // `a/…` sorts after `a-b` and `a.txt` but before `a0` ('0' follows '/').
  const from = lowerBound(seq, Buffer.from(`${prefix}/`, 'utf8'), end);
  const to = lowerBound(seq, Buffer.from(`${prefix}0`, 'utf8'), from);
  return [
    [at, end],
    [from, to],
  ];
}

type Column = Uint8Array | Uint16Array | Uint32Array | Float64Array;

function grown<T extends Column>(old: T, make: (n: number) => T): T {
  const next = make(old.length * 2);
  next.set(old);
  return next;
}

/**
 * The first `n` items. A small column is copied to its size; a large one is only viewed: its
 * unused tail was never written, so those pages never became resident, and a copy would hold
 * both columns at once at the moment memory peaks.
 */
function trimmed<T extends Column>(old: T, n: number, make: (n: number) => T): T {
  if (old.byteLength >= 256 * 1024) return old.subarray(0, n) as T;
  const next = make(n);
  next.set(old.subarray(0, n));
  return next;
}

/** Appends UTF-8 strings to chunks, never moving what is written (no copy on growth). */
class NameStore {
  readonly chunks: Buffer[] = [];
  private used = 0;

  /** Stores `text`; returns its location, its length in `lastLength`. */
  lastLength = 0;
  put(text: string): number {
    let chunk = this.chunks[this.chunks.length - 1];
    const room = chunk ? chunk.length - this.used : 0;
    const length = chunk && text.length * 3 <= room ? -1 : Buffer.byteLength(text, 'utf8');
    if (!chunk || length > room) {
      if (this.chunks.length >= MAX_CHUNKS) throw new RangeError('layer index: more than 4 GiB of path names');
      // The first chunks are small so a layer of a few files costs a few KiB.
      const size = Math.max(length, Math.min(CHUNK, 16 * 1024 * 2 ** this.chunks.length));
      chunk = Buffer.allocUnsafeSlow(size);
      this.chunks.push(chunk);
      this.used = 0;
    }
    const offset = this.used;
    this.lastLength = chunk.write(text, offset, 'utf8');
    this.used += this.lastLength;
    return (this.chunks.length - 1) * CHUNK + offset;
  }

  /** The last chunk cut to what it holds. */
  seal(): Buffer[] {
    const last = this.chunks.length - 1;
    if (last >= 0 && this.used < this.chunks[last]!.length) this.chunks[last] = Buffer.from(this.chunks[last]!.subarray(0, this.used));
    return this.chunks;
  }
}

export class FileTableBuilder {
  private readonly names = new NameStore();
  private n = 0;
  private pathAt = new Uint32Array(1024);
  private pathLength = new Uint32Array(1024);
  private linkAt = new Uint32Array(1024);
  private linkLength = new Uint32Array(1024);
  private sizes = new Float64Array(1024);
  private modes = new Uint16Array(1024);
  private codes = new Uint8Array(1024);

  get count(): number {
    return this.n;
  }

  add(entry: IndexEntry): void {
    if (this.n === this.codes.length) {
      this.pathAt = grown(this.pathAt, (n) => new Uint32Array(n));
      this.pathLength = grown(this.pathLength, (n) => new Uint32Array(n));
      this.linkAt = grown(this.linkAt, (n) => new Uint32Array(n));
      this.linkLength = grown(this.linkLength, (n) => new Uint32Array(n));
      this.sizes = grown(this.sizes, (n) => new Float64Array(n));
      this.modes = grown(this.modes, (n) => new Uint16Array(n));
      this.codes = grown(this.codes, (n) => new Uint8Array(n));
    }
    const i = this.n++;
    this.pathAt[i] = this.names.put(entry.path);
    this.pathLength[i] = this.names.lastLength;
    if (entry.link) {
      this.linkAt[i] = this.names.put(entry.link);
      this.linkLength[i] = this.names.lastLength;
    }
    this.sizes[i] = entry.size;
    this.modes[i] = entry.mode & 0o7777;
    this.codes[i] = CODES.get(entry.type)! | (entry.escaped ? ESCAPED : 0);
  }

  /** The table, sorted; the builder is not used after this. */
  finish(): FileTable {
    const n = this.n;
    const chunks = this.names.seal();
    const pathAt = trimmed(this.pathAt, n, (k) => new Uint32Array(k));
    const pathLength = trimmed(this.pathLength, n, (k) => new Uint32Array(k));
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => {
      const pa = pathAt[a]!;
      const pb = pathAt[b]!;
      return compareBytes(chunks[pa >>> 20]!, pa & 0xfffff, pathLength[a]!, chunks[pb >>> 20]!, pb & 0xfffff, pathLength[b]!) || a - b;
    });
    return new FileTable(
      chunks,
      pathAt,
      pathLength,
      trimmed(this.linkAt, n, (k) => new Uint32Array(k)),
      trimmed(this.linkLength, n, (k) => new Uint32Array(k)),
      trimmed(this.sizes, n, (k) => new Float64Array(k)),
      trimmed(this.modes, n, (k) => new Uint16Array(k)),
      trimmed(this.codes, n, (k) => new Uint8Array(k)),
      order,
    );
  }
}

/** Entries by id (archive order) and by position (`order`: path order); positions are what SortedPaths sees. */
export class FileTable implements SortedPaths {
  constructor(
    private readonly chunks: readonly Buffer[],
    private readonly pathAt: Uint32Array,
    private readonly pathLength: Uint32Array,
    private readonly linkAt: Uint32Array,
    private readonly linkLength: Uint32Array,
    private readonly sizes: Float64Array,
    private readonly modes: Uint16Array,
    private readonly codes: Uint8Array,
    /** Entry ids sorted by path bytes, archive order among equal paths. */
    readonly order: Uint32Array,
  ) {}

  static of(entries: Iterable<IndexEntry>): FileTable {
    const builder = new FileTableBuilder();
    for (const entry of entries) builder.add(entry);
    return builder.finish();
  }

  get count(): number {
    return this.order.length;
  }

  /** Bytes the table holds (what the index cache counts). */
  get bytes(): number {
    let names = 0;
    for (const chunk of this.chunks) names += chunk.length;
    return names + this.count * (4 * 5 + 8 + 2 + 1) + 64 * this.chunks.length;
  }

  path(id: number): string {
    const at = this.pathAt[id]!;
    return this.chunks[at >>> 20]!.toString('utf8', at & 0xfffff, (at & 0xfffff) + this.pathLength[id]!);
  }

  link(id: number): string | undefined {
    const length = this.linkLength[id]!;
    if (length === 0) return undefined;
    const at = this.linkAt[id]!;
    return this.chunks[at >>> 20]!.toString('utf8', at & 0xfffff, (at & 0xfffff) + length);
  }

  type(id: number): IndexType {
    return TYPES[this.codes[id]! & ~ESCAPED]!;
  }

  size(id: number): number {
    return this.sizes[id]!;
  }

  mode(id: number): number {
    return this.modes[id]!;
  }

  isDir(id: number): boolean {
    return (this.codes[id]! & ~ESCAPED) === DIR;
  }

  /** A whiteout or opaque marker rather than a file system entry. */
  isDeletion(id: number): boolean {
    const code = this.codes[id]! & ~ESCAPED;
    return code === WHITEOUT || code === OPAQUE;
  }

  entry(id: number): IndexEntry {
    const out: IndexEntry = { path: this.path(id), type: this.type(id), size: this.size(id), mode: this.mode(id) };
    const link = this.link(id);
    if (link !== undefined) out.link = link;
    if (this.codes[id]! & ESCAPED) out.escaped = true;
    return out;
  }

  /** Entry `a`'s path against entry `b`'s (either table). */
  compareIds(a: number, other: FileTable, b: number): number {
    const pa = this.pathAt[a]!;
    const pb = other.pathAt[b]!;
    return compareBytes(
      this.chunks[pa >>> 20]!,
      pa & 0xfffff,
      this.pathLength[a]!,
      other.chunks[pb >>> 20]!,
      pb & 0xfffff,
      other.pathLength[b]!,
    );
  }

  compareId(id: number, key: Buffer): number {
    const at = this.pathAt[id]!;
    return compareBytes(this.chunks[at >>> 20]!, at & 0xfffff, this.pathLength[id]!, key, 0, key.length);
  }

  compareAt(i: number, key: Buffer): number {
    return this.compareId(this.order[i]!, key);
  }

  /** Positions [from, to) of the entries for `path`. */
  range(path: string): [number, number] {
    const key = Buffer.from(path, 'utf8');
    const from = lowerBound(this, key);
    let to = from;
    while (to < this.count && this.compareAt(to, key) === 0) to++;
    return [from, to];
  }

  /** The last entry the archive wrote at `path` (whiteouts and opaque markers aside), or -1. */
  lookup(path: string): number {
    const [from, to] = this.range(path);
    for (let i = to - 1; i >= from; i--) if (!this.isDeletion(this.order[i]!)) return this.order[i]!;
    return -1;
  }

  private has(path: string, code: number): boolean {
    const [from, to] = this.range(path);
    for (let i = from; i < to; i++) if ((this.codes[this.order[i]!]! & ~ESCAPED) === code) return true;
    return false;
  }

  /** A `.wh.` whiteout deletes `path` (and what is below it) in lower layers. */
  whitedOut(path: string): boolean {
    return this.has(path, WHITEOUT);
  }

  /** An opaque marker hides what lower layers hold below directory `path`. */
  opaque(path: string): boolean {
    return this.has(path, OPAQUE);
  }

  /** Whiteout and opaque marker codes, for the merge. */
  deletionKind(id: number): 'whiteout' | 'opaque' | undefined {
    const code = this.codes[id]! & ~ESCAPED;
    return code === WHITEOUT ? 'whiteout' : code === OPAQUE ? 'opaque' : undefined;
  }
}
