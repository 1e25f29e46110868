// A window-size check for zstd streams decoded by fzstd, which allocates each frame's whole window
// up front (up to 2 GiB) from what the frame header claims. Walking the frame structure (headers,
// block headers, skippable frames: RFC 8878 §3.1) costs a few counters; every frame whose window
// is larger than zstd's own default decoder limit (windowLog 27, 128 MiB) is refused before the
// decoder sees it. Node's native zstd applies the same limit itself.
import { ToolError } from '../http/errors.js';

export const MAX_ZSTD_WINDOW = 128 * 1024 * 1024;

type State = 'magic' | 'skippable' | 'descriptor' | 'header' | 'block' | 'checksum';

export class ZstdWindowGuard {
  private state: State = 'magic';
  /** Bytes collected for the part being parsed. */
  private readonly pending: number[] = [];
  private need = 4;
  /** Payload bytes to pass over before the next structure. */
  private skip = 0;
  private descriptor = 0;
  private lastBlock = false;

  constructor(private readonly maxWindow = MAX_ZSTD_WINDOW) {}

  /** Looks at the next compressed bytes; throws invalid_content on a frame asking too much. */
  check(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - at);
        this.skip -= n;
        at += n;
        continue;
      }
      this.pending.push(chunk[at++]!);
      if (this.pending.length === this.need) this.parsed(this.pending.splice(0));
    }
  }

  private expect(state: State, need: number): void {
    this.state = state;
    this.need = need;
  }

  private parsed(bytes: number[]): void {
    switch (this.state) {
      case 'magic': {
        const magic = (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 0;
        if (magic === 0xfd2fb528) return this.expect('descriptor', 1);
        if ((magic & 0xfffffff0) === 0x184d2a50) return this.expect('skippable', 4);
        throw new ToolError('invalid_content', 'zstd layer does not decompress: not a zstd frame');
      }
      case 'skippable':
        this.skip = (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 0;
        return this.expect('magic', 4);
      case 'descriptor': {
        const flags = bytes[0]!;
        this.descriptor = flags;
        const single = (flags >> 5) & 1;
        const dict = [0, 1, 2, 4][flags & 3]!;
        const fcf = flags >> 6;
        const fcs = fcf ? 1 << fcf : single;
        return this.expect('header', (single ? 0 : 1) + dict + fcs);
      }
      case 'header': {
        this.window(bytes);
        return this.expect('block', 3);
      }
      case 'block': {
        const value = bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16);
        this.lastBlock = (value & 1) === 1;
        const type = (value >> 1) & 3;
        this.skip = type === 1 ? 1 : value >>> 3; // an RLE block stores one byte
        if (!this.lastBlock) return this.expect('block', 3);
        return (this.descriptor >> 2) & 1 ? this.expect('checksum', 4) : this.expect('magic', 4);
      }
      case 'checksum':
        return this.expect('magic', 4);
    }
  }

  private window(header: number[]): void {
    const flags = this.descriptor;
    const single = (flags >> 5) & 1;
    let window: number;
    if (single) {
      // Single segment: the window is the content size (the header's last field).
      const fcf = flags >> 6;
      const size = fcf ? 1 << fcf : 1;
      const bytes = header.slice(header.length - size);
      window = bytes.reduceRight((sum, byte) => sum * 256 + byte, 0) + (fcf === 1 ? 256 : 0);
    } else {
      const descriptor = header[0]!;
      const base = 2 ** (10 + (descriptor >> 3));
      window = base + (base / 8) * (descriptor & 7);
    }
    if (window > this.maxWindow)
      throw new ToolError(
        'invalid_content',
        `zstd layer asks for a ${window}-byte window, more than the ${this.maxWindow} bytes zstd decoders accept by default`,
      );
  }
}
