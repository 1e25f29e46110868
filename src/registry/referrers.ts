// Referrers: the OCI referrers API, or the `sha256-<hex>` tag-schema fallback when the registry
// answers 404 (Docker's distribution has no referrers API).
import type { RegistryClient } from './client.js';
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

/** OCI referrers API, or the `sha256-<hex>` tag-schema fallback when the registry answers 404. */
export async function listReferrers(
  client: RegistryClient,
  ref: ImageRef,
  digest: string,
  artifactType: string | undefined,
  signal?: AbortSignal,
): Promise<{ source: 'referrers_api' | 'fallback_tag'; referrers: ReferrerEntry[] }> {
  const result = await client.request<Record<string, unknown>>(ref, {
    path: `/v2/${ref.repository}/referrers/${digest}`,
    query: { artifactType },
    headers: { accept: OCI_INDEX },
    scopes: client.pull(ref),
    accept: [404],
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
    const body = result.data as { manifests?: Descriptor[] } | null;
    manifests = Array.isArray(body?.manifests) ? body.manifests : [];
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
