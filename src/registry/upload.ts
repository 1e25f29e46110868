// Blob uploads (distribution-spec §5 push): sessions (POST), chunks (PATCH with Content-Range),
// completion (PUT ?digest=), status (GET → Range) for recovery after a failed chunk, cancel
// (DELETE) on abandon, and cross-repository mounts. Every upload URL the registry hands out is
// held to the registry's origin before anything is sent to it. Bodies are sent chunk by chunk
// (at most two chunks in memory: the one in flight and the next one being read), so a layer of
// any size costs constant memory.
import { repositoryScope } from '../auth/registry-token.js';
import type { HttpResult } from '../http/client.js';
import { ToolError } from '../http/errors.js';
import type { RegistryClient } from './client.js';
import type { ImageRef } from './reference.js';

export const DEFAULT_CHUNK_SIZE = 8 * 1024 * 1024;
/** Streamed sources larger than this are sent as a stream rather than read into memory. */
const STREAM_ABOVE = 1024 * 1024;
const OCTET = 'application/octet-stream';
const MAX_RECOVERIES = 3;

export function pushScopes(ref: ImageRef, extra: readonly string[] = []): string[] {
  return [repositoryScope(ref.repository, 'pull,push'), ...extra];
}

export interface UploadSession {
  ref: ImageRef;
  /** Absolute upload URL on the registry's origin (always the latest one the registry sent). */
  location: string;
  /** Bytes the registry holds so far. */
  offset: number;
  /** OCI-Chunk-Min-Length from the POST response. */
  minChunk?: number;
  /** Token scopes for requests on this session. */
  scopes: string[];
}

function locationOf(client: RegistryClient, ref: ImageRef, result: HttpResult<unknown>, what: string): string {
  const location = result.raw.get('location');
  if (!location) throw new ToolError('upstream_error', `the registry answered ${what} (${result.status_code}) without a Location header`);
  return client.transport.sameOrigin(ref.registry, location, 'upload');
}

/** A session for a Location supplied by a caller (upload_chunk, complete_upload): checked before use. */
export function sessionAt(client: RegistryClient, ref: ImageRef, location: string, offset = 0): UploadSession {
  return { ref, location: client.transport.sameOrigin(ref.registry, location, 'upload'), offset, scopes: pushScopes(ref) };
}

/** `Range: 0-<end>` (or `bytes=0-<end>`) → the inclusive end, or undefined when absent/unreadable. */
export function rangeEnd(header: string | null): number | undefined {
  const match = header ? /^(?:bytes=)?\s*0-(\d+)\s*$/.exec(header) : null;
  return match?.[1] !== undefined ? Number(match[1]) : undefined;
}

/**
 * Bytes committed according to a Range header. `0-0` is ambiguous (distribution reports it for an
 * empty session as well as for one byte): it means 0 unless we know at least one byte was committed.
 */
function committedFrom(header: string | null, known: number): number | undefined {
  const end = rangeEnd(header);
  if (end === undefined) return undefined;
  if (end === 0 && known === 0) return 0;
  return end + 1;
}

/** POST /v2/<name>/blobs/uploads/: a new upload session. */
export async function startUpload(
  client: RegistryClient,
  ref: ImageRef,
  signal?: AbortSignal,
): Promise<{ session: UploadSession; result: HttpResult<unknown> }> {
  const scopes = pushScopes(ref);
  const result = await client.request(ref, {
    method: 'POST',
    path: `/v2/${ref.repository}/blobs/uploads/`,
    headers: { 'content-type': OCTET },
    body: new Uint8Array(0),
    scopes,
    read: 'none',
    signal,
  });
  if (result.status_code !== 202)
    throw new ToolError(
      'upstream_error',
      `upload start on ${ref.registry.host} answered ${result.status_code}, expected 202`,
      result.status_code,
    );
  const session: UploadSession = { ref, location: locationOf(client, ref, result, 'upload start'), offset: 0, scopes };
  const min = Number(result.raw.get('oci-chunk-min-length') ?? NaN);
  if (Number.isFinite(min) && min > 0) session.minChunk = min;
  return { session, result };
}

export interface MountOutcome {
  mounted: boolean;
  result: HttpResult<unknown>;
  /** When not mounted (202): the upload session the registry opened instead. */
  session?: UploadSession;
}

/**
 * POST ?mount=<digest>&from=<repo>: 201 = mounted, no bytes moved; 202 = the registry would not
 * mount and opened a normal session. One token carries push on the target and pull on the source.
 */
export async function mountBlob(
  client: RegistryClient,
  target: ImageRef,
  digest: string,
  from: ImageRef,
  signal?: AbortSignal,
): Promise<MountOutcome> {
  if (from.registry.origin !== target.registry.origin) {
    throw new ToolError(
      'invalid_argument',
      `'from_repo' must be on the same registry as the target (${target.registry.host}); to copy across registries use copy`,
    );
  }
  const scopes = pushScopes(target, from.repository === target.repository ? [] : [repositoryScope(from.repository, 'pull')]);
  const result = await client.request(target, {
    method: 'POST',
    path: `/v2/${target.repository}/blobs/uploads/`,
    query: { mount: digest, from: from.repository },
    headers: { 'content-type': OCTET },
    body: new Uint8Array(0),
    scopes,
    read: 'none',
    signal,
  });
  if (result.status_code === 201) {
    const stored = result.raw.get('docker-content-digest');
    if (stored && stored !== digest) throw new ToolError('integrity_error', `mount of ${digest} answered with digest ${stored}`);
    return { mounted: true, result };
  }
  if (result.status_code === 202) {
    const session: UploadSession = { ref: target, location: locationOf(client, target, result, 'mount'), offset: 0, scopes };
    const min = Number(result.raw.get('oci-chunk-min-length') ?? NaN);
    if (Number.isFinite(min) && min > 0) session.minChunk = min;
    return { mounted: false, result, session };
  }
  throw new ToolError(
    'upstream_error',
    `mount on ${target.registry.host} answered ${result.status_code}, expected 201 or 202`,
    result.status_code,
  );
}

/** PATCH one chunk at `session.offset` (or, with `contentRange: false`, without a Content-Range). */
export async function uploadChunk(
  client: RegistryClient,
  session: UploadSession,
  bytes: Uint8Array,
  options: { contentRange?: string | false; signal?: AbortSignal } = {},
): Promise<HttpResult<unknown>> {
  const headers: Record<string, string> = { 'content-type': OCTET };
  const range = options.contentRange === undefined ? `${session.offset}-${session.offset + bytes.byteLength - 1}` : options.contentRange;
  if (range !== false) headers['content-range'] = range;
  const result = await client.request(session.ref, {
    method: 'PATCH',
    path: session.location,
    headers,
    body: bytes,
    scopes: session.scopes,
    read: 'none',
    signal: options.signal,
  });
  if (result.status_code !== 202)
    throw new ToolError('upstream_error', `chunk upload answered ${result.status_code}, expected 202`, result.status_code);
  session.location = locationOf(client, session.ref, result, 'chunk upload');
  const start = range === false ? session.offset : Number(range.split('-')[0]);
  session.offset = committedFrom(result.raw.get('range'), start + bytes.byteLength) ?? start + bytes.byteLength;
  return result;
}

/** GET on the upload URL: how many bytes the registry holds (204 + Range). */
export async function uploadStatus(
  client: RegistryClient,
  session: UploadSession,
  signal?: AbortSignal,
): Promise<{ offset: number; result: HttpResult<unknown> }> {
  const result = await client.request(session.ref, { path: session.location, scopes: session.scopes, read: 'none', signal });
  if (result.status_code !== 204 && result.status_code !== 200)
    throw new ToolError('upstream_error', `upload status answered ${result.status_code}, expected 204`, result.status_code);
  if (result.raw.get('location')) session.location = locationOf(client, session.ref, result, 'upload status');
  const offset = committedFrom(result.raw.get('range'), session.offset);
  if (offset === undefined) throw new ToolError('upstream_error', 'upload status had no readable Range header');
  session.offset = offset;
  return { offset, result };
}

/** The upload URL with `digest=` appended (kept verbatim otherwise: it may carry signed state). */
function withDigest(location: string, digest: string): string {
  return `${location}${location.includes('?') ? '&' : '?'}digest=${digest}`;
}

/** PUT ?digest=: closes the session, optionally with a last chunk in the body. */
export async function completeUpload(
  client: RegistryClient,
  session: UploadSession,
  digest: string,
  options: { body?: Uint8Array | ReadableStream<Uint8Array>; contentRange?: string; signal?: AbortSignal } = {},
): Promise<HttpResult<unknown>> {
  const body = options.body ?? new Uint8Array(0);
  const headers: Record<string, string> = { 'content-type': OCTET };
  if (options.contentRange) headers['content-range'] = options.contentRange;
  const result = await client.request(session.ref, {
    method: 'PUT',
    path: withDigest(session.location, digest),
    headers,
    body,
    scopes: session.scopes,
    read: 'none',
    signal: options.signal,
  });
  if (result.status_code !== 201)
    throw new ToolError('upstream_error', `upload completion answered ${result.status_code}, expected 201`, result.status_code);
  const stored = result.raw.get('docker-content-digest');
  if (stored && stored !== digest) {
    throw new ToolError(
      'integrity_error',
      `the registry stored the blob as ${stored}, not ${digest}`,
      undefined,
      'The bytes were changed on the way; do not reference this blob.',
    );
  }
  return result;
}

/** DELETE on the upload URL (abandon). Failures are ignored: registries expire sessions anyway. */
export async function cancelUpload(client: RegistryClient, session: UploadSession): Promise<boolean> {
  try {
    await client.request(session.ref, {
      method: 'DELETE',
      path: session.location,
      scopes: session.scopes,
      accept: [400, 404, 405],
      read: 'none',
      timeoutMs: 10_000,
    });
    return true;
  } catch {
    return false;
  }
}

/** A blob to upload: in memory (replayable) or a stream read once (e.g. a verified download). */
export interface BlobInput {
  digest: string;
  size: number;
  bytes?: Uint8Array;
  stream?: ReadableStream<Uint8Array>;
  /** Re-opens a streamed source at a byte offset (a Range GET), so a broken upload can resume. */
  reopen?: (offset: number) => Promise<ReadableStream<Uint8Array>>;
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

function streamChunker(stream: ReadableStream<Uint8Array>, size: number): Chunker {
  const reader = stream.getReader();
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
          const { done, value } = await reader.read();
          if (done) {
            ended = true;
            break;
          }
          piece = value;
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
      await reader.cancel().catch(() => undefined);
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
  source: ReadableStream<Uint8Array>,
  options: UploadOptions,
): Promise<Omit<UploadOutcome, 'restarts'>> {
  let session = first;
  let stream = source;
  let recoveries = 0;
  for (let attempt = 0; ; attempt++) {
    try {
      if (attempt === 0 || session.offset === 0) {
        const result = await completeUpload(client, session, input.digest, { body: stream, signal: options.signal });
        options.onProgress?.(input.size);
        return { digest: input.digest, size: input.size, mode: 'monolithic', chunks: 1, recoveries, result };
      }
      const patched = await client.request(session.ref, {
        method: 'PATCH',
        path: session.location,
        headers: { 'content-type': OCTET, 'content-range': `${session.offset}-${input.size - 1}` },
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
      await stream.cancel().catch(() => undefined);
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
