// The `files` answer: entries of the merged filesystem (or of one layer), filtered by path prefix,
// glob and size, sorted by path or size, cut into pages of max_items with an offset cursor.
import { subtree, type FileTable, type IndexEntry, type SortedPaths } from './file-table.js';
import { globMatcher, type MergedEntry, type MergedView } from './merged.js';
import { normalisePath } from './tar.js';

export interface FileFilter {
  path?: string;
  glob?: string;
  minSize?: number;
  sort?: 'path' | 'size';
  maxItems: number;
  offset: number;
}

export interface FileItem {
  path: string;
  type: string;
  size: number;
  mode: string;
  link?: string;
  layer?: number;
  escaped?: true;
}

export interface FilePage {
  total: number;
  total_bytes: number;
  files: FileItem[];
  /** Offset of the next page, when there is one. */
  next?: number;
}

/** What a listing walks: entries in path order (a layer's table or a merged view). */
export interface Listing extends SortedPaths {
  path(i: number): string;
  size(i: number): number;
  entry(i: number): IndexEntry | MergedEntry;
}

/** One layer's own entries (whiteouts and opaque markers included) as a listing. */
export function layerListing(table: FileTable): Listing {
  return {
    count: table.count,
    compareAt: (i, key) => table.compareAt(i, key),
    path: (i) => table.path(table.order[i]!),
    size: (i) => table.size(table.order[i]!),
    entry: (i) => table.entry(table.order[i]!),
  };
}

function item(entry: IndexEntry | MergedEntry): FileItem {
  const out: FileItem = { path: `/${entry.path}`, type: entry.type, size: entry.size, mode: entry.mode.toString(8).padStart(4, '0') };
  // Hard links name another archive member (root-relative); symbolic links are shown as written.
  if (entry.link !== undefined) out.link = entry.type === 'hardlink' ? `/${normalisePath(entry.link).path}` : entry.link;
  if ('layer' in entry) out.layer = entry.layer;
  if (entry.escaped) out.escaped = true;
  return out;
}

/**
 * One page of the entries that pass the filters. Path order is the listing's own order, so the
 * page streams from it (entries outside the page are counted, never built); size order sorts
 * positions, 4 bytes each, not entries.
 */
export function listFiles(list: Listing, f: FileFilter): FilePage {
  const prefix = f.path === undefined ? '' : normalisePath(f.path).path;
  const glob = f.glob ? globMatcher(f.glob) : undefined;
  const end = f.offset + f.maxItems;
  const bySize = f.sort === 'size';
  let picked = new Uint32Array(bySize ? 1024 : 0);
  const page: FileItem[] = [];
  let total = 0;
  let totalBytes = 0;
  for (const [from, to] of subtree(list, prefix)) {
    for (let i = from; i < to; i++) {
      const size = list.size(i);
      if (f.minSize !== undefined && size < f.minSize) continue;
      if (glob && !glob(list.path(i))) continue;
      if (bySize) {
        if (total === picked.length) {
          const more = new Uint32Array(total * 2);
          more.set(picked);
          picked = more;
        }
        picked[total] = i;
      } else if (total >= f.offset && total < end) page.push(item(list.entry(i)));
      total++;
      totalBytes += size;
    }
  }
  if (bySize) {
    // Largest first; equal sizes stay in path order (positions are path order).
    const sorted = picked.subarray(0, total).sort((a, b) => list.size(b) - list.size(a) || a - b);
    for (const i of sorted.subarray(f.offset, end)) page.push(item(list.entry(i)));
  }
  const out: FilePage = { total, total_bytes: totalBytes, files: page };
  if (end < total) out.next = end;
  return out;
}

export interface WastedReport {
  wasted_bytes: number;
  worst: Array<{ path: string; bytes: number; layers: number[] }>;
}

export function wastedReport(view: MergedView, top: number): WastedReport {
  const worst = view.worst.slice(0, top).map((w) => ({ path: `/${w.path}`, bytes: w.bytes, layers: w.layers }));
  return { wasted_bytes: view.wastedBytes, worst };
}
