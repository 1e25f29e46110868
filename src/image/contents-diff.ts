// diff's `files` and `packages`: the merged filesystems and installed packages of two images
// compared. Layer indexes are cached by digest, so the layers the images share are read once.
import type { ImageReader } from './image-reader.js';
import { mergeLayers, type MergedEntry } from './merged.js';
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

/** Each image's merged files, with the digest of the layer that last wrote each. */
interface Side {
  files: Map<string, MergedEntry>;
  writer: (entry: MergedEntry) => string | undefined;
}

/** `list` sorted and cut to `max`, with the whole count. */
function capped<T>(list: T[], key: (item: T) => string, max: number): { count: number; items: T[]; truncated?: true } {
  const items = list.sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0)).slice(0, max);
  return list.length > max ? { count: list.length, items, truncated: true } : { count: list.length, items };
}

function filesDiff(a: Side, b: Side, max: number): Record<string, unknown> {
  const added: FileChange[] = [];
  const removed: FileChange[] = [];
  const changed: { path: string; type: string; size_before: number; size_after: number; rewritten?: true }[] = [];
  let bytesDelta = 0;
  for (const [path, after] of b.files) {
    const before = a.files.get(path);
    if (!before) {
      added.push(brief(after));
      bytesDelta += after.size;
      continue;
    }
    const sameMeta = sameMetadata(before, after);
    // Tar indexes hold no content hash: a file written by the same layer (same digest) in both is
    // the same file; one with equal metadata written by different layers may differ, and says so.
    if (sameMeta && a.writer(before) === b.writer(after)) continue;
    changed.push({
      path,
      type: after.type,
      size_before: before.size,
      size_after: after.size,
      ...(sameMeta ? { rewritten: true as const } : {}),
    });
    bytesDelta += after.size - before.size;
  }
  for (const [path, before] of a.files) {
    if (!b.files.has(path)) {
      removed.push(brief(before));
      bytesDelta -= before.size;
    }
  }
  const byPath = (item: { path: string }): string => item.path;
  return {
    added: capped(added, byPath, max),
    removed: capped(removed, byPath, max),
    changed: capped(changed, byPath, max),
    file_bytes_delta: bytesDelta,
  };
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
  if (wanted.files) {
    const side = (files: Map<string, MergedEntry>, indexes: readonly { digest: string }[]): Side => ({
      files,
      writer: (entry) => indexes[entry.layer]?.digest,
    });
    out.files = filesDiff(side(viewA.files, indexesA), side(viewB.files, indexesB), wanted.maxItems);
  }
  if (wanted.packages) {
    out.packages = packagesDiff(installedPackages(indexesA, viewA).packages, installedPackages(indexesB, viewB).packages, wanted.maxItems);
  }
  out.layers_streamed = image.streamed.length + other.streamed.length;
  return out;
}
