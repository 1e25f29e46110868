// Deterministic pseudo-random blobs of any size, as streams, so a 1 GiB blob never sits in memory:
// the bytes are an AES-128-CTR keystream keyed by the seed (fast and reproducible), and the digest
// is computed by streaming once and cached per (size, seed).
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';

const CHUNK = 256 * 1024;
const ZEROS = Buffer.alloc(CHUNK);

function cipherFor(seed: string) {
  const key = createHash('sha256').update(`blob-stream:${seed}`).digest();
  return createCipheriv('aes-128-ctr', key.subarray(0, 16), key.subarray(16, 32));
}

/** A Readable of exactly `size` deterministic bytes for `seed` (same seed and size → same bytes). */
export function pseudoRandomStream(size: number, seed = 'seed'): Readable {
  const cipher = cipherFor(seed);
  let left = size;
  return new Readable({
    highWaterMark: CHUNK,
    read() {
      if (left <= 0) {
        this.push(null);
        return;
      }
      const n = Math.min(CHUNK, left);
      left -= n;
      this.push(cipher.update(n === CHUNK ? ZEROS : ZEROS.subarray(0, n)));
    },
  });
}

/** The same bytes as pseudoRandomStream(size, seed), in memory: only for small sizes. */
export function pseudoRandomBytes(size: number, seed = 'seed'): Buffer {
  const cipher = cipherFor(seed);
  return cipher.update(Buffer.alloc(size));
}

/** Random (non-deterministic unless `seed` is given) bytes. */
export function randomBlob(size: number, seed?: string): Buffer {
  return seed === undefined ? randomBytes(size) : pseudoRandomBytes(size, seed);
}

export function sha256Digest(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** sha256 digest of a stream, consumed to the end. */
export async function streamDigest(stream: Readable): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    const buf = chunk as Buffer;
    hash.update(buf);
    size += buf.length;
  }
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

const digestCache = new Map<string, Promise<string>>();

/** Digest of pseudoRandomStream(size, seed), computed by streaming once per process. */
export function pseudoRandomDigest(size: number, seed = 'seed'): Promise<string> {
  const key = `${size}:${seed}`;
  let cached = digestCache.get(key);
  if (!cached) {
    cached = streamDigest(pseudoRandomStream(size, seed)).then((r) => r.digest);
    digestCache.set(key, cached);
  }
  return cached;
}

/** A blob source for pushBlob(): stream factory plus size and digest, never all in memory. */
export interface StreamBlob {
  size: number;
  digest: string;
  open(): Readable;
}

export async function pseudoRandomBlob(size: number, seed = 'seed'): Promise<StreamBlob> {
  return { size, digest: await pseudoRandomDigest(size, seed), open: () => pseudoRandomStream(size, seed) };
}
