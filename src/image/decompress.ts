// Layer decompression as a stream stage: gzip through node:zlib, zstd through node:zlib where it
// exists (Node ≥ 22.15) and through fzstd (pure JS, chunked) on older Node, uncompressed tar as is.
// The kind is read from the first bytes, not trusted from the media type: Docker's
// `tar.gzip` type has been pushed over plain tars, and the magic numbers are unambiguous.
import { PassThrough, Transform, type TransformCallback } from 'node:stream';
import * as zlib from 'node:zlib';
import { Decompress } from 'fzstd';
import { ToolError } from '../http/errors.js';
import { ZstdWindowGuard } from './zstd-guard.js';

export type Compression = 'gzip' | 'zstd' | 'none';

const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

export function sniffCompression(head: Uint8Array): Compression {
  if (GZIP_MAGIC.every((byte, i) => head[i] === byte)) return 'gzip';
  if (ZSTD_MAGIC.every((byte, i) => head[i] === byte)) return 'zstd';
  return 'none';
}

/** Layer media types we read; anything else (a Helm chart, a wasm module, foreign layers) is not a tar. */
export function isLayerMediaType(mediaType: string): boolean {
  return (
    /^application\/vnd\.oci\.image\.layer(\.nondistributable)?\.v1\.tar(\+gzip|\+zstd)?$/.test(mediaType) ||
    /^application\/vnd\.docker\.image\.rootfs\.(foreign\.)?diff\.tar(\.gzip|\.zstd)?$/.test(mediaType)
  );
}

/** fzstd's chunked decoder as a Transform (its output buffers are reused, so each is copied). */
class FzstdTransform extends Transform {
  private readonly guard = new ZstdWindowGuard();
  private readonly decoder = new Decompress((data) => {
    this.push(Buffer.from(data));
  });

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      this.guard.check(chunk);
      this.decoder.push(chunk);
      done();
    } catch (error) {
      done(zstdError(error));
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      this.decoder.push(new Uint8Array(0), true);
      done();
    } catch (error) {
      done(zstdError(error));
    }
  }
}

function zstdError(error: unknown): ToolError {
  const message = error instanceof Error ? error.message : String(error);
  return new ToolError('invalid_content', `zstd layer does not decompress: ${message}`);
}

type ZstdFactory = () => Transform;
const nativeZstd = (zlib as unknown as { createZstdDecompress?: ZstdFactory }).createZstdDecompress;

export function decompressor(kind: Compression): Transform {
  if (kind === 'gzip') return zlib.createGunzip({ chunkSize: 64 * 1024 });
  if (kind === 'zstd') return nativeZstd ? nativeZstd() : new FzstdTransform();
  return new PassThrough();
}

/** A decompressor failure in words a user can act on (zlib's codes say little). */
export function decompressionError(error: unknown, kind: Compression): ToolError | undefined {
  if (error instanceof ToolError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  // Node's native zstd (22.15+, 24) names its errors after libzstd's: ZSTD_error_corruption_detected, …
  if (code === 'ZSTD_error_frameParameter_windowTooLarge') {
    return new ToolError('invalid_content', `${kind} layer does not decompress: a frame asks for a window larger than the 128 MiB limit`);
  }
  if (
    typeof code === 'string' &&
    (code.startsWith('Z_') || code.startsWith('ERR_ZSTD') || code.startsWith('ZSTD_error') || code === 'ERR_ZLIB_INITIALIZATION_FAILED')
  ) {
    const message = error instanceof Error ? error.message : String(error);
    return new ToolError('invalid_content', `${kind} layer does not decompress: ${message}`);
  }
  return undefined;
}
