// One file of an image, found the way the overlay filesystem finds it: from the top layer down,
// the first layer that names the path (or deletes it, or an ancestor) decides. Layers with a
// cached index are looked up without a request; a layer is streamed only when it has no index or
// holds the file's body, and the search stops at the layer that decides. Symbolic links (on the
// file or on a parent directory) are followed inside the image, at most MAX_HOPS of them.
import { createHash } from 'node:crypto';
import { ToolError } from '../http/errors.js';
import type { ImageReader } from './image-reader.js';
import type { Capture, IndexEntry, LayerIndex } from './layer-index.js';
import { normalisePath } from './tar.js';

export const MAX_HOPS = 40;

type Verdict =
  { kind: 'found'; entry: IndexEntry } | { kind: 'deleted' } | { kind: 'absent' } | { kind: 'via'; ancestor: string; entry: IndexEntry };

function ancestors(path: string): string[] {
  const parts = path.split('/');
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
}

/** What layer `index` says about `path`; `shadowed` holds directories an upper layer made real. */
function lookup(index: LayerIndex, path: string, shadowed: Set<string>): Verdict {
  const { table } = index;
  const id = table.lookup(path);
  if (id !== -1) return { kind: 'found', entry: table.entry(id) };
  const above = ancestors(path);
  if (table.whitedOut(path) || above.some((dir) => table.whitedOut(dir) || table.opaque(dir))) return { kind: 'deleted' };
  for (const dir of above) {
    const at = table.lookup(dir);
    if (at === -1) continue;
    const parent = table.entry(at);
    if (parent.type === 'dir') shadowed.add(dir);
    else if (parent.type === 'symlink' && !shadowed.has(dir)) return { kind: 'via', ancestor: dir, entry: parent };
    else if (!shadowed.has(dir)) return { kind: 'deleted' }; // a file where a directory was
  }
  return { kind: 'absent' };
}

function linkTarget(from: string, target: string): string {
  const base = target.startsWith('/') ? '' : from.split('/').slice(0, -1).join('/');
  return normalisePath(`${base}/${target}`).path;
}

export interface FileAnswer {
  path: string;
  resolved_path: string;
  /** Symbolic links followed, in order. */
  links: string[];
  layer: number;
  layer_digest: string;
  type: string;
  size: number;
  mode: string;
  sha256?: string;
  encoding?: 'text' | 'base64';
  content?: string;
  truncated?: boolean;
}

/** Control bytes no text file holds (NUL, DEL, C0 except tab, newlines, form feed, escape): binary. */
function hasBinaryBytes(bytes: Buffer): boolean {
  for (const byte of bytes) {
    if (byte === 0x7f || (byte < 0x20 && !(byte >= 0x09 && byte <= 0x0d) && byte !== 0x1b)) return true;
  }
  return false;
}

function show(bytes: Buffer): { encoding: 'text' | 'base64'; content: string } {
  const text = bytes.toString('utf8');
  if (!hasBinaryBytes(bytes) && Buffer.from(text, 'utf8').equals(bytes)) return { encoding: 'text', content: text };
  return { encoding: 'base64', content: bytes.toString('base64') };
}

/** A captured body from the index when it holds one (metadata files), so no stream is needed. */
function fromMetadata(index: LayerIndex, path: string, maxBytes: number): Capture | undefined {
  const bytes = index.metadata.get(path);
  if (!bytes) return undefined;
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return { path, size: bytes.byteLength, sha256, bytes: bytes.subarray(0, maxBytes), truncated: bytes.byteLength > maxBytes };
}

export async function readImageFile(reader: ImageReader, asked: string, maxBytes: number): Promise<FileAnswer> {
  let path = normalisePath(asked).path;
  if (path === '') throw new ToolError('invalid_argument', `read_file: '${asked.slice(0, 200)}' is the root directory; files lists it`);
  const links: string[] = [];
  for (let hop = 0; ; hop++) {
    if (hop > MAX_HOPS)
      throw new ToolError(
        'invalid_content',
        `read_file: more than ${MAX_HOPS} symbolic links from /${normalisePath(asked).path} (a loop?): ${links.slice(-4).join(' → ')}`,
      );
    const shadowed = new Set<string>();
    let next: string | undefined;
    for (let at = reader.layers.length - 1; at >= 0 && next === undefined; at--) {
      const cached = reader.cached(at);
      const scanned = cached ? undefined : await reader.scan(at, { path, maxBytes });
      const index = cached ?? scanned!.index;
      const verdict = lookup(index, path, shadowed);
      if (verdict.kind === 'absent') continue;
      if (verdict.kind === 'deleted')
        throw new ToolError('not_found', `/${path} is deleted in layer ${at} (${index.digest}) of the image`, 404);
      if (verdict.kind === 'via') {
        next = linkTarget(verdict.ancestor, verdict.entry.link ?? '') + path.slice(verdict.ancestor.length);
        links.push(`/${verdict.ancestor} → ${verdict.entry.link ?? ''}`);
        break;
      }
      const { entry } = verdict;
      if (entry.type === 'symlink' || entry.type === 'hardlink') {
        next = entry.type === 'symlink' ? linkTarget(path, entry.link ?? '') : normalisePath(entry.link ?? '').path;
        links.push(`/${path} → ${entry.link ?? ''}`);
        break;
      }
      const answer: FileAnswer = {
        path: `/${normalisePath(asked).path}`,
        resolved_path: `/${path}`,
        links,
        layer: at,
        layer_digest: index.digest,
        type: entry.type,
        size: entry.size,
        mode: entry.mode.toString(8).padStart(4, '0'),
      };
      if (entry.type === 'dir') throw new ToolError('invalid_argument', `/${path} is a directory; files with path '/${path}' lists it`);
      if (entry.type === 'file') {
        const capture = scanned?.capture ?? fromMetadata(index, path, maxBytes) ?? (await reader.scan(at, { path, maxBytes })).capture;
        if (!capture) throw new ToolError('invalid_content', `layer ${at} lists /${path} but its body was not found when streamed`);
        Object.assign(answer, { size: capture.size, sha256: capture.sha256, ...show(capture.bytes) });
        if (capture.truncated) answer.truncated = true;
      }
      return answer;
    }
    if (next === undefined)
      throw new ToolError('not_found', `/${path} is not in the image`, 404, 'files with a path prefix or glob shows what is there.');
    path = next;
    if (path === '') throw new ToolError('invalid_argument', `read_file: /${normalisePath(asked).path} resolves to the root directory`);
  }
}
