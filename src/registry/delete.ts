// Deletes: a manifest by digest (a tag is first resolved by HEAD, since registries such as Docker
// Hub delete by digest only, and deleting a digest removes every tag on it), and a blob. A dry run
// resolves the exact digest and lists which tags point at it (up to a cap of tags checked). An
// artifact's entry in its subject's referrers fallback index goes with it (referrers-fallback.ts).
import { repositoryScope } from '../auth/registry-token.js';
import type { HttpResult } from '../http/client.js';
import { ToolError } from '../http/errors.js';
import type { RegistryClient } from './client.js';
import { listPaged } from './paging.js';
import { manifestReference, type ImageRef } from './reference.js';
import { removeFromReferrersFallback, subjectOf, type FallbackRemoval } from './referrers-fallback.js';

export const TAGS_CHECKED_CAP = 200;

function deleteScopes(ref: ImageRef): string[] {
  return [repositoryScope(ref.repository, 'pull,push,delete')];
}

function refused(ref: ImageRef, what: string, status: number, body: unknown): ToolError {
  const detail = JSON.stringify(body ?? '').slice(0, 200);
  return new ToolError(
    'unsupported',
    `${ref.registry.host} refused to delete ${what} (HTTP ${status}: ${detail})`,
    status,
    'The registry has deletes disabled (distribution: storage.delete.enabled), or deletes only some kinds of content (Docker Hub: manifests by digest, not blobs).',
  );
}

export interface TagsOnDigest {
  /** Tags found pointing at the digest. */
  tags: string[];
  tags_checked: number;
  tags_total: number;
  /** False when more tags exist than were checked. */
  complete: boolean;
}

/** Which tags point at `digest`: list the tags, HEAD up to `cap` of them (in parallel, bounded). */
export async function tagsPointingAt(
  client: RegistryClient,
  ref: ImageRef,
  digest: string,
  cap = TAGS_CHECKED_CAP,
  signal?: AbortSignal,
): Promise<TagsOnDigest> {
  const listed = await listPaged(client, ref, {
    path: `/v2/${ref.repository}/tags/list`,
    field: 'tags',
    scopes: client.pull(ref),
    maxItems: 10_000,
    signal,
  });
  // The tag we came from is most likely on it: check named tags first.
  const ordered = ref.tag ? [ref.tag, ...listed.items.filter((t) => t !== ref.tag)] : listed.items;
  const checked = ordered.slice(0, cap);
  const heads = await Promise.all(
    checked.map(async (tag) => ({ tag, head: await client.headManifest({ ...ref, tag, digest: undefined }, tag, signal) })),
  );
  return {
    tags: heads.filter(({ head }) => head.digest === digest).map(({ tag }) => tag),
    tags_checked: checked.length,
    tags_total: listed.items.length + (listed.truncated ? 1 : 0),
    complete: checked.length === ordered.length && !listed.truncated,
  };
}

export interface DeleteManifestResult {
  digest: string;
  resolved_from?: string;
  media_type?: string;
  size?: number;
  deleted: boolean;
  dry_run?: boolean;
  tags?: TagsOnDigest;
  /** An artifact with a `subject`, on a registry without the referrers API: its fallback index entry. */
  referrers_fallback?: FallbackRemoval;
  result?: HttpResult<unknown>;
}

export async function deleteManifest(
  client: RegistryClient,
  ref: ImageRef,
  options: { dryRun?: boolean; signal?: AbortSignal; tagCap?: number } = {},
): Promise<DeleteManifestResult> {
  const { signal } = options;
  if (!ref.tag && !ref.digest)
    throw new ToolError('invalid_argument', "delete_manifest needs a tag or digest in 'reference' (no default: deletes are explicit)");
  let digest = ref.digest;
  const out: Partial<DeleteManifestResult> = {};
  if (!digest || options.dryRun) {
    const reference = digest ?? manifestReference(ref);
    const head = await client.headManifest(ref, reference, signal);
    if (!head.exists)
      throw new ToolError(
        'not_found',
        `manifest ${ref.repository}${digest ? '@' : ':'}${reference} not found on ${ref.registry.host}`,
        404,
      );
    if (!digest) {
      if (!head.digest)
        throw new ToolError(
          'upstream_error',
          `the registry did not say which digest tag '${reference}' points at (no Docker-Content-Digest on HEAD)`,
        );
      digest = head.digest;
      out.resolved_from = ref.tag;
    }
    if (head.mediaType) out.media_type = head.mediaType;
    if (head.size !== undefined) out.size = head.size;
  }
  // Read before the delete: afterwards the manifest (and its subject) is gone.
  const subject = await subjectOf(client, ref, digest, signal);
  if (options.dryRun) {
    const tags = await tagsPointingAt(client, ref, digest, options.tagCap ?? TAGS_CHECKED_CAP, signal);
    const fallback = subject ? await removeFromReferrersFallback(client, ref, digest, subject, { dryRun: true, signal }) : undefined;
    return { digest, ...out, deleted: false, dry_run: true, tags, ...(fallback ? { referrers_fallback: fallback } : {}) };
  }
  const result = await client.request<unknown>(ref, {
    method: 'DELETE',
    path: `/v2/${ref.repository}/manifests/${digest}`,
    scopes: deleteScopes(ref),
    accept: [400, 405],
    signal,
  });
  if (result.status_code === 400 || result.status_code === 405) throw refused(ref, `manifest ${digest}`, result.status_code, result.data);
  client.forget(ref, digest);
  // Only after the manifest is gone: a refused delete must leave the fallback index as it was.
  const fallback = subject ? await removeFromReferrersFallback(client, ref, digest, subject, { dryRun: false, signal }) : undefined;
  return { digest, ...out, deleted: true, ...(fallback ? { referrers_fallback: fallback } : {}), result };
}

export interface DeleteBlobResult {
  digest: string;
  exists?: boolean;
  size?: number;
  deleted: boolean;
  dry_run?: boolean;
  result?: HttpResult<unknown>;
}

export async function deleteBlob(
  client: RegistryClient,
  ref: ImageRef,
  digest: string,
  options: { dryRun?: boolean; signal?: AbortSignal } = {},
): Promise<DeleteBlobResult> {
  if (options.dryRun) {
    const head = await client.headBlob(ref, digest, options.signal);
    if (!head.exists) throw new ToolError('not_found', `blob ${digest} not found in ${ref.repository} on ${ref.registry.host}`, 404);
    return { digest, exists: true, ...(head.size !== undefined ? { size: head.size } : {}), deleted: false, dry_run: true };
  }
  const result = await client.request<unknown>(ref, {
    method: 'DELETE',
    path: `/v2/${ref.repository}/blobs/${digest}`,
    scopes: deleteScopes(ref),
    accept: [400, 405],
    signal: options.signal,
  });
  if (result.status_code === 400 || result.status_code === 405) throw refused(ref, `blob ${digest}`, result.status_code, result.data);
  client.forget(ref, digest);
  return { digest, deleted: true, result };
}
