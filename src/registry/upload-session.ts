// Upload sessions (distribution-spec §5 push), one protocol step per function: start (POST),
// chunk (PATCH with Content-Range), status (GET → Range, for recovery), complete (PUT ?digest=),
// cancel (DELETE), and cross-repository mounts. Every upload URL the registry hands out is held
// to the registry's origin before anything is sent to it.
import { Readable } from 'node:stream';
import { repositoryScope } from '../auth/registry-token.js';
import type { HttpResult } from '../http/client.js';
import { ToolError } from '../http/errors.js';
import type { RegistryClient } from './client.js';
import type { ImageRef } from './reference.js';

export const DEFAULT_CHUNK_SIZE = 8 * 1024 * 1024;
export const OCTET = 'application/octet-stream';

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

export function locationOf(client: RegistryClient, ref: ImageRef, result: HttpResult<unknown>, what: string): string {
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
export function committedFrom(header: string | null, known: number): number | undefined {
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
  options: { body?: Uint8Array | Readable; contentRange?: string; signal?: AbortSignal; length?: number } = {},
): Promise<HttpResult<unknown>> {
  const body = options.body ?? new Uint8Array(0);
  const headers: Record<string, string> = { 'content-type': OCTET };
  if (options.contentRange) headers['content-range'] = options.contentRange;
  // A streamed body of known size goes with its length, not chunked: the registry reads a plain
  // body, and a source that sends more or fewer bytes fails the request instead of being stored.
  if (body instanceof Readable && options.length !== undefined) headers['content-length'] = String(options.length);
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
