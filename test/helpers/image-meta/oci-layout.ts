// Pushes an OCI image layout (as `docker buildx build --output type=oci` writes it) to a test
// registry byte for byte: the layout's top entry is followed down (index → manifests → config
// and layers), children first, every blob and manifest sent as the exact file bytes, so the
// digests in the registry are the ones in the layout. Blobs the layout does not name are not
// pushed: a tool must follow the index, not list the folder.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PushClient } from '../registry/push-client.js';

export const TESTDATA = '/work/shared/testdata/buildkit-attestations';

interface LayoutDescriptor {
  mediaType: string;
  digest: string;
  size: number;
}

export interface PushedLayout {
  /** The manifest the tag points at (the layout's top entry). */
  digest: string;
  mediaType: string;
  /** Digest → parsed JSON of every manifest pushed. */
  manifests: Map<string, Record<string, unknown>>;
  /** Reads a blob of the layout (a statement, a config) from disk, for comparing with answers. */
  blob(digest: string): Buffer;
}

const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);

export async function pushLayout(client: PushClient, layoutDir: string, repo: string, tag: string): Promise<PushedLayout> {
  const blobPath = (digest: string): string => join(layoutDir, 'blobs', ...digest.split(':'));
  const blob = (digest: string): Buffer => readFileSync(blobPath(digest));
  const manifests = new Map<string, Record<string, unknown>>();
  const top = (JSON.parse(readFileSync(join(layoutDir, 'index.json'), 'utf8')) as { manifests: LayoutDescriptor[] }).manifests[0]!;

  const push = async (d: LayoutDescriptor, reference: string): Promise<void> => {
    const bytes = blob(d.digest);
    const json = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
    manifests.set(d.digest, json);
    if (INDEX_TYPES.has(d.mediaType)) {
      for (const child of (json.manifests as LayoutDescriptor[] | undefined) ?? []) await push(child, child.digest);
    } else {
      const parts = [json.config as LayoutDescriptor | undefined, ...((json.layers as LayoutDescriptor[] | null | undefined) ?? [])];
      for (const part of parts) {
        // Base-image layers are not in these layouts (only the attestations' and the image's own).
        if (part && existsSync(blobPath(part.digest))) await client.pushBlob(repo, blob(part.digest));
      }
    }
    await client.pushManifest(repo, reference, bytes, d.mediaType);
  };
  await push(top, tag);
  return { digest: top.digest, mediaType: top.mediaType, manifests, blob };
}
