// Reading a blob into a tool result: verified by digest when read whole, cut at a byte cap, and
// shown as JSON, text or base64.
import { createHash } from 'node:crypto';
import { ToolError } from '../http/errors.js';
import type { RegistryClient } from './client.js';
import { algorithmOf } from './digest.js';
import type { ImageRef } from './reference.js';
import { jsonTextDepth, UPSTREAM_JSON_BOUNDS } from '../util/json-bounds.js';

export interface BlobRead {
  digest: string;
  size?: number;
  content_type?: string;
  encoding: 'json' | 'text' | 'base64';
  content: unknown;
  verified: boolean;
  truncated?: boolean;
}

/** Reads a blob up to `maxBytes`: verified when read whole, cut (and not verifiable) beyond. */
export async function readBlob(
  client: RegistryClient,
  ref: ImageRef,
  digest: string,
  maxBytes: number,
  signal?: AbortSignal,
): Promise<BlobRead> {
  const result = await client.request<ReadableStream<Uint8Array>>(ref, {
    path: `/v2/${ref.repository}/blobs/${digest}`,
    scopes: client.pull(ref),
    read: 'stream',
    // Capped content: DOCKERHUB_TIMEOUT covers the whole body (a 1-byte drip cannot hold the call).
    bounded: true,
    signal,
  });
  const declared = Number(result.raw.get('content-length') ?? NaN);
  const reader = result.data.getReader();
  const hash = createHash(algorithmOf(digest));
  const chunks: Buffer[] = [];
  let kept = 0;
  let total = 0;
  let truncated = false;
  for (;;) {
    let step: Awaited<ReturnType<typeof reader.read>>;
    try {
      step = await reader.read();
    } catch (error) {
      if (signal?.aborted) throw new ToolError('cancelled', `GET blob ${digest} was cancelled`);
      if (error instanceof ToolError) throw error;
      if (error instanceof Error && error.name === 'TimeoutError') {
        throw new ToolError(
          'timeout',
          `GET /v2/${ref.repository}/blobs/${digest}: the body did not arrive within the deadline (${total} bytes so far)`,
          undefined,
          'Raise DOCKERHUB_TIMEOUT if the registry is slow.',
        );
      }
      const cause = error instanceof Error ? ((error as Error & { cause?: Error }).cause?.message ?? error.message) : String(error);
      throw new ToolError(
        'network_error',
        `GET /v2/${ref.repository}/blobs/${digest}: the body broke off after ${total} bytes (${cause})`,
        undefined,
        'Retry; the registry or the network dropped the connection.',
      );
    }
    const { done, value } = step;
    if (done) break;
    total += value.byteLength;
    hash.update(value);
    if (kept + value.byteLength > maxBytes) {
      chunks.push(Buffer.from(value.subarray(0, maxBytes - kept)));
      kept = maxBytes;
      truncated = true;
      reader.cancel().catch(() => undefined);
      break;
    }
    chunks.push(Buffer.from(value));
    kept += value.byteLength;
  }
  const bytes = Buffer.concat(chunks);
  if (!truncated) {
    const actual = `${algorithmOf(digest)}:${hash.digest('hex')}`;
    if (actual !== digest)
      throw new ToolError(
        'integrity_error',
        `blob does not match its digest: expected ${digest}, got ${actual}`,
        undefined,
        'The registry returned corrupt content; nothing was used.',
      );
  }
  const contentType = result.raw.get('content-type') ?? undefined;
  const out: BlobRead = { digest, encoding: 'base64', content: null, verified: !truncated };
  out.size = Number.isFinite(declared) ? declared : total;
  if (contentType) out.content_type = contentType;
  if (truncated) out.truncated = true;
  const text = bytes.toString('utf8');
  const isText = !bytes.includes(0) && Buffer.from(text, 'utf8').equals(bytes);
  // JSON nested deeper than any real document is shown as text: the parsed value would be handed
  // to recursive code (redaction, serialisation) further on.
  if (isText && !truncated && jsonTextDepth(text) <= UPSTREAM_JSON_BOUNDS.maxDepth) {
    try {
      out.content = JSON.parse(text) as unknown;
      out.encoding = 'json';
      return out;
    } catch {
      // not JSON: fall through to text
    }
  }
  if (isText) {
    out.content = text;
    out.encoding = 'text';
  } else {
    out.content = bytes.toString('base64');
  }
  return out;
}
