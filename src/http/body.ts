// Reading and discarding response bodies: bounded in-memory reads, and letting go of a body
// nobody will read.
import { ToolError } from './errors.js';

/**
 * Lets go of a body that will not be read. Not awaited: cancel() can stay pending for a tee'd
 * body (msw's interceptors, proxies that clone responses), and nothing here needs it settled.
 */
export function discard(body: ReadableStream<Uint8Array> | null | undefined): void {
  body?.cancel().catch(() => undefined);
}

/** Reads a body, refusing to buffer more than `limit` bytes. */
export async function readBounded(response: Response, limit: number): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    discard(response.body);
    throw new ToolError('upstream_error', `response body of ${declared} bytes exceeds the ${limit}-byte limit for in-memory reads`);
  }
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      reader.cancel().catch(() => undefined);
      throw new ToolError('upstream_error', `response body exceeds the ${limit}-byte limit for in-memory reads`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
