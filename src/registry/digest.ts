// Content verification: digests computed over the exact bytes, and a stream pass-through that
// hashes while data flows so a copy never holds a layer in memory.
import { createHash } from 'node:crypto';
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
  stream: ReadableStream<Uint8Array>;
  /** Resolves after the last chunk passed with the digest and byte count. */
  done: Promise<{ digest: string; size: number }>;
}

/**
 * Passes a stream through, hashing it. When `expected` is given, a mismatch errors the stream at
 * its end, so the consumer (e.g. an upload) fails instead of committing corrupt bytes.
 */
export function hashingStream(source: ReadableStream<Uint8Array>, expected?: string): HashingStream {
  const hash = createHash(expected ? algorithmOf(expected) : 'sha256');
  const prefix = expected ? algorithmOf(expected) : 'sha256';
  let size = 0;
  let resolveDone!: (value: { digest: string; size: number }) => void;
  let rejectDone!: (error: unknown) => void;
  const done = new Promise<{ digest: string; size: number }>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  done.catch(() => undefined);
  const transform = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      hash.update(chunk);
      size += chunk.byteLength;
      controller.enqueue(chunk);
    },
    flush(controller) {
      const digest = `${prefix}:${hash.digest('hex')}`;
      if (expected && digest !== expected) {
        const error = new ToolError('integrity_error', `blob does not match its digest: expected ${expected}, got ${digest}`);
        rejectDone(error);
        controller.error(error);
        return;
      }
      resolveDone({ digest, size });
    },
  });
  return { stream: source.pipeThrough(transform), done };
}
