// What a copy moves: every child manifest of an index (nested indexes too, leaves first) and every
// blob those manifests name, each once. Bounded: an index may list any number of children, and
// each costs a request to plan and another to push, so a copy handles at most MAX_COPY_MANIFESTS
// child manifests and refuses a larger one up front (before fetching a single child).
import { ToolError } from '../http/errors.js';
import type { Manifest, RegistryClient } from './client.js';
import type { Descriptor } from './platform.js';
import type { ImageRef } from './reference.js';
import { schema1Blobs } from './schema1.js';

/** Child manifests one copy handles (the same bound as inspect's per-call window). */
export const MAX_COPY_MANIFESTS = 256;

export interface Plan {
  /** Child manifests in push order (children before the index that lists them). */
  children: Manifest[];
  blobs: Descriptor[];
}

/** Layers that are not in the registry (Windows foreign layers) are not copied. */
function copiable(descriptor: Descriptor): boolean {
  return !/foreign|nondistributable/.test(descriptor.mediaType) || !descriptor.urls?.length;
}

export async function plan(client: RegistryClient, src: ImageRef, top: Manifest, signal?: AbortSignal): Promise<Plan> {
  const children: Manifest[] = [];
  const blobs = new Map<string, Descriptor>();
  const seen = new Set<string>([top.digest]);
  let planned = 0;
  const walk = async (manifest: Manifest, depth: number): Promise<void> => {
    if (depth > 4) throw new ToolError('invalid_content', `index nesting deeper than 4 levels at ${manifest.digest}`);
    if (client.isIndex(manifest)) {
      const entries = (manifest.json.manifests ?? []).filter((d) => !seen.has(d.digest));
      planned += entries.length;
      if (planned > MAX_COPY_MANIFESTS) {
        throw new ToolError(
          'unsupported',
          `${src.repository}@${top.digest} lists more than ${MAX_COPY_MANIFESTS} child manifests (at least ${planned}); copy handles at most ${MAX_COPY_MANIFESTS} per call`,
          undefined,
          'Copy the platforms you need one by one (copy with reference=<child digest>, from list_platforms), or use a bulk tool such as skopeo sync.',
        );
      }
      for (const d of entries) seen.add(d.digest);
      const fetched = await Promise.all(entries.map((d) => client.getManifest(src, d.digest, signal)));
      for (const child of fetched) {
        await walk(child, depth + 1);
        children.push(child);
      }
      return;
    }
    if (client.isSchema1(manifest)) {
      // Schema1 names layers by digest only; the size comes from the registry when streamed.
      for (const digest of schema1Blobs(manifest.json))
        if (!blobs.has(digest)) blobs.set(digest, { mediaType: 'application/octet-stream', digest, size: NaN });
      return;
    }
    for (const d of [manifest.json.config, ...(manifest.json.layers ?? [])]) {
      if (d && typeof d.digest === 'string' && copiable(d) && !blobs.has(d.digest)) blobs.set(d.digest, d);
    }
  };
  await walk(top, 0);
  return { children, blobs: [...blobs.values()] };
}
