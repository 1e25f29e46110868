// The `files` answer: entries of the merged filesystem (or of one layer), filtered by path prefix,
// glob and size, sorted by path or size, cut into pages of max_items with an offset cursor.
import type { IndexEntry } from './layer-index.js';
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

function item(entry: IndexEntry | MergedEntry): FileItem {
  const out: FileItem = { path: `/${entry.path}`, type: entry.type, size: entry.size, mode: entry.mode.toString(8).padStart(4, '0') };
  // Hard links name another archive member (root-relative); symbolic links are shown as written.
  if (entry.link !== undefined) out.link = entry.type === 'hardlink' ? `/${normalisePath(entry.link).path}` : entry.link;
  if ('layer' in entry) out.layer = entry.layer;
  if (entry.escaped) out.escaped = true;
  return out;
}

export function listFiles(entries: Iterable<IndexEntry | MergedEntry>, f: FileFilter): FilePage {
  const prefix = f.path === undefined ? '' : normalisePath(f.path).path;
  const glob = f.glob ? globMatcher(f.glob) : undefined;
  const picked: Array<IndexEntry | MergedEntry> = [];
  let totalBytes = 0;
  for (const entry of entries) {
    if (prefix && entry.path !== prefix && !entry.path.startsWith(`${prefix}/`)) continue;
    if (glob && !glob(entry.path)) continue;
    if (f.minSize !== undefined && entry.size < f.minSize) continue;
    picked.push(entry);
    totalBytes += entry.size;
  }
  if (f.sort === 'size') picked.sort((a, b) => b.size - a.size || (a.path < b.path ? -1 : 1));
  else picked.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const page = picked.slice(f.offset, f.offset + f.maxItems).map(item);
  const out: FilePage = { total: picked.length, total_bytes: totalBytes, files: page };
  if (f.offset + f.maxItems < picked.length) out.next = f.offset + f.maxItems;
  return out;
}

export interface WastedReport {
  wasted_bytes: number;
  worst: Array<{ path: string; bytes: number; layers: number[] }>;
}

export function wastedReport(view: MergedView, top: number): WastedReport {
  const worst = [...view.wasted.values()]
    .sort((a, b) => b.bytes - a.bytes || (a.path < b.path ? -1 : 1))
    .slice(0, top)
    .map((w) => ({ path: `/${w.path}`, bytes: w.bytes, layers: w.layers }));
  return { wasted_bytes: view.wastedBytes, worst };
}
