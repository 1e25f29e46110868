// Uploading a whole blob over an upload session: in memory or small → one PUT or PATCH chunks
// (at most two chunks held); a big stream → one streamed request body (flat memory), resumable
// from the registry's committed offset. Recovery after a failed chunk reads the upload status.
import type { Readable } from 'node:stream';
import type { HttpResult } from '../http/client.js';
import { ToolError } from '../http/errors.js';
import type { RegistryClient } from './client.js';
import type { ImageRef } from './reference.js';
import {
  cancelUpload,
  DEFAULT_CHUNK_SIZE,
  committedFrom,
  completeUpload,
  locationOf,
  OCTET,
  startUpload,
  uploadChunk,
  uploadStatus,
  type UploadSession,
} from './upload-session.js';

/** Streamed sources larger than this are sent as a stream rather than read into memory. */
const STREAM_ABOVE = 1024 * 1024;
const MAX_RECOVERIES = 3;

/** A blob to upload: in memory (replayable) or a stream read once (e.g. a verified download). */
export interface BlobInput {
  digest: string;
  size: number;
  bytes?: Uint8Array;
  stream?: Readable;
  /** Re-opens a streamed source at a byte offset (a Range GET), so a broken upload can resume. */
  reopen?: (offset: number) => Promise<Readable>;
  /** Why the source itself failed (its digest check), if it did: such a break is not retried. */
  sourceFailure?: () => Error | undefined;
}

export interface UploadOptions {
  signal?: AbortSignal;
  /** Chunk size; a blob no larger than this goes in one PUT. Raised to OCI-Chunk-Min-Length. */
  chunkSize?: number;
  /** A session opened already (e.g. by a mount that answered 202). */
  session?: UploadSession;
  /** Bytes committed so far. */
  onProgress?: (committed: number) => void;
}

export interface UploadOutcome {
  digest: string;
  size: number;
  mode: 'monolithic' | 'chunked';
  chunks: number;
  /** Failed chunks resumed after a status GET. */
  recoveries: number;
  /** Whole-upload restarts (the registry dropped the session; in-memory blobs only). */
  restarts: number;
  result: HttpResult<unknown>;
}

/** Hands out a blob in chunks: slices of an in-memory blob, or fixed-size Buffers read from a stream. */
interface Chunker {
  next(): Promise<Uint8Array | undefined>;
  cancel(): Promise<void>;
}

function bufferChunker(bytes: Uint8Array, size: number): Chunker {
  let at = 0;
  return {
    next: async () => {
      if (at >= bytes.byteLength) return undefined;
      const chunk = bytes.subarray(at, Math.min(at + size, bytes.byteLength));
      at += chunk.byteLength;
      return chunk;
    },
    cancel: async () => undefined,
  };
}

function streamChunker(stream: Readable, size: number): Chunker {
  const reader: AsyncIterator<Uint8Array> = (stream as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  let leftover: Uint8Array | undefined;
  let ended = false;
  return {
    next: async () => {
      if (ended && !leftover) return undefined;
      const buffer = Buffer.allocUnsafe(size);
      let filled = 0;
      while (filled < size) {
        let piece = leftover;
        leftover = undefined;
        if (!piece) {
          if (ended) break;
          const step: IteratorResult<Uint8Array> = await reader.next();
          if (step.done === true) {
            ended = true;
            break;
          }
          piece = step.value;
        }
        const n = Math.min(size - filled, piece.byteLength);
        buffer.set(n === piece.byteLength ? piece : piece.subarray(0, n), filled);
        filled += n;
        if (n < piece.byteLength) leftover = piece.subarray(n);
      }
      return filled === 0 ? undefined : buffer.subarray(0, filled);
    },
    cancel: async () => {
      ended = true;
      leftover = undefined;
      stream.destroy();
    },
  };
}

function recoverable(error: unknown): boolean {
  if (!(error instanceof ToolError)) return false;
  if (error.type === 'network_error' || error.type === 'timeout') return true;
  return error.status === 416 || (error.status !== undefined && error.status >= 500);
}

class SessionLost extends ToolError {}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Uploads a blob: one PUT when it fits in a chunk, else PATCH chunks with Content-Range and a
 * final empty PUT. A failed chunk is resumed from the offset the registry reports (GET on the
 * latest upload URL); a dropped session restarts an in-memory blob once. Anything else cancels
 * the session (DELETE) and fails.
 */
export async function uploadBlob(
  client: RegistryClient,
  ref: ImageRef,
  input: BlobInput,
  options: UploadOptions = {},
): Promise<UploadOutcome> {
  let restarts = 0;
  let given = options.session;
  for (;;) {
    const session = given ?? (await startUpload(client, ref, options.signal)).session;
    given = undefined;
    try {
      const outcome = await sendBlob(client, session, input, options);
      return { ...outcome, restarts };
    } catch (error) {
      if (error instanceof SessionLost && input.bytes && restarts === 0 && !options.signal?.aborted) {
        restarts++;
        continue;
      }
      await cancelUpload(client, session);
      // A source that failed its own check breaks the upload as a transport error: name the cause.
      const failure = input.sourceFailure?.();
      if (failure) throw failure;
      throw error instanceof SessionLost ? new ToolError('upstream_error', error.message, error.status, error.hint) : error;
    }
  }
}

async function sendBlob(
  client: RegistryClient,
  session: UploadSession,
  input: BlobInput,
  options: UploadOptions,
): Promise<Omit<UploadOutcome, 'restarts'>> {
  // Small streamed blobs are read whole first, so a corrupt source is caught before a byte is
  // sent; bigger ones stream (memory stays flat; the registry checks the digest at the close).
  if (input.stream && input.size > STREAM_ABOVE) return streamBlob(client, session, input, input.stream, options);
  const chunkSize = Math.max(options.chunkSize ?? DEFAULT_CHUNK_SIZE, session.minChunk ?? 0, 1);
  let chunker: Chunker;
  if (input.bytes) chunker = bufferChunker(input.bytes, chunkSize);
  else if (input.stream) chunker = streamChunker(input.stream, chunkSize);
  else throw new ToolError('internal_error', 'uploadBlob needs bytes or a stream');

  try {
    let current = await chunker.next();
    const following = current ? await chunker.next() : undefined;
    if (!following) {
      // Fits in one chunk: a single PUT carries it.
      const body = current ?? new Uint8Array(0);
      if (body.byteLength !== input.size)
        throw new ToolError('invalid_argument', `blob is ${body.byteLength} bytes, expected ${input.size}`);
      const result = await completeUpload(client, session, input.digest, { body, signal: options.signal });
      options.onProgress?.(body.byteLength);
      return { digest: input.digest, size: input.size, mode: 'monolithic', chunks: 1, recoveries: 0, result };
    }
    let chunks = 0;
    let recoveries = 0;
    // While a chunk is in flight the next one is read, so a streamed source keeps flowing and at
    // most two chunks are held.
    let reading: Promise<Uint8Array | undefined> = Promise.resolve(following);
    while (current) {
      const chunk = current;
      const chunkStart = session.offset;
      for (let attempt = 0; ; attempt++) {
        const skip = session.offset - chunkStart;
        try {
          await uploadChunk(client, session, skip === 0 ? chunk : chunk.subarray(skip), { signal: options.signal });
          break;
        } catch (error) {
          if (options.signal?.aborted || attempt >= MAX_RECOVERIES || !recoverable(error)) throw error;
          await pause(100 * 2 ** attempt);
          let offset: number;
          try {
            offset = (await uploadStatus(client, session, options.signal)).offset;
          } catch (statusError) {
            const reason = statusError instanceof ToolError ? statusError.message : String(statusError);
            throw new SessionLost(
              'upstream_error',
              `chunk upload failed and the registry dropped the session (${reason})`,
              undefined,
              'Retry; the upload starts over.',
            );
          }
          if (offset < chunkStart || offset > chunkStart + chunk.byteLength) {
            throw new SessionLost(
              'upstream_error',
              `the registry holds ${offset} bytes, outside the chunk ${chunkStart}-${chunkStart + chunk.byteLength - 1} being resent`,
            );
          }
          recoveries++;
        }
      }
      chunks++;
      options.onProgress?.(session.offset);
      current = await reading;
      reading = current ? chunker.next() : Promise.resolve(undefined);
      reading.catch(() => undefined); // awaited on the next turn; a failure must not go unhandled meanwhile
    }
    if (session.offset !== input.size) throw new ToolError('invalid_argument', `blob is ${session.offset} bytes, expected ${input.size}`);
    const result = await completeUpload(client, session, input.digest, { signal: options.signal });
    return { digest: input.digest, size: input.size, mode: 'chunked', chunks, recoveries, result };
  } finally {
    await chunker.cancel();
  }
}

/**
 * A streamed source goes up as the body of one request (what docker push does): socket
 * backpressure paces the source, so memory stays flat whatever the blob size, and there is no
 * per-chunk round trip. First try: the monolithic PUT ?digest= (two round trips with the POST).
 * After a break, the registry's upload status gives the committed offset, `reopen` restarts the
 * source there and the rest goes as one PATCH before an empty closing PUT; a session the registry
 * dropped is replaced and the source reopened at 0. The registry checks the whole digest at the
 * close, so a resumed upload is verified too.
 */
async function streamBlob(
  client: RegistryClient,
  first: UploadSession,
  input: BlobInput,
  source: Readable,
  options: UploadOptions,
): Promise<Omit<UploadOutcome, 'restarts'>> {
  let session = first;
  let stream = source;
  let recoveries = 0;
  for (let attempt = 0; ; attempt++) {
    try {
      if (attempt === 0 || session.offset === 0) {
        const result = await completeUpload(client, session, input.digest, { body: stream, length: input.size, signal: options.signal });
        options.onProgress?.(input.size);
        return { digest: input.digest, size: input.size, mode: 'monolithic', chunks: 1, recoveries, result };
      }
      const patched = await client.request(session.ref, {
        method: 'PATCH',
        path: session.location,
        headers: {
          'content-type': OCTET,
          'content-range': `${session.offset}-${input.size - 1}`,
          'content-length': String(input.size - session.offset),
        },
        body: stream,
        scopes: session.scopes,
        read: 'none',
        signal: options.signal,
      });
      if (patched.status_code !== 202)
        throw new ToolError('upstream_error', `upload answered ${patched.status_code}, expected 202`, patched.status_code);
      session.location = locationOf(client, session.ref, patched, 'upload');
      session.offset = committedFrom(patched.raw.get('range'), input.size) ?? input.size;
      if (session.offset !== input.size)
        throw new ToolError('upstream_error', `the registry holds ${session.offset} bytes, expected ${input.size}`);
      const result = await completeUpload(client, session, input.digest, { signal: options.signal });
      options.onProgress?.(input.size);
      return { digest: input.digest, size: input.size, mode: 'chunked', chunks: 1, recoveries, result };
    } catch (error) {
      stream.destroy();
      if (input.sourceFailure?.()) throw error; // not worth a retry; uploadBlob reports the cause
      if (options.signal?.aborted || attempt >= MAX_RECOVERIES || !recoverable(error)) throw error;
      if (!input.reopen)
        throw new SessionLost('upstream_error', `the upload broke and its source cannot be re-read: ${(error as Error).message}`);
      await pause(100 * 2 ** attempt);
      const status = await uploadStatus(client, session, options.signal).catch(() => undefined);
      if (!status) {
        await cancelUpload(client, session);
        const scopes = session.scopes;
        session = (await startUpload(client, session.ref, options.signal)).session;
        session.scopes = scopes;
      }
      stream = await input.reopen(session.offset);
      recoveries++;
    }
  }
}
