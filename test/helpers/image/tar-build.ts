// Tar archives for image-insight tests, written byte by byte (independent of the parser under
// test): regular files, directories, symbolic and hard links, whiteouts, GNU long names and long
// links, PAX path / linkpath / size records, and headers that lie (a size with no body behind it).

export interface TarSpec {
  path: string;
  type?: 'file' | 'dir' | 'symlink' | 'hardlink' | 'fifo';
  body?: string | Buffer;
  link?: string;
  mode?: number;
  /** Size written in the header, whatever the body (hostile archives). */
  headerSize?: number;
  /** Long names as 'gnu' (L/K entries, the default past 100 bytes) or 'pax'. */
  long?: 'gnu' | 'pax';
}

const FLAGS = { file: '0', hardlink: '1', symlink: '2', dir: '5', fifo: '6' } as const;

function header(name: string, flag: string, size: number, link: string, mode: number): Buffer {
  const h = Buffer.alloc(512);
  const put = (text: string, offset: number, length: number): void => {
    h.write(text.slice(0, length), offset, length, 'utf8');
  };
  const octal = (value: number, length: number): string => value.toString(8).padStart(length - 1, '0') + '\0';
  put(name, 0, 100);
  put(octal(mode, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  if (size > 0o77777777777) {
    // GNU base-256: high bit set, big-endian value in the rest of the field.
    h[124] = 0x80;
    let v = BigInt(size);
    for (let i = 135; i > 124; i--) {
      h[i] = Number(v & 0xffn);
      v >>= 8n;
    }
  } else put(octal(size, 12), 124, 12);
  put(octal(1714564800, 12), 136, 12);
  put('        ', 148, 8);
  put(flag, 156, 1);
  put(link, 157, 100);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  put('root', 265, 32);
  put('root', 297, 32);
  let sum = 0;
  for (const byte of h) sum += byte;
  put(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8);
  return h;
}

const pad = (length: number): Buffer => Buffer.alloc((512 - (length % 512)) % 512);

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = body.length + 1;
  while (String(length).length + Buffer.byteLength(body) !== length) length = String(length).length + Buffer.byteLength(body);
  return `${length}${body}`;
}

/** Blocks for one entry (with any long-name entries in front). */
export function tarEntry(spec: TarSpec): Buffer[] {
  const type = spec.type ?? (spec.link !== undefined ? 'symlink' : 'file');
  const body = spec.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(spec.body) ? spec.body : Buffer.from(spec.body);
  const mode = spec.mode ?? (type === 'dir' ? 0o755 : 0o644);
  const link = spec.link ?? '';
  const blocks: Buffer[] = [];
  let name = spec.path;
  let shortLink = link;
  const long = Buffer.byteLength(name) > 100 || Buffer.byteLength(link) > 100;
  if (long && spec.long === 'pax') {
    const records = Buffer.from(paxRecord('path', name) + (link ? paxRecord('linkpath', link) : ''));
    blocks.push(header('PaxHeaders/x', 'x', records.length, '', 0o644), records, pad(records.length));
    name = name.slice(0, 100);
    shortLink = link.slice(0, 100);
  } else if (long) {
    if (Buffer.byteLength(name) > 100) {
      const bytes = Buffer.from(`${name}\0`);
      blocks.push(header('././@LongLink', 'L', bytes.length, '', 0o644), bytes, pad(bytes.length));
      name = name.slice(0, 100);
    }
    if (Buffer.byteLength(link) > 100) {
      const bytes = Buffer.from(`${link}\0`);
      blocks.push(header('././@LongLink', 'K', bytes.length, '', 0o644), bytes, pad(bytes.length));
      shortLink = link.slice(0, 100);
    }
  }
  const size = spec.headerSize ?? (type === 'file' ? body.length : 0);
  blocks.push(header(name, FLAGS[type], size, shortLink, mode));
  if (body.length > 0) blocks.push(body, pad(body.length));
  return blocks;
}

/** A whole archive: entries in order, then the two zero blocks. */
export function tarOf(specs: readonly TarSpec[], opts: { end?: boolean } = {}): Buffer {
  const blocks = specs.flatMap(tarEntry);
  if (opts.end !== false) blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}
