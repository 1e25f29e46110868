// Layer decompression: the kind read from magic bytes; zstd through Node's own decoder (22.15+, 24)
// or the fallback decoder (Node 20), failures mapped by decompressionError as layer-stream does.
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decompressionError, decompressor, isLayerMediaType, sniffCompression } from '../../../src/image/decompress.js';
import { ZstdWindowGuard } from '../../../src/image/zstd-guard.js';
import { zstdRawFrame } from '../../helpers/image/layers.js';

async function run(kind: 'gzip' | 'zstd' | 'none', input: Buffer): Promise<Buffer> {
  const parts: Buffer[] = [];
  const chunks = Array.from({ length: Math.ceil(input.length / 1000) }, (_, i) => input.subarray(i * 1000, (i + 1) * 1000));
  try {
    for await (const part of Readable.from(chunks).pipe(decompressor(kind))) parts.push(part as Buffer);
  } catch (error) {
    throw decompressionError(error, kind) ?? error;
  }
  return Buffer.concat(parts);
}

describe('decompression', () => {
  const data = Buffer.from('layer bytes '.repeat(30_000));

  it('tells gzip, zstd and plain tar apart by their first bytes', () => {
    expect(sniffCompression(gzipSync(data))).toBe('gzip');
    expect(sniffCompression(zstdRawFrame(data))).toBe('zstd');
    expect(sniffCompression(data)).toBe('none');
    expect(sniffCompression(Buffer.alloc(0))).toBe('none');
  });

  it('streams gzip and zstd (raw-block frames across many 128 KiB blocks) back to the same bytes', async () => {
    expect((await run('gzip', gzipSync(data))).equals(data)).toBe(true);
    expect((await run('zstd', zstdRawFrame(data))).equals(data)).toBe(true);
    expect((await run('none', data)).equals(data)).toBe(true);
  });

  it('a broken zstd frame is invalid_content', async () => {
    const frame = zstdRawFrame(data);
    frame[13] = 0xff; // block header: reserved block type
    await expect(run('zstd', frame)).rejects.toMatchObject({ type: 'invalid_content' });
  });

  it('knows which media types are filesystem layers', () => {
    expect(isLayerMediaType('application/vnd.oci.image.layer.v1.tar+zstd')).toBe(true);
    expect(isLayerMediaType('application/vnd.docker.image.rootfs.diff.tar.gzip')).toBe(true);
    expect(isLayerMediaType('application/vnd.cncf.helm.chart.content.v1.tar+gzip')).toBe(false);
  });
});

describe('zstd window guard', () => {
  it('passes ordinary frames, skippable frames and many frames in a row', () => {
    const guard = new ZstdWindowGuard();
    const skippable = Buffer.from([0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3]);
    const stream = Buffer.concat([zstdRawFrame(Buffer.alloc(300_000, 1)), skippable, zstdRawFrame(Buffer.from('tail'))]);
    for (let at = 0; at < stream.length; at += 5) guard.check(stream.subarray(at, at + 5));
  });

  it('refuses a frame claiming a window larger than 128 MiB (before fzstd allocates it on Node 20)', async () => {
    // Single-segment frame whose content size (and so window) claims 1 GiB.
    const frame = zstdRawFrame(Buffer.from('x'));
    frame.writeBigUInt64LE(BigInt(1024 ** 3), 5);
    await expect(run('zstd', frame)).rejects.toMatchObject({
      type: 'invalid_content',
      message: expect.stringContaining('window') as unknown,
    });
    // Window descriptor form: windowLog 31 (2 GiB).
    const windowed = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, (31 - 10) << 3, 0x01, 0x00, 0x00]);
    expect(() => new ZstdWindowGuard().check(windowed)).toThrow(/window/);
  });
});
