// diff's `files` and `packages`: the merged filesystems and installed packages of two images
// compared. Layer indexes are cached by digest, so the layers the images share are read once.
import type { ImageReader } from './image-reader.js';
import { mergeLayers, type MergedEntry, type MergedView } from './merged.js';
import { installedPackages, type InstalledPackage } from './packages.js';

export interface ContentsWanted {
  files: boolean;
  packages: boolean;
  /** Longest list shown per kind (added, removed, changed); counts are always whole. */
  maxItems: number;
}

interface FileChange {
  path: string;
  type: string;
  size: number;
}

function brief(entry: MergedEntry): FileChange {
  return { path: entry.path, type: entry.type, size: entry.size };
}

function sameMetadata(a: MergedEntry, b: MergedEntry): boolean {
  return a.type === b.type && a.size === b.size && a.mode === b.mode && a.link === b.link;
}

/** A list cut to `max` items as they come (in path order), with the whole count. */
class Capped<T> {
  readonly items: T[] = [];
  count = 0;
  constructor(private readonly max: number) {}
  add(make: () => T): void {
    if (this.count++ < this.max) this.items.push(make());
  }
  toJSON(): { count: number; items: T[]; truncated?: true } {
    return this.count > this.max ? { count: this.count, items: this.items, truncated: true } : { count: this.count, items: this.items };
  }
}

/** `list` sorted and cut to `max`, with the whole count. */
function capped<T>(list: T[], key: (item: T) => string, max: number): { count: number; items: T[]; truncated?: true } {
  const items = list.sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0)).slice(0, max);
  return list.length > max ? { count: list.length, items, truncated: true } : { count: list.length, items };
}

/** Both merged views walked side by side in path order: no map of either image's files is built. */
function filesDiff(a: MergedView, b: MergedView, max: number): Record<string, unknown> {
  const added = new Capped<FileChange>(max);
  const removed = new Capped<FileChange>(max);
  const changed = new Capped<{ path: string; type: string; size_before: number; size_after: number; rewritten?: true }>(max);
  let bytesDelta = 0;
  let i = 0;
  let j = 0;
  while (i < a.count || j < b.count) {
    const c = i === a.count ? 1 : j === b.count ? -1 : a.compareWith(i, b, j);
    if (c < 0) {
      const at = i++;
      removed.add(() => brief(a.entry(at)));
      bytesDelta -= a.size(at);
      continue;
    }
    if (c > 0) {
      const at = j++;
      added.add(() => brief(b.entry(at)));
      bytesDelta += b.size(at);
      continue;
    }
    const [x, y] = [i++, j++];
    // Tar indexes hold no content hash: a file written by the same layer (same digest) in both is
    // the same file; one with equal metadata written by different layers may differ, and says so.
    if (a.writer(x) === b.writer(y)) continue;
    const before = a.entry(x);
    const after = b.entry(y);
    const sameMeta = sameMetadata(before, after);
    changed.add(() => ({
      path: after.path,
      type: after.type,
      size_before: before.size,
      size_after: after.size,
      ...(sameMeta ? { rewritten: true as const } : {}),
    }));
    bytesDelta += after.size - before.size;
  }
  return { added: added.toJSON(), removed: removed.toJSON(), changed: changed.toJSON(), file_bytes_delta: bytesDelta };
}

function packagesDiff(a: InstalledPackage[], b: InstalledPackage[], max: number): Record<string, unknown> {
  const key = (p: InstalledPackage): string => `${p.type}:${p.name}${p.architecture ? `:${p.architecture}` : ''}`;
  const before = new Map(a.map((p) => [key(p), p]));
  const after = new Map(b.map((p) => [key(p), p]));
  const added = b.filter((p) => !before.has(key(p))).map((p) => ({ type: p.type, name: p.name, version: p.version }));
  const removed = a.filter((p) => !after.has(key(p))).map((p) => ({ type: p.type, name: p.name, version: p.version }));
  const changed: { type: string; name: string; from: string; to: string }[] = [];
  for (const [k, now] of after) {
    const then = before.get(k);
    if (then && then.version !== now.version) changed.push({ type: now.type, name: now.name, from: then.version, to: now.version });
  }
  const byName = (item: { name: string }): string => item.name;
  return { added: capped(added, byName, max), removed: capped(removed, byName, max), changed: capped(changed, byName, max) };
}

/** The file and/or package differences of `image` → `other` (what `other` adds, drops and changes). */
export async function diffContents(image: ImageReader, other: ImageReader, wanted: ContentsWanted): Promise<Record<string, unknown>> {
  const [indexesA, indexesB] = [await image.all(), await other.all()];
  const viewA = mergeLayers(indexesA);
  const viewB = mergeLayers(indexesB);
  const out: Record<string, unknown> = {};
  if (wanted.files) out.files = filesDiff(viewA, viewB, wanted.maxItems);
  if (wanted.packages) {
    out.packages = packagesDiff(installedPackages(indexesA, viewA).packages, installedPackages(indexesB, viewB).packages, wanted.maxItems);
  }
  out.layers_streamed = image.streamed.length + other.streamed.length;
  return out;
}
