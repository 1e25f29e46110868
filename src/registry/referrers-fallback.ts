// Keeping the referrers tag-schema fallback right when an artifact goes away. A registry without
// the referrers API lists an image's artifacts in an index tagged `<alg>-<hex>` of the subject;
// distribution-spec 1.1 asks the client that deletes an artifact to take it out of that index too
// (re-push the index without it, or delete the tag when nothing is left), or the index keeps
// pointing at a manifest that no longer exists.
import { ToolError } from '../http/errors.js';
import type { Manifest, RegistryClient } from './client.js';
import { INDEX_TYPES } from './media-types.js';
import { manifestBytes, putManifest } from './push.js';
import { isDigest, referrersFallbackTag, type ImageRef } from './reference.js';
import { repositoryScope } from '../auth/registry-token.js';

export interface FallbackRemoval {
  subject: string;
  tag: string;
  /** What was (or, in a dry run, would be) done to the fallback index. */
  action: 'remove' | 'delete_tag' | 'push_empty_index' | 'none';
  /** Why nothing is done, when action is none. */
  reason?: string;
  /** Descriptors left in the index after the removal. */
  remaining?: number;
  /** The new index's digest, after a remove. */
  digest?: string;
}

/** The subject of a manifest, when it has one; unreadable content has none for this purpose. */
export async function subjectOf(client: RegistryClient, ref: ImageRef, digest: string, signal?: AbortSignal): Promise<string | undefined> {
  let manifest: Manifest;
  try {
    manifest = await client.getManifest(ref, digest, signal);
  } catch (error) {
    // A delete must still work on content we cannot read (that is often why it is deleted).
    if (error instanceof ToolError && (error.type === 'unsupported_content' || error.type === 'invalid_content')) return undefined;
    throw error;
  }
  const subject = manifest.json.subject?.digest;
  return typeof subject === 'string' && isDigest(subject) ? subject : undefined;
}

/** True when the registry answers the referrers API (it then keeps its own index). */
async function hasReferrersApi(client: RegistryClient, ref: ImageRef, subject: string, signal?: AbortSignal): Promise<boolean> {
  const result = await client.request(ref, {
    path: `/v2/${ref.repository}/referrers/${subject}`,
    scopes: client.pull(ref),
    accept: [404],
    read: 'none',
    signal,
  });
  return result.status_code !== 404;
}

/** Plans (dryRun) or applies the removal of `digest` from the fallback index of `subject`. */
export async function removeFromReferrersFallback(
  client: RegistryClient,
  ref: ImageRef,
  digest: string,
  subject: string,
  options: { dryRun: boolean; signal?: AbortSignal },
): Promise<FallbackRemoval> {
  const { signal } = options;
  const tag = referrersFallbackTag(subject);
  const out: FallbackRemoval = { subject, tag, action: 'none' };
  if (await hasReferrersApi(client, ref, subject, signal)) return { ...out, reason: 'the registry keeps referrers itself (referrers API)' };
  const tagRef: ImageRef = { ...ref, tag, digest: undefined };
  const head = await client.headManifest(tagRef, tag, signal);
  if (!head.exists) return { ...out, reason: `no fallback tag ${tag}` };
  const index = await client.getManifest(tagRef, tag, signal);
  if (!INDEX_TYPES.has(index.mediaType) || !Array.isArray(index.json.manifests))
    return { ...out, reason: `tag ${tag} holds a ${index.mediaType}, not an index` };
  const kept = index.json.manifests.filter((d) => d.digest !== digest);
  if (kept.length === index.json.manifests.length) return { ...out, reason: `${tag} does not list ${digest}` };
  const action: FallbackRemoval['action'] = kept.length === 0 ? 'delete_tag' : 'remove';
  if (options.dryRun) return { ...out, action, remaining: kept.length };
  if (action === 'delete_tag') {
    const deleted = await client.request(tagRef, {
      method: 'DELETE',
      path: `/v2/${ref.repository}/manifests/${tag}`,
      scopes: [repositoryScope(ref.repository, 'pull,push,delete')],
      accept: [400, 404, 405],
      read: 'none',
      signal,
    });
    if (deleted.status_code < 300) return { ...out, action, remaining: 0 };
    // Registries that delete by digest only: an empty index says the same (no referrers).
  }
  const json = { ...index.json, manifests: kept };
  const pushed = await putManifest(client, tagRef, tag, manifestBytes(json), index.mediaType, { signal, json, skipFallback: true });
  return { ...out, action: kept.length === 0 ? 'push_empty_index' : 'remove', remaining: kept.length, digest: pushed.digest };
}
