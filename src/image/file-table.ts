// One layer's entries in a compact form. A layer of 200k small files held as 200k objects plus a
// Map costs ~150 bytes a file and keeps the garbage collector busy; here the paths and link
// targets are UTF-8 in a few large Buffers and every other field sits in a typed array (≈ 30 bytes
// a file plus its path). A permutation sorted by path bytes (ties: archive order) answers lookups
// by binary search and lets merged views and listings walk the layer in path order without a sort.
import { ToolError } from '../http/errors.js';
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
/**
 * Path and link bytes one layer's index may hold: a million files of 256-byte paths. A layer past
 * it (a hostile archive of megabyte-long names) is refused rather than indexed in memory. Far
 * below the 4096 chunks a uint32 location can address.
 */
export const MAX_NAME_BYTES = 256 * 1024 * 1024;

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

/** Entries per column block. */
const BLOCK_BITS = 14;
const BLOCK = 1 << BLOCK_BITS;

/**
 * One field of every entry, in fixed blocks: growth adds a block and never copies, so building
 * the index of a big layer leaves no garbage arrays behind (a doubling array leaves as many bytes
 * of dead copies as it finally holds, all freed only at the next full GC).
 */
class Column<T extends Uint8Array | Uint16Array | Uint32Array | Float64Array> {
  private readonly blocks: T[] = [];

  constructor(private readonly make: (n: number) => T) {}

  get(i: number): number {
    return this.blocks[i >>> BLOCK_BITS]![i & (BLOCK - 1)]!;
  }

  /** Entries are set in order, 0, 1, 2, … */
  set(i: number, value: number): void {
    if (i >>> BLOCK_BITS === this.blocks.length) this.blocks.push(this.make(BLOCK));
    this.blocks[i >>> BLOCK_BITS]![i & (BLOCK - 1)] = value;
  }

  /** The last block cut to the `n` entries held (a layer of a few files keeps a few bytes). */
  seal(n: number): this {
    const last = this.blocks.length - 1;
    const used = n - last * BLOCK;
    if (last >= 0 && used < BLOCK) this.blocks[last] = this.blocks[last]!.slice(0, used) as T;
    return this;
  }

  get bytes(): number {
    let total = 0;
    for (const block of this.blocks) total += block.byteLength;
    return total;
  }
}

/** Appends UTF-8 strings to chunks, never moving what is written (no copy on growth). */
class NameStore {
  readonly chunks: Buffer[] = [];
  private used = 0;
  private total = 0;

  constructor(private readonly maxBytes: number) {}

  /** Stores `text`; returns its location, its length in `lastLength`. */
  lastLength = 0;
  put(text: string): number {
    let chunk = this.chunks[this.chunks.length - 1];
    const room = chunk ? chunk.length - this.used : 0;
    const length = chunk && text.length * 3 <= room ? -1 : Buffer.byteLength(text, 'utf8');
    if (!chunk || length > room) {
      // The first chunks are small so a layer of a few files costs a few KiB.
      const size = Math.max(length, Math.min(CHUNK, 16 * 1024 * 2 ** this.chunks.length));
      chunk = Buffer.allocUnsafeSlow(size);
      this.chunks.push(chunk);
      this.used = 0;
    }
    const offset = this.used;
    this.lastLength = chunk.write(text, offset, 'utf8');
    this.used += this.lastLength;
    this.total += this.lastLength;
    if (this.total > this.maxBytes)
      throw new ToolError(
        'unsupported_content',
        `layer tar: its paths and link targets pass ${this.maxBytes} bytes; a layer this size is not indexed`,
        undefined,
        'files with `layer` still lists the other layers of the image.',
      );
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
  private readonly names: NameStore;
  private n = 0;
  private readonly pathAt = new Column((k) => new Uint32Array(k));
  private readonly pathLength = new Column((k) => new Uint32Array(k));
  private readonly linkAt = new Column((k) => new Uint32Array(k));
  private readonly linkLength = new Column((k) => new Uint32Array(k));
  private readonly sizes = new Column((k) => new Float64Array(k));
  private readonly modes = new Column((k) => new Uint16Array(k));
  private readonly codes = new Column((k) => new Uint8Array(k));

  constructor(maxNameBytes = MAX_NAME_BYTES) {
    this.names = new NameStore(maxNameBytes);
  }

  get count(): number {
    return this.n;
  }

  add(entry: IndexEntry): void {
    const i = this.n++;
    this.pathAt.set(i, this.names.put(entry.path));
    this.pathLength.set(i, this.names.lastLength);
    if (entry.link) {
      this.linkAt.set(i, this.names.put(entry.link));
      this.linkLength.set(i, this.names.lastLength);
    } else {
      this.linkAt.set(i, 0);
      this.linkLength.set(i, 0);
    }
    this.sizes.set(i, entry.size);
    this.modes.set(i, entry.mode & 0o7777);
    this.codes.set(i, CODES.get(entry.type)! | (entry.escaped ? ESCAPED : 0));
  }

  /** The table, sorted; the builder is not used after this. */
  finish(): FileTable {
    const n = this.n;
    const chunks = this.names.seal();
    const { pathAt, pathLength } = this;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => {
      const pa = pathAt.get(a);
      const pb = pathAt.get(b);
      return (
        compareBytes(chunks[pa >>> 20]!, pa & 0xfffff, pathLength.get(a), chunks[pb >>> 20]!, pb & 0xfffff, pathLength.get(b)) || a - b
      );
    });
    return new FileTable(
      chunks,
      {
        pathAt: pathAt.seal(n),
        pathLength: pathLength.seal(n),
        linkAt: this.linkAt.seal(n),
        linkLength: this.linkLength.seal(n),
        sizes: this.sizes.seal(n),
        modes: this.modes.seal(n),
        codes: this.codes.seal(n),
      },
      order,
    );
  }
}

interface Columns {
  pathAt: Column<Uint32Array>;
  pathLength: Column<Uint32Array>;
  linkAt: Column<Uint32Array>;
  linkLength: Column<Uint32Array>;
  sizes: Column<Float64Array>;
  modes: Column<Uint16Array>;
  codes: Column<Uint8Array>;
}

/** Entries by id (archive order) and by position (`order`: path order); positions are what SortedPaths sees. */
export class FileTable implements SortedPaths {
  private readonly pathAt: Column<Uint32Array>;
  private readonly pathLength: Column<Uint32Array>;
  private readonly linkAt: Column<Uint32Array>;
  private readonly linkLength: Column<Uint32Array>;
  private readonly sizes: Column<Float64Array>;
  private readonly modes: Column<Uint16Array>;
  private readonly codes: Column<Uint8Array>;

  constructor(
    private readonly chunks: readonly Buffer[],
    columns: Columns,
    /** Entry ids sorted by path bytes, archive order among equal paths. */
    readonly order: Uint32Array,
  ) {
    ({
      pathAt: this.pathAt,
      pathLength: this.pathLength,
      linkAt: this.linkAt,
      linkLength: this.linkLength,
      sizes: this.sizes,
      modes: this.modes,
      codes: this.codes,
    } = columns);
  }

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
    const columns = [this.pathAt, this.pathLength, this.linkAt, this.linkLength, this.sizes, this.modes, this.codes];
    return names + columns.reduce((sum, column) => sum + column.bytes, 0) + this.order.byteLength + 64 * this.chunks.length;
  }

  path(id: number): string {
    const at = this.pathAt.get(id);
    return this.chunks[at >>> 20]!.toString('utf8', at & 0xfffff, (at & 0xfffff) + this.pathLength.get(id));
  }

  link(id: number): string | undefined {
    const length = this.linkLength.get(id);
    if (length === 0) return undefined;
    const at = this.linkAt.get(id);
    return this.chunks[at >>> 20]!.toString('utf8', at & 0xfffff, (at & 0xfffff) + length);
  }

  type(id: number): IndexType {
    return TYPES[this.codes.get(id) & ~ESCAPED]!;
  }

  size(id: number): number {
    return this.sizes.get(id);
  }

  mode(id: number): number {
    return this.modes.get(id);
  }

  isDir(id: number): boolean {
    return (this.codes.get(id) & ~ESCAPED) === DIR;
  }

  /** A whiteout or opaque marker rather than a file system entry. */
  isDeletion(id: number): boolean {
    const code = this.codes.get(id) & ~ESCAPED;
    return code === WHITEOUT || code === OPAQUE;
  }

  entry(id: number): IndexEntry {
    const out: IndexEntry = { path: this.path(id), type: this.type(id), size: this.size(id), mode: this.mode(id) };
    const link = this.link(id);
    if (link !== undefined) out.link = link;
    if (this.codes.get(id) & ESCAPED) out.escaped = true;
    return out;
  }

  /** Entry `a`'s path against entry `b`'s (either table). */
  compareIds(a: number, other: FileTable, b: number): number {
    const pa = this.pathAt.get(a);
    const pb = other.pathAt.get(b);
    return compareBytes(
      this.chunks[pa >>> 20]!,
      pa & 0xfffff,
      this.pathLength.get(a),
      other.chunks[pb >>> 20]!,
      pb & 0xfffff,
      other.pathLength.get(b),
    );
  }

  compareId(id: number, key: Buffer): number {
    const at = this.pathAt.get(id);
    return compareBytes(this.chunks[at >>> 20]!, at & 0xfffff, this.pathLength.get(id), key, 0, key.length);
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
    for (let i = from; i < to; i++) if ((this.codes.get(this.order[i]!) & ~ESCAPED) === code) return true;
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
    const code = this.codes.get(id) & ~ESCAPED;
    return code === WHITEOUT ? 'whiteout' : code === OPAQUE ? 'opaque' : undefined;
  }
}
