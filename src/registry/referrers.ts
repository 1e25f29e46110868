// Referrers: the OCI referrers API, or the `sha256-<hex>` tag-schema fallback when the registry
// answers 404 (Docker's distribution has no referrers API).
import { ToolError } from '../http/errors.js';
import { jsonTextDepth, UPSTREAM_JSON_BOUNDS } from '../util/json-bounds.js';
import type { RegistryClient } from './client.js';
import { checkDescriptor } from './manifest-content.js';
import { OCI_INDEX } from './media-types.js';
import type { Descriptor } from './platform.js';
import { referrersFallbackTag, type ImageRef } from './reference.js';

export interface ReferrerEntry {
  digest: string;
  media_type: string;
  artifact_type?: string;
  size: number;
  annotations?: Record<string, string>;
}

/** The descriptors of a referrers API answer, depth-bounded and shape-checked like a manifest. */
function referrersOf(text: string | null, subject: string): Descriptor[] {
  const what = `the referrers list of ${subject}`;
  const body = text ?? '';
  if (jsonTextDepth(body) > UPSTREAM_JSON_BOUNDS.maxDepth)
    throw new ToolError('invalid_content', `${what} nests JSON deeper than ${UPSTREAM_JSON_BOUNDS.maxDepth} levels`);
  let value: unknown;
  try {
    value = JSON.parse(body) as unknown;
  } catch {
    throw new ToolError('invalid_content', `${what} is not JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new ToolError('invalid_content', `${what} is not a JSON object (an OCI index)`);
  const manifests = (value as { manifests?: unknown }).manifests;
  if (manifests === undefined || manifests === null) return [];
  if (!Array.isArray(manifests)) throw new ToolError('invalid_content', `${what}: manifests is not a list`);
  manifests.forEach((item, i) => checkDescriptor(item, `manifests[${i}]`, what));
  return manifests as Descriptor[];
}

/** OCI referrers API, or the `sha256-<hex>` tag-schema fallback when the registry answers 404. */
export async function listReferrers(
  client: RegistryClient,
  ref: ImageRef,
  digest: string,
  artifactType: string | undefined,
  signal?: AbortSignal,
): Promise<{ source: 'referrers_api' | 'fallback_tag'; referrers: ReferrerEntry[] }> {
  const result = await client.request<string>(ref, {
    path: `/v2/${ref.repository}/referrers/${digest}`,
    query: { artifactType },
    headers: { accept: OCI_INDEX },
    scopes: client.pull(ref),
    accept: [404],
    read: 'text',
    signal,
  });
  let manifests: Descriptor[] = [];
  let source: 'referrers_api' | 'fallback_tag' = 'referrers_api';
  let filtered = false;
  if (result.status_code === 404) {
    source = 'fallback_tag';
    const tag = referrersFallbackTag(digest);
    const head = await client.headManifest(ref, tag, signal);
    if (head.exists) {
      const index = await client.getManifest(ref, tag, signal);
      manifests = client.isIndex(index) ? (index.json.manifests ?? []) : [];
    }
  } else {
    manifests = referrersOf(result.data, digest);
    filtered = (result.raw.get('oci-filters-applied') ?? '').includes('artifactType');
  }
  if (artifactType && !filtered) manifests = manifests.filter((m) => m.artifactType === artifactType);
  return {
    source,
    referrers: manifests.map((m) => {
      const entry: ReferrerEntry = { digest: m.digest, media_type: m.mediaType, size: m.size };
      if (m.artifactType) entry.artifact_type = m.artifactType;
      if (m.annotations) entry.annotations = m.annotations;
      return entry;
    }),
  };
}
