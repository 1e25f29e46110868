// One layer blob as a stream of uncompressed tar bytes: fetched as a stream (no deadline on the
// whole body, the throughput floor instead), hashed as it flows and checked against its digest at
// the end, decompressed, and counted against the call's scan budget so neither a huge layer nor a
// decompression bomb can keep a call busy past DOCKERHUB_MAX_SCAN_BYTES.
import { createHash } from 'node:crypto';
import { pipeline, Readable } from 'node:stream';
import { ToolError } from '../http/errors.js';
import type { RegistryClient } from '../registry/client.js';
import { algorithmOf } from '../registry/digest.js';
import type { Descriptor } from '../registry/platform.js';
import type { ImageRef } from '../registry/reference.js';
import { decompressionError, decompressor, sniffCompression, type Compression } from './decompress.js';

/** Uncompressed layer bytes one call may read, shared by every layer it streams. */
export interface ScanBudget {
  readonly limit: number;
  used: number;
  /** Compressed bytes fetched (for tests, progress and the answer). */
  fetched: number;
}

export function scanBudget(limit: number): ScanBudget {
  return { limit, used: 0, fetched: 0 };
}

export interface LayerStreamOptions {
  client: RegistryClient;
  ref: ImageRef;
  layer: Descriptor;
  budget: ScanBudget;
  signal: AbortSignal;
  /** Called as compressed bytes arrive. */
  onFetched?: (bytes: number) => void;
}

function overBudget(budget: ScanBudget, digest: string): ToolError {
  return new ToolError(
    'unsupported_content',
    `reading layer ${digest} would pass this call's scan limit of ${budget.limit} uncompressed bytes (DOCKERHUB_MAX_SCAN_BYTES)`,
    undefined,
    'Ask about one layer (files with `layer`), or an operator raises DOCKERHUB_MAX_SCAN_BYTES. Layers already read are cached.',
  );
}

function transferError(error: unknown, digest: string, bytes: number, signal: AbortSignal): ToolError {
  if (error instanceof ToolError) return error;
  if (signal.aborted) return new ToolError('cancelled', `reading layer ${digest} was cancelled`);
  if (error instanceof Error && error.name === 'TimeoutError')
    return new ToolError('timeout', `layer ${digest}: the body stalled after ${bytes} bytes`, undefined, 'Retry; the registry is slow.');
  const cause = error instanceof Error ? ((error as Error & { cause?: Error }).cause?.message ?? error.message) : String(error);
  return new ToolError('network_error', `layer ${digest}: the body broke off after ${bytes} bytes (${cause})`, undefined, 'Retry.');
}

/** Times one layer read resumes after its body breaks off (each resume is a Range GET). */
export const MAX_RESUMES = 3;

function resumable(error: unknown, signal: AbortSignal): boolean {
  if (signal.aborted) return false;
  if (error instanceof ToolError) return error.type === 'network_error' || error.type === 'timeout';
  return true;
}

/** GET the blob from `offset` (a Range GET past 0); the registry must answer 206 to resume. */
async function openAt(o: LayerStreamOptions, offset: number): Promise<ReadableStream<Uint8Array>> {
  const result = await o.client.request<ReadableStream<Uint8Array>>(o.ref, {
    path: `/v2/${o.ref.repository}/blobs/${o.layer.digest}`,
    ...(offset > 0 ? { headers: { range: `bytes=${offset}-` } } : {}),
    scopes: o.client.pull(o.ref),
    read: 'stream',
    signal: o.signal,
  });
  if (offset > 0 && result.status_code !== 206) {
    result.data.cancel().catch(() => undefined);
    throw new ToolError(
      'network_error',
      `layer ${o.layer.digest} broke off at byte ${offset} and the registry cannot resume it (no Range support)`,
      undefined,
      'Retry.',
    );
  }
  return result.data;
}

/**
 * The compressed blob as verified chunks: hashed as they pass, the digest checked after the last
 * one. A body that breaks off resumes where it stopped (bytes already passed are never replayed,
 * so the hash and everything downstream just continue).
 */
async function* verifiedChunks(first: ReadableStream<Uint8Array>, o: LayerStreamOptions): AsyncGenerator<Buffer> {
  const digest = o.layer.digest;
  const hash = createHash(algorithmOf(digest));
  let bytes = 0;
  let resumes = 0;
  let web = first;
  for (;;) {
    const reader = web.getReader();
    let finished = false;
    try {
      for (;;) {
        let step: Awaited<ReturnType<typeof reader.read>>;
        try {
          step = await reader.read();
        } catch (error) {
          if (resumes >= MAX_RESUMES || !resumable(error, o.signal)) throw transferError(error, digest, bytes, o.signal);
          break;
        }
        if (step.done) {
          finished = true;
          break;
        }
        hash.update(step.value);
        bytes += step.value.byteLength;
        o.budget.fetched += step.value.byteLength;
        o.onFetched?.(step.value.byteLength);
        yield Buffer.from(step.value.buffer, step.value.byteOffset, step.value.byteLength);
      }
    } finally {
      if (!finished) reader.cancel().catch(() => undefined);
    }
    if (finished) break;
    resumes++;
    web = await openAt(o, bytes);
  }
  const actual = `${algorithmOf(digest)}:${hash.digest('hex')}`;
  if (actual !== digest)
    throw new ToolError(
      'integrity_error',
      `layer blob does not match its digest: expected ${digest}, got ${actual}`,
      undefined,
      'Nothing read from it was used.',
    );
}

/** Holds back the first bytes until the compression can be told from them. */
async function sniffed(chunks: AsyncGenerator<Buffer>): Promise<{ kind: Compression; stream: AsyncGenerator<Buffer> }> {
  const head: Buffer[] = [];
  let length = 0;
  while (length < 4) {
    const step = await chunks.next();
    if (step.done) break;
    head.push(step.value);
    length += step.value.byteLength;
  }
  const kind = sniffCompression(Buffer.concat(head));
  const stream = (async function* (): AsyncGenerator<Buffer> {
    yield* head;
    yield* chunks;
  })();
  return { kind, stream };
}

/** The layer's tar bytes, decompressed, as they stream. Stop early and the download is cancelled. */
export async function* layerTarBytes(o: LayerStreamOptions): AsyncGenerator<Buffer> {
  const { budget, layer } = o;
  // Compressed bytes never outnumber the tar they hold by much: a layer whose blob alone passes the
  // budget is refused before a byte is fetched.
  if (budget.used + layer.size > budget.limit) throw overBudget(budget, layer.digest);
  const { kind, stream } = await sniffed(verifiedChunks(await openAt(o, 0), o));
  const decoded = pipeline(Readable.from(stream, { objectMode: false }), decompressor(kind), () => undefined);
  try {
    for await (const chunk of decoded as AsyncIterable<Buffer>) {
      budget.used += chunk.byteLength;
      if (budget.used > budget.limit) throw overBudget(budget, layer.digest);
      yield chunk;
    }
  } catch (error) {
    throw decompressionError(error, kind) ?? transferError(error, layer.digest, budget.fetched, o.signal);
  } finally {
    decoded.destroy();
  }
}
