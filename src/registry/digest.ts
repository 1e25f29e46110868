// Content verification: digests computed over the exact bytes, and a stream pass-through that
// hashes while data flows so a copy never holds a layer in memory.
import { createHash } from 'node:crypto';
import { pipeline, Transform, type Readable } from 'node:stream';
import { ToolError } from '../http/errors.js';

export function algorithmOf(digest: string): 'sha256' | 'sha512' {
  return digest.startsWith('sha512:') ? 'sha512' : 'sha256';
}

export function digestOf(bytes: Uint8Array, algorithm: 'sha256' | 'sha512' = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

export function verifyBytes(bytes: Uint8Array, expected: string, what: string): void {
  const actual = digestOf(bytes, algorithmOf(expected));
  if (actual !== expected) {
    throw new ToolError(
      'integrity_error',
      `${what} does not match its digest: expected ${expected}, got ${actual}`,
      undefined,
      'The registry (or something between) returned corrupt content; nothing was used.',
    );
  }
}

export interface HashingStream {
  stream: Readable;
  /** Resolves after the last chunk passed with the digest and byte count. */
  done: Promise<{ digest: string; size: number }>;
}

/**
 * Passes a stream through, hashing it: one Transform, no per-chunk promise (the copy path). When
 * `expected` is given, a mismatch errors the stream at its end, so the consumer (an upload) fails
 * instead of committing corrupt bytes. Errors and early ends travel both ways with `source`.
 */
export function hashingStream(source: Readable, expected?: string): HashingStream {
  const algorithm = expected ? algorithmOf(expected) : 'sha256';
  const hash = createHash(algorithm);
  let size = 0;
  let settle!: (error: Error | null, digest?: string) => void;
  const done = new Promise<{ digest: string; size: number }>((resolve, reject) => {
    settle = (error, digest) => (error ? reject(error) : resolve({ digest: digest ?? '', size }));
  });
  done.catch(() => undefined);
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.byteLength;
      callback(null, chunk);
    },
    flush(callback) {
      const digest = `${algorithm}:${hash.digest('hex')}`;
      if (expected && digest !== expected) {
        const error = new ToolError('integrity_error', `blob does not match its digest: expected ${expected}, got ${digest}`);
        settle(error);
        callback(error);
        return;
      }
      settle(null, digest);
      callback();
    },
  });
  pipeline(source, stream, () => undefined);
  return { stream, done };
}
