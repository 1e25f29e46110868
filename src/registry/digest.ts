// Content verification: digests computed over the exact bytes, and a check that hashes a bulk
// stream while it flows (in its one gate stage), so a copy never holds a layer in memory.
import { createHash } from 'node:crypto';
import type { StreamCheck } from '../http/bulk-gate.js';
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

/** A digest check for a bulk stream (http/bulk-gate.ts): hashes every chunk, compares at the end. */
export interface DigestCheck extends StreamCheck {
  /** Bytes seen so far. */
  readonly size: number;
  /** The mismatch, once finish() found one: the cause to report when the upload then breaks. */
  readonly failure: ToolError | undefined;
}

export function digestCheck(expected: string): DigestCheck {
  const algorithm = algorithmOf(expected);
  const hash = createHash(algorithm);
  let size = 0;
  let failure: ToolError | undefined;
  return {
    update(chunk) {
      hash.update(chunk);
      size += chunk.byteLength;
    },
    finish() {
      const actual = `${algorithm}:${hash.digest('hex')}`;
      if (actual === expected) return undefined;
      failure = new ToolError(
        'integrity_error',
        `blob does not match its digest: expected ${expected}, got ${actual}`,
        undefined,
        'The source registry (or something between) sent other bytes; the copy withheld the last of them, so the destination cannot complete the upload.',
      );
      return failure;
    },
    get size() {
      return size;
    },
    get failure() {
      return failure;
    },
  };
}
