// The filesystem a container sees: layers applied base first, each layer's opaque directories and
// whiteouts removing what lower layers put there, then its own entries replacing what they name.
// Bytes of lower-layer files that end up shadowed or deleted are "wasted": shipped in the image,
// invisible in a container (dive's measure), and reported with the paths that waste most.
import type { IndexEntry, LayerIndex } from './layer-index.js';

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

export interface MergedView {
  files: Map<string, MergedEntry>;
  wastedBytes: number;
  /** Every path that wastes bytes, unsorted. */
  wasted: Map<string, WastedPath>;
}

function waste(view: MergedView, old: MergedEntry): void {
  if (old.type !== 'file' || old.size === 0) return;
  view.wastedBytes += old.size;
  const item = view.wasted.get(old.path) ?? { path: old.path, bytes: 0, layers: [] };
  item.bytes += old.size;
  item.layers.push(old.layer);
  view.wasted.set(old.path, item);
}

/** Removes `dir`'s descendants (and `dir` itself unless `keepSelf`). */
function removeTree(view: MergedView, dir: string, keepSelf: boolean): void {
  if (!keepSelf) {
    const self = view.files.get(dir);
    if (self) {
      waste(view, self);
      view.files.delete(dir);
      // A file or link has no descendants: skip the scan (most whiteouts delete one file).
      if (self.type !== 'dir') return;
    }
  }
  const prefix = dir === '' ? '' : `${dir}/`;
  for (const [path, entry] of view.files) {
    if (path.startsWith(prefix) && path !== dir) {
      waste(view, entry);
      view.files.delete(path);
    }
  }
}

/** One shape for every merged entry (a spread would give objects of many shapes, larger and slower). */
function merged(entry: IndexEntry, layer: number): MergedEntry {
  const out: MergedEntry = { path: entry.path, type: entry.type, size: entry.size, mode: entry.mode, layer };
  if (entry.link !== undefined) out.link = entry.link;
  if (entry.escaped) out.escaped = true;
  return out;
}

export function mergeLayers(indexes: readonly LayerIndex[]): MergedView {
  const view: MergedView = { files: new Map(), wastedBytes: 0, wasted: new Map() };
  indexes.forEach((index, layer) => {
    for (const dir of index.opaque) removeTree(view, dir, true);
    for (const path of index.whiteouts) removeTree(view, path, false);
    for (const entry of index.byPath.values()) {
      const old = view.files.get(entry.path);
      if (old) {
        if (old.type === 'dir' && entry.type !== 'dir') removeTree(view, entry.path, false);
        else waste(view, old);
      }
      view.files.set(entry.path, merged(entry, layer));
    }
  });
  return view;
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
