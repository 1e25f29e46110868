// Pushing content: a blob from bytes (digest computed here, HEAD-skip, mount, monolithic or
// chunked upload) and a manifest (exact bytes, Content-Type = its media type, the registry's
// digest checked against ours, and the referrers tag-schema fallback kept up to date when the
// registry does not process `subject` itself).
import type { HttpResult } from '../http/client.js';
import { ToolError } from '../http/errors.js';
import type { Manifest, ManifestJson, RegistryClient } from './client.js';
import { algorithmOf, digestOf } from './digest.js';
import { IMAGE_MANIFEST_TYPES, INDEX_TYPES, isSchema1Type, OCI_INDEX } from './media-types.js';
import type { Descriptor } from './platform.js';
import { isDigest, referrersFallbackTag, validateDigest, type ImageRef } from './reference.js';
import { manifestDigestOf, schema1Refused } from './schema1.js';
import { uploadBlob, type UploadOutcome } from './upload.js';
import { mountBlob, pushScopes } from './upload-session.js';

export interface PushBlobOptions {
  /** The caller's digest: checked against the bytes before anything is sent. */
  digest?: string;
  /** Try a cross-repository mount from here first (same registry). */
  fromRepo?: ImageRef;
  chunkSize?: number;
  dryRun?: boolean;
  signal?: AbortSignal;
}

export interface PushBlobResult {
  digest: string;
  size: number;
  /** What happened (or, in a dry run, would happen). */
  action: 'exists' | 'mounted' | 'uploaded' | 'would_mount' | 'would_upload';
  mode?: UploadOutcome['mode'];
  chunks?: number;
  recoveries?: number;
  result?: HttpResult<unknown>;
}

/** HEAD with push scopes, so the check and the upload share one token. */
export async function blobExists(
  client: RegistryClient,
  ref: ImageRef,
  digest: string,
  scopes: string[],
  signal?: AbortSignal,
): Promise<boolean> {
  const result = await client.request(ref, {
    method: 'HEAD',
    path: `/v2/${ref.repository}/blobs/${digest}`,
    scopes,
    accept: [404],
    signal,
  });
  return result.status_code !== 404;
}

export async function pushBlob(
  client: RegistryClient,
  ref: ImageRef,
  bytes: Uint8Array,
  options: PushBlobOptions = {},
): Promise<PushBlobResult> {
  const digest = digestOf(bytes, options.digest ? algorithmOf(validateDigest(options.digest)) : 'sha256');
  if (options.digest && options.digest !== digest) {
    throw new ToolError(
      'invalid_argument',
      `'digest' ${options.digest} does not match the data (${digest}, ${bytes.byteLength} bytes); nothing was sent`,
    );
  }
  const size = bytes.byteLength;
  const scopes = pushScopes(ref);
  if (await blobExists(client, ref, digest, scopes, options.signal)) return { digest, size, action: 'exists' };
  if (options.dryRun) return { digest, size, action: options.fromRepo ? 'would_mount' : 'would_upload' };
  let session;
  if (options.fromRepo) {
    const mount = await mountBlob(client, ref, digest, options.fromRepo, options.signal);
    if (mount.mounted) return { digest, size, action: 'mounted', result: mount.result };
    session = mount.session;
  }
  const outcome = await uploadBlob(client, ref, { digest, size, bytes }, { chunkSize: options.chunkSize, session, signal: options.signal });
  return {
    digest,
    size,
    action: 'uploaded',
    mode: outcome.mode,
    chunks: outcome.chunks,
    recoveries: outcome.recoveries,
    result: outcome.result,
  };
}

/** Manifest bytes from a tool argument: an object is serialised compactly, a string sent verbatim. */
export function manifestBytes(manifest: unknown): Buffer {
  if (typeof manifest === 'string') return Buffer.from(manifest, 'utf8');
  return Buffer.from(JSON.stringify(manifest), 'utf8');
}

export function parseManifestJson(bytes: Uint8Array): ManifestJson {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new ToolError('invalid_argument', "'manifest' is not valid JSON");
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    throw new ToolError('invalid_argument', "'manifest' must be a JSON object");
  return json as ManifestJson;
}

/** The media type to send: the given one, else the manifest's own; they must agree. */
export function manifestMediaType(json: ManifestJson, given: string | undefined): string {
  const own = typeof json.mediaType === 'string' ? json.mediaType : undefined;
  if (given && own && given !== own)
    throw new ToolError('invalid_argument', `'media_type' ${given} differs from the manifest's mediaType ${own}`);
  const type = given ?? own;
  if (!type) throw new ToolError('invalid_argument', "missing 'media_type' (the manifest has no mediaType field)");
  return type;
}

export interface PutManifestResult {
  digest: string;
  media_type: string;
  size: number;
  reference: string;
  result: HttpResult<unknown>;
  referrers_fallback?: FallbackOutcome;
}

/**
 * PUT the exact bytes under a tag or digest. The registry's Docker-Content-Digest must equal the
 * digest of what was sent (registries must store manifests byte for byte).
 */
export async function putManifest(
  client: RegistryClient,
  ref: ImageRef,
  reference: string,
  bytes: Uint8Array,
  mediaType: string,
  options: { signal?: AbortSignal; scopes?: string[]; json?: ManifestJson; skipFallback?: boolean } = {},
): Promise<PutManifestResult> {
  // A signed schema1 manifest's digest covers its JWS payload; for everything else, the bytes.
  const digest = manifestDigestOf(Buffer.from(bytes), isDigest(reference) ? algorithmOf(reference) : 'sha256');
  if (isDigest(reference) && reference !== digest) {
    throw new ToolError(
      'invalid_argument',
      `'reference' ${reference} is not the digest of the manifest bytes (${digest}); nothing was sent`,
    );
  }
  const result = await client
    .request(ref, {
      method: 'PUT',
      path: `/v2/${ref.repository}/manifests/${reference}`,
      headers: { 'content-type': mediaType },
      body: bytes,
      scopes: options.scopes ?? pushScopes(ref),
      read: 'none',
      signal: options.signal,
    })
    .catch((error: unknown) => {
      // Registries dropped schema1 pushes (Docker Hub; distribution 2.8 without compatibility.schema1
      // answers a bare 500 "unrecognized manifest type"): say so, rather than pass on the bare status.
      const status = error instanceof ToolError ? error.status : undefined;
      if (isSchema1Type(mediaType) && error instanceof ToolError && (status === 400 || status === 415 || status === 500))
        throw schema1Refused(ref.registry.host, mediaType, status, error.message);
      throw error;
    });
  const stored = result.raw.get('docker-content-digest');
  if (stored) {
    const ours = manifestDigestOf(Buffer.from(bytes), algorithmOf(stored));
    if (stored !== ours) {
      throw new ToolError(
        'integrity_error',
        `the registry reports manifest digest ${stored}, but the bytes sent hash to ${ours}`,
        undefined,
        'The registry (or a proxy) changed the manifest; references by digest will not match.',
      );
    }
  }
  const out: PutManifestResult = { digest, media_type: mediaType, size: bytes.byteLength, reference, result };
  const json = options.json ?? parseManifestJson(bytes);
  const subject = json.subject;
  if (
    !options.skipFallback &&
    subject &&
    typeof subject.digest === 'string' &&
    isDigest(subject.digest) &&
    !result.raw.get('oci-subject')
  ) {
    out.referrers_fallback = await addToReferrersFallback(
      client,
      ref,
      descriptorFor(json, digest, mediaType, bytes.byteLength),
      subject.digest,
      options.signal,
    );
  }
  return out;
}

/** The descriptor a referrers index lists for a manifest (artifactType rule of distribution-spec §6). */
export function descriptorFor(json: ManifestJson, digest: string, mediaType: string, size: number): Descriptor {
  const descriptor: Descriptor = { mediaType, digest, size };
  const artifactType = json.artifactType ?? (IMAGE_MANIFEST_TYPES.has(mediaType) ? json.config?.mediaType : undefined);
  if (artifactType) descriptor.artifactType = artifactType;
  if (json.annotations && Object.keys(json.annotations).length > 0) descriptor.annotations = json.annotations;
  return descriptor;
}

export interface FallbackOutcome {
  tag: string;
  updated: boolean;
  reason?: string;
  digest?: string;
}

/**
 * The referrers tag schema: pull `<alg>-<hex>` (missing → an empty index), skip when already
 * listed, append the descriptor, push it back. Races with other writers are the client's problem
 * per the spec; the window is one GET→PUT.
 */
export async function addToReferrersFallback(
  client: RegistryClient,
  ref: ImageRef,
  descriptor: Descriptor,
  subject: string,
  signal?: AbortSignal,
): Promise<FallbackOutcome> {
  const tag = referrersFallbackTag(subject);
  let index: ManifestJson = { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] };
  let existing: Manifest | undefined;
  try {
    existing = await client.getManifest({ ...ref, tag, digest: undefined }, tag, signal);
  } catch (error) {
    if (!(error instanceof ToolError && error.status === 404)) throw error;
  }
  if (existing) {
    if (!INDEX_TYPES.has(existing.mediaType) || !Array.isArray(existing.json.manifests)) {
      return { tag, updated: false, reason: `tag ${tag} holds a ${existing.mediaType}, not an index; referrers fallback not updated` };
    }
    if (existing.json.manifests.some((d) => d.digest === descriptor.digest))
      return { tag, updated: false, reason: 'already listed', digest: existing.digest };
    index = { ...existing.json, manifests: [...existing.json.manifests, descriptor] };
  } else {
    index.manifests = [descriptor];
  }
  const bytes = manifestBytes(index);
  const pushed = await putManifest(client, ref, tag, bytes, existing?.mediaType ?? OCI_INDEX, { signal, json: index, skipFallback: true });
  return { tag, updated: true, digest: pushed.digest };
}
