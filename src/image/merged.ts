// The filesystem a container sees: layers applied base first, each layer's opaque directories and
// whiteouts removing what lower layers put there, then its own entries replacing what they name.
// Bytes of lower-layer files that end up shadowed or deleted are "wasted": shipped in the image,
// invisible in a container (dive's measure), and reported with the paths that waste most.
//
// Every layer's table is sorted by path, so the merge walks them side by side (a k-way merge):
// each path is met once with what every layer says about it, and an ancestor is always met before
// what lies below it. The view is two typed arrays (layer, entry id) in path order — 6 bytes a
// visible file, no object per file — and answers are read from the tables when asked.
import { lowerBound, type FileTable, type IndexEntry, type SortedPaths } from './file-table.js';
import type { LayerIndex } from './layer-index.js';

export interface MergedEntry extends IndexEntry {
  /** The layer (0 = base) that last wrote it. */
  layer: number;
}

export interface WastedPath {
  path: string;
  bytes: number;
  /** The layers whose copies are hidden. */
  layers: number[];
}

/** Wasted paths kept, worst first (the answer shows 20). */
export const WASTED_TOP = 20;

export class MergedView implements SortedPaths {
  constructor(
    readonly indexes: readonly LayerIndex[],
    private readonly layerOf: Uint16Array,
    private readonly idOf: Uint32Array,
    readonly wastedBytes: number,
    /** The WASTED_TOP paths that waste most, worst first (ties by path). */
    readonly worst: readonly WastedPath[],
  ) {}

  /** Visible entries. */
  get count(): number {
    return this.idOf.length;
  }

  private table(i: number): FileTable {
    return this.indexes[this.layerOf[i]!]!.table;
  }

  layer(i: number): number {
    return this.layerOf[i]!;
  }

  path(i: number): string {
    return this.table(i).path(this.idOf[i]!);
  }

  size(i: number): number {
    return this.table(i).size(this.idOf[i]!);
  }

  entry(i: number): MergedEntry {
    return { ...this.table(i).entry(this.idOf[i]!), layer: this.layerOf[i]! };
  }

  compareAt(i: number, key: Buffer): number {
    return this.table(i).compareId(this.idOf[i]!, key);
  }

  /** Position `i`'s path against position `j`'s of `other`. */
  compareWith(i: number, other: MergedView, j: number): number {
    return this.table(i).compareIds(this.idOf[i]!, other.table(j), other.idOf[j]!);
  }

  /** The digest of the layer that wrote position `i`. */
  writer(i: number): string {
    return this.indexes[this.layerOf[i]!]!.digest;
  }

  /** Position of `path`, or -1. */
  find(path: string): number {
    const key = Buffer.from(path, 'utf8');
    const at = lowerBound(this, key);
    return at < this.count && this.compareAt(at, key) === 0 ? at : -1;
  }

  get(path: string): MergedEntry | undefined {
    const at = this.find(path);
    return at === -1 ? undefined : this.entry(at);
  }

  /** Whether any visible path starts with `prefix` (a string prefix, not a directory). */
  hasPrefix(prefix: string): boolean {
    const key = Buffer.from(prefix, 'utf8');
    const at = lowerBound(this, key);
    return at < this.count && this.path(at).startsWith(prefix);
  }
}

function offer(worst: WastedPath[], item: WastedPath): void {
  const before = (a: WastedPath, b: WastedPath): boolean => a.bytes > b.bytes || (a.bytes === b.bytes && a.path < b.path);
  if (worst.length === WASTED_TOP && !before(item, worst[WASTED_TOP - 1]!)) return;
  let at = worst.length;
  while (at > 0 && before(item, worst[at - 1]!)) at--;
  worst.splice(at, 0, item);
  if (worst.length > WASTED_TOP) worst.pop();
}

/** Growable (layer, id) pairs. */
class Visible {
  layers = new Uint16Array(1024);
  ids = new Uint32Array(1024);
  n = 0;

  push(layer: number, id: number): void {
    if (this.n === this.ids.length) {
      const layers = new Uint16Array(this.n * 2);
      layers.set(this.layers);
      const ids = new Uint32Array(this.n * 2);
      ids.set(this.ids);
      this.layers = layers;
      this.ids = ids;
    }
    this.layers[this.n] = layer;
    this.ids[this.n++] = id;
  }
}

/**
 * Paths whose entry hides what lower layers hold below them (a whiteout, an opaque marker, or a
 * non-directory replacing a directory), with the highest such layer: a handful in most images.
 */
class Hiders {
  private readonly map = new Map<string, number>();
  private parent: string | undefined;
  private parentValue = -1;

  set(path: string, layer: number): void {
    this.map.set(path, Math.max(layer, this.map.get(path) ?? -1));
  }

  get empty(): boolean {
    return this.map.size === 0;
  }

  /** The highest layer that hides `path` through one of its ancestors (-1: none). Ancestors are merged first. */
  above(path: string): number {
    const slash = path.lastIndexOf('/');
    if (slash === -1) return -1;
    const parent = path.slice(0, slash);
    if (parent !== this.parent) {
      this.parent = parent;
      let value = this.map.get(parent) ?? -1;
      for (let i = parent.indexOf('/'); i !== -1; i = parent.indexOf('/', i + 1))
        value = Math.max(value, this.map.get(parent.slice(0, i)) ?? -1);
      this.parentValue = value;
    }
    return this.parentValue;
  }
}

export function mergeLayers(indexes: readonly LayerIndex[]): MergedView {
  if (indexes.length > 0xffff) throw new RangeError('more than 65535 layers');
  const tables = indexes.map((index) => index.table);
  const k = tables.length;
  const at = new Uint32Array(k); // each table's next position
  const visible = new Visible();
  const hiders = new Hiders();
  const worst: WastedPath[] = [];
  let wastedBytes = 0;
  // What each layer of the current path's group says: its last entry (-1: none), whiteout, opaque.
  const members: number[] = [];
  const last = new Int32Array(k);
  const whiteout = new Uint8Array(k);
  const opaque = new Uint8Array(k);

  for (;;) {
    members.length = 0;
    for (let l = 0; l < k; l++) {
      const t = tables[l]!;
      if (at[l]! >= t.count) continue;
      if (members.length === 0) {
        members.push(l);
        continue;
      }
      const m = members[0]!;
      const c = t.compareIds(t.order[at[l]!]!, tables[m]!, tables[m]!.order[at[m]!]!);
      if (c < 0) members.length = 0;
      if (c <= 0) members.push(l);
    }
    if (members.length === 0) break;
    const head = tables[members[0]!]!;
    const headId = head.order[at[members[0]!]!]!;

    let top = -1; // highest layer with an entry here
    let whitedOut = -1; // highest layer whose whiteout deletes this path
    let hides = -1; // highest layer hiding what is below this path
    let sawDir = false;
    for (const l of members) {
      const t = tables[l]!;
      const first = t.order[at[l]!]!;
      last[l] = -1;
      whiteout[l] = 0;
      opaque[l] = 0;
      while (at[l]! < t.count && t.compareIds(t.order[at[l]!]!, t, first) === 0) {
        const id = t.order[at[l]!++]!;
        const kind = t.deletionKind(id);
        if (kind === 'whiteout') whiteout[l] = 1;
        else if (kind === 'opaque') opaque[l] = 1;
        else last[l] = id;
      }
      if (whiteout[l]) whitedOut = l;
      if (whiteout[l] || opaque[l]) hides = l;
      if (last[l] >= 0) {
        top = l;
        if (t.isDir(last[l])) sawDir = true;
        else if (sawDir) hides = l; // a non-directory where a lower layer had a directory
      }
    }

    let path: string | undefined;
    const above = hiders.empty ? -1 : hiders.above((path ??= head.path(headId)));
    let wasted: WastedPath | undefined;
    for (const l of members) {
      const id = last[l]!;
      if (id < 0) continue;
      if (l === top && l >= whitedOut && l >= above) {
        visible.push(l, id);
        continue;
      }
      const t = tables[l]!;
      if (t.type(id) !== 'file' || t.size(id) === 0) continue;
      wastedBytes += t.size(id);
      wasted ??= { path: (path ??= head.path(headId)), bytes: 0, layers: [] };
      wasted.bytes += t.size(id);
      wasted.layers.push(l);
    }
    if (wasted) offer(worst, wasted);
    // Layer 0's markers hide nothing: there is nothing below it.
    if (hides >= 1) hiders.set((path ??= head.path(headId)), hides);
  }
  const n = visible.n;
  return new MergedView(indexes, visible.layers.slice(0, n), visible.ids.slice(0, n), wastedBytes, worst);
}

/** `*` within one path part, `**` across parts, `?` one character; matched against the whole path. */
export function globMatcher(glob: string): (path: string) => boolean {
  const pattern = glob.replace(/^\/+/, '');
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      i++;
      // `**/` also matches no directory at all.
      if (pattern[i + 1] === '/') {
        source += '(?:.*/)?';
        i++;
      } else source += '.*';
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  const re = new RegExp(`^${source}$`);
  return (path) => re.test(path);
}
