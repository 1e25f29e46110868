// A streaming tar reader for image layers: ustar, GNU long names and long links (`L`, `K`), PAX
// extended headers (path, linkpath, size). Entries come out one at a time; a body the caller does
// not read is skipped, so memory stays at one chunk plus the (capped) long names. Paths are made
// relative to the image root lexically: nothing here touches a file system, and a `../` that
// would climb out of the root is clamped at it (and flagged), as a chroot would.
import { ToolError } from '../http/errors.js';
import { ByteReader } from './byte-reader.js';

export type EntryType = 'file' | 'hardlink' | 'symlink' | 'dir' | 'char' | 'block' | 'fifo' | 'other';

export interface TarEntry {
  /** Relative to the image root, no leading `/` or `./`, no `.` or `..` parts. */
  path: string;
  type: EntryType;
  /** Body bytes (0 for links and directories). */
  size: number;
  mode: number;
  /** Target of a symbolic or hard link, as written in the archive. */
  link?: string;
  /** The archive named a path outside the root (`../x`); it is shown clamped at the root. */
  escaped?: true;
}

export interface TarItem {
  entry: TarEntry;
  /** The body as it streams; read it before asking for the next entry, or it is skipped. */
  body: () => AsyncGenerator<Buffer>;
}

const BLOCK = 512;
/** Long names and PAX headers larger than this are not real archives. */
const MAX_META_BYTES = 1024 * 1024;

const TYPES: Record<string, EntryType> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'char',
  '4': 'block',
  '5': 'dir',
  '6': 'fifo',
};

function bad(message: string): ToolError {
  return new ToolError('invalid_content', `layer tar: ${message}`);
}

function text(block: Buffer, offset: number, length: number): string {
  const field = block.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? length : end).toString('utf8');
}

/** A numeric field: octal text, or GNU base-256 when the high bit of the first byte is set. */
function number(block: Buffer, offset: number, length: number, what: string): number {
  const field = block.subarray(offset, offset + length);
  if ((field[0]! & 0x80) !== 0) {
    if ((field[0]! & 0x40) !== 0) throw bad(`negative ${what}`);
    let value = field[0]! & 0x3f;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
    if (!Number.isSafeInteger(value)) throw bad(`${what} too large`);
    return value;
  }
  const digits = text(block, offset, length).trim();
  if (digits === '') return 0;
  if (!/^[0-7]+$/.test(digits)) throw bad(`${what} field is not a number`);
  return parseInt(digits, 8);
}

function checksumOk(block: Buffer): boolean {
  const stored = number(block, 148, 8, 'checksum');
  // The checksum field itself counts as eight spaces.
  let unsigned = 8 * 0x20;
  let high = 0;
  for (let i = 0; i < BLOCK; i++) {
    if (i === 148) i = 156;
    const byte = block[i]!;
    unsigned += byte;
    if (byte > 127) high++;
  }
  // Some old tars summed signed bytes: each byte over 127 then counts 256 less.
  return stored === unsigned || stored === unsigned - 256 * high;
}

function isZeroBlock(block: Buffer): boolean {
  if (block[0] !== 0) return false; // every real header starts with a name
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

/** Lexical path inside the root: `/a/./b/../c` → `a/c`; `../../etc` → `etc`, flagged as escaped. */
export function normalisePath(raw: string): { path: string; escaped: boolean } {
  const out: string[] = [];
  let escaped = false;
  for (const part of raw.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0) out.pop();
      else escaped = true;
      continue;
    }
    out.push(part);
  }
  return { path: out.join('/'), escaped };
}

/** PAX records: `<length> <key>=<value>\n`, repeated. */
function paxRecords(bytes: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let at = 0;
  while (at < bytes.length) {
    const space = bytes.indexOf(0x20, at);
    if (space === -1) break;
    const length = parseInt(bytes.subarray(at, space).toString('ascii'), 10);
    if (!Number.isSafeInteger(length) || length <= 0 || at + length > bytes.length) throw bad('malformed PAX header');
    const record = bytes.subarray(space + 1, at + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    at += length;
  }
  return out;
}

/** The entries of a tar stream, in archive order. */
export async function* tarEntries(source: AsyncIterable<Buffer>): AsyncGenerator<TarItem> {
  const reader = new ByteReader(source[Symbol.asyncIterator]());
  let longName: string | undefined;
  let longLink: string | undefined;
  let pax: Record<string, string> = {};
  for (;;) {
    const header = await reader.read(BLOCK);
    if (header.length === 0) return; // no end marker: tolerated, as GNU tar does
    if (header.length < BLOCK) throw bad(`the layer ends inside a header (at byte ${reader.position})`);
    if (isZeroBlock(header)) {
      await reader.drain(); // the rest is padding; read so the stream's digest is checked
      return;
    }
    if (!checksumOk(header)) throw bad(`bad header checksum at byte ${reader.position - BLOCK} (not a tar archive?)`);
    const flag = String.fromCharCode(header[156]!);
    let size = number(header, 124, 12, 'size');
    if (pax.size !== undefined && /^\d+$/.test(pax.size)) size = Number(pax.size);
    if (!Number.isSafeInteger(size)) throw bad('entry size too large');
    const padding = (BLOCK - (size % BLOCK)) % BLOCK;

    if (flag === 'L' || flag === 'K' || flag === 'x' || flag === 'g') {
      if (size > MAX_META_BYTES) throw bad(`a ${flag} header of ${size} bytes (more than ${MAX_META_BYTES})`);
      const body = await reader.read(size);
      if (body.length < size) throw bad('the layer ends inside an extended header');
      await reader.skip(padding);
      if (flag === 'L') longName = text(body, 0, body.length);
      else if (flag === 'K') longLink = text(body, 0, body.length);
      else if (flag === 'x') pax = { ...pax, ...paxRecords(body) };
      continue; // global PAX headers ('g') carry nothing we show
    }

    const magic = text(header, 257, 6);
    const prefix = magic.startsWith('ustar') ? text(header, 345, 155) : '';
    const rawName = pax.path ?? longName ?? (prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100));
    const rawLink = pax.linkpath ?? longLink ?? text(header, 157, 100);
    longName = undefined;
    longLink = undefined;
    pax = {};

    const type = TYPES[flag] ?? 'other';
    const { path, escaped } = normalisePath(rawName);
    const entry: TarEntry = {
      path,
      type,
      size: type === 'file' || type === 'other' ? size : 0,
      mode: number(header, 100, 8, 'mode') & 0o7777,
    };
    if ((type === 'symlink' || type === 'hardlink') && rawLink) entry.link = rawLink;
    if (escaped) entry.escaped = true;

    let remaining = size;
    const body = async function* (): AsyncGenerator<Buffer> {
      for await (const part of reader.take(remaining)) {
        remaining -= part.byteLength;
        yield part;
      }
    };
    // The root directory itself (`./`) is not an entry of the image's file list.
    if (path !== '') yield { entry, body };
    if (remaining > 0) remaining -= await reader.skip(remaining);
    if (remaining > 0)
      throw bad(`the layer ends inside the body of ${path || rawName} (${size} bytes declared, ${size - remaining} present)`);
    await reader.skip(padding);
  }
}
