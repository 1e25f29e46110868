// What one layer holds, built while its tar streams by: every entry (whiteouts and opaque markers
// as such), and the bodies of the few small files image insight reads (os-release, package
// databases). A layer is content-addressed, so its index never goes stale and is kept by digest.
import { createHash } from 'node:crypto';
import { layerTarBytes, type LayerStreamOptions } from './layer-stream.js';
import { FileTableBuilder, type FileTable, type IndexEntry } from './file-table.js';
import { tarEntries } from './tar.js';
import { languageEcosystem, MAX_MANIFEST_BYTES, parseLanguageManifest, type LanguagePackage } from './language-packages.js';

export type { IndexEntry, IndexType } from './file-table.js';

export interface LayerIndex {
  digest: string;
  /**
   * Every entry, whiteouts (at the path they delete) and opaque markers (at their directory)
   * included, in a compact table sorted by path.
   */
  table: FileTable;
  /** Captured bodies of metadata files (see isMetadataPath), by path. */
  metadata: Map<string, Buffer>;
  /** npm and Python packages whose manifests this layer writes. */
  language: LanguagePackage[];
  /** Uncompressed tar bytes. */
  tarBytes: number;
  /** Memory held, for the cache's byte bound. */
  weight: number;
}

/** One file's body captured during a scan (read_file). */
export interface Capture {
  path: string;
  size: number;
  sha256: string;
  bytes: Buffer;
  truncated: boolean;
}

/** Package databases are a few MiB at most; a larger one is not read into memory. */
export const MAX_METADATA_BYTES = 32 * 1024 * 1024;

export function isMetadataPath(path: string): boolean {
  return (
    path === 'etc/os-release' ||
    path === 'usr/lib/os-release' ||
    path === 'var/lib/dpkg/status' ||
    path === 'lib/apk/db/installed' ||
    (path.startsWith('var/lib/dpkg/status.d/') && !path.slice('var/lib/dpkg/status.d/'.length).includes('/'))
  );
}

const OPAQUE = '.wh..wh..opq';

/** `.wh.<name>` deletes `<name>` below; `.wh..wh..opq` hides everything below its directory. */
function whiteoutOf(path: string): { kind: 'whiteout' | 'opaque' | 'meta'; target: string } | undefined {
  const slash = path.lastIndexOf('/');
  const base = path.slice(slash + 1);
  if (!base.startsWith('.wh.')) return undefined;
  const dir = slash === -1 ? '' : path.slice(0, slash);
  if (base === OPAQUE) return { kind: 'opaque', target: dir };
  // Other `.wh..wh.` names are aufs bookkeeping (hard-link directories), not deletions.
  if (base.startsWith('.wh..wh.')) return { kind: 'meta', target: path };
  const name = base.slice('.wh.'.length);
  return { kind: 'whiteout', target: dir ? `${dir}/${name}` : name };
}

async function collect(
  body: AsyncGenerator<Buffer>,
  max: number,
): Promise<{ bytes: Buffer; size: number; sha256: string; truncated: boolean }> {
  const hash = createHash('sha256');
  const kept: Buffer[] = [];
  let size = 0;
  let keptBytes = 0;
  for await (const part of body) {
    hash.update(part);
    size += part.byteLength;
    if (keptBytes < max) {
      const piece = part.subarray(0, max - keptBytes);
      kept.push(Buffer.from(piece)); // copied: the chunk underneath is reused by the stream
      keptBytes += piece.byteLength;
    }
  }
  return { bytes: Buffer.concat(kept), size, sha256: hash.digest('hex'), truncated: size > keptBytes };
}

/** Streams one layer to its end, indexing it, and captures `want`'s body (up to `maxBytes`) if it is there. */
export async function scanLayer(
  o: LayerStreamOptions,
  want?: { path: string; maxBytes: number },
): Promise<{ index: LayerIndex; capture?: Capture }> {
  const table = new FileTableBuilder();
  const metadata = new Map<string, Buffer>();
  const language: LanguagePackage[] = [];
  let extra = 256;
  let capture: Capture | undefined;
  const before = o.budget.used;
  for await (const { entry, body } of tarEntries(layerTarBytes(o))) {
    const wh = whiteoutOf(entry.path);
    if (wh?.kind === 'meta') continue;
    const item: IndexEntry = wh
      ? { path: wh.target, type: wh.kind, size: 0, mode: 0 }
      : { path: entry.path, type: entry.type, size: entry.size, mode: entry.mode };
    if (!wh && entry.link !== undefined) item.link = entry.link;
    if (entry.escaped) item.escaped = true;
    table.add(item);
    if (wh || entry.type !== 'file') continue;
    if (want && entry.path === want.path) {
      capture = { path: entry.path, ...(await collect(body(), want.maxBytes)) };
      if (isMetadataPath(entry.path) && !capture.truncated) {
        metadata.set(entry.path, capture.bytes);
        extra += capture.bytes.byteLength;
      }
      const ecosystem = capture.truncated ? undefined : languageEcosystem(entry.path);
      const pkg = ecosystem && parseLanguageManifest(ecosystem, capture.bytes, entry.path);
      if (pkg) {
        language.push(pkg);
        extra += 64 + (pkg.name.length + pkg.version.length) * 2;
      }
    } else if (isMetadataPath(entry.path) && entry.size <= MAX_METADATA_BYTES) {
      const { bytes } = await collect(body(), MAX_METADATA_BYTES);
      metadata.set(entry.path, bytes);
      extra += bytes.byteLength;
    } else if (entry.size <= MAX_MANIFEST_BYTES) {
      const ecosystem = languageEcosystem(entry.path);
      if (!ecosystem) continue;
      const pkg = parseLanguageManifest(ecosystem, (await collect(body(), MAX_MANIFEST_BYTES)).bytes, entry.path);
      if (pkg) {
        language.push(pkg);
        extra += 64 + (pkg.name.length + pkg.version.length) * 2;
      }
    }
  }
  const done = table.finish();
  const index: LayerIndex = {
    digest: o.layer.digest,
    table: done,
    metadata,
    language,
    tarBytes: o.budget.used - before,
    weight: extra + done.bytes,
  };
  return capture ? { index, capture } : { index };
}
