// Tags as operations of their own: `tag` (the same manifest bytes PUT under another tag, no blob
// traffic) and `delete_tag` (DELETE by tag, where the registry allows it).
import { repositoryScope } from '../auth/registry-token.js';
import type { HttpResult } from '../http/client.js';
import { ToolError } from '../http/errors.js';
import type { RegistryClient } from './client.js';
import { putManifest } from './push.js';
import { manifestReference, validateTag, type ImageRef } from './reference.js';

export interface TagResult {
  digest: string;
  media_type: string;
  source_reference: string;
  tag: string;
  /** Dry run: what the tag points at now. */
  current?: { exists: boolean; digest?: string };
  dry_run?: boolean;
  result?: HttpResult<unknown>;
}

/** Points `tag` at the manifest `ref` names: the same bytes PUT under the new tag, no blob traffic. */
export async function tagManifest(
  client: RegistryClient,
  ref: ImageRef,
  tag: string,
  options: { signal?: AbortSignal; dryRun?: boolean } = {},
): Promise<TagResult> {
  validateTag(tag, 'target_reference');
  const sourceReference = manifestReference(ref);
  const manifest = await client.getManifest(ref, sourceReference, options.signal);
  const out: TagResult = { digest: manifest.digest, media_type: manifest.mediaType, source_reference: sourceReference, tag };
  if (options.dryRun) {
    const head = await client.headManifest(ref, tag, options.signal);
    out.current = head.exists ? { exists: true, ...(head.digest ? { digest: head.digest } : {}) } : { exists: false };
    out.dry_run = true;
    return out;
  }
  // The manifest was just pushed by its own digest before: the referrers fallback is already right.
  const pushed = await putManifest(client, ref, tag, manifest.bytes, manifest.mediaType, {
    signal: options.signal,
    json: manifest.json,
    skipFallback: true,
  });
  out.result = pushed.result;
  return out;
}

export interface DeleteTagResult {
  tag: string;
  digest?: string;
  exists: boolean;
  dry_run?: boolean;
  result?: HttpResult<unknown>;
}

/** DELETE /v2/<name>/manifests/<tag>: removes the tag only, where the registry supports it. */
export async function deleteTag(
  client: RegistryClient,
  ref: ImageRef,
  options: { signal?: AbortSignal; dryRun?: boolean } = {},
): Promise<DeleteTagResult> {
  if (ref.digest || !ref.tag)
    throw new ToolError('invalid_argument', "delete_tag needs a tag in 'reference' (to delete by digest use delete_manifest)");
  const tag = ref.tag;
  if (options.dryRun) {
    const head = await client.headManifest(ref, tag, options.signal);
    if (!head.exists) throw new ToolError('not_found', `tag ${ref.repository}:${tag} not found on ${ref.registry.host}`, 404);
    return { tag, exists: true, ...(head.digest ? { digest: head.digest } : {}), dry_run: true };
  }
  const result = await client.request<unknown>(ref, {
    method: 'DELETE',
    path: `/v2/${ref.repository}/manifests/${tag}`,
    scopes: [repositoryScope(ref.repository, 'pull,push,delete')],
    accept: [400, 405],
    signal: options.signal,
  });
  if (result.status_code === 400 || result.status_code === 405) {
    const detail = JSON.stringify(result.data ?? '').slice(0, 200);
    throw new ToolError(
      'unsupported',
      `${ref.registry.host} does not delete tags (HTTP ${result.status_code}: ${detail}): deletion is by digest on this registry`,
      result.status_code,
      'delete_manifest removes the manifest by digest, and with it every tag on it (dry_run lists them); or re-point this tag with tag.',
    );
  }
  return { tag, exists: true, result };
}
