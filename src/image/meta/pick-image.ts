// The image one platform of a reference stands for. Unlike get_config (which asks for linux/amd64
// and fails without it), insight actions default to linux/amd64 when the index has it and to the
// first platform otherwise: an arm64-only image still has an SBOM worth showing.
import { ToolError } from '../../http/errors.js';
import type { Manifest, RegistryClient } from '../../registry/client.js';
import { platformsOf } from '../../registry/inspect.js';
import { DEFAULT_PLATFORM, formatPlatform, isAttestation, pickPlatform, type Descriptor, type Platform } from '../../registry/platform.js';
import { manifestReference, type ImageRef } from '../../registry/reference.js';

export interface PickedImage {
  /** What the reference names: an index or the image itself. */
  top: Manifest;
  /** The image's digest (its manifest is read only by callers that need it: see imageOf). */
  digest: string;
  /** The index entry of the image, when the reference is an index. */
  entry?: Descriptor;
  /** os/arch[/variant] from the index entry; `unknown` for a single image (its config says). */
  platform: string;
}

export async function pickImage(
  client: RegistryClient,
  ref: ImageRef,
  wanted: Platform | undefined,
  signal?: AbortSignal,
): Promise<PickedImage> {
  const top = await client.getManifest(ref, manifestReference(ref), signal);
  if (!client.isIndex(top)) return { top, digest: top.digest, platform: 'unknown' };
  const entries = (top.json.manifests ?? []).filter((d) => !isAttestation(d));
  const entry = wanted ? pickPlatform(entries, wanted) : (pickPlatform(entries, DEFAULT_PLATFORM) ?? entries[0]);
  if (!entry) {
    const available = platformsOf(top).platforms.map((p) => p.platform);
    throw new ToolError(
      'not_found',
      `no ${wanted ? formatPlatform(wanted) : ''} image in ${ref.repository}@${top.digest}`.replace('no  image', 'no image'),
      404,
      `Available platforms: ${available.join(', ') || 'none'}; pass 'platform'.`,
    );
  }
  return { top, digest: entry.digest, entry, platform: formatPlatform(entry.platform) };
}

/**
 * The picked image's manifest. Attestations are found from the index and the digest alone, so an
 * image manifest this client refuses (containerd writes `"layers": null` for an empty image) does
 * not hide its SBOM; base_image and diff read it here.
 */
export async function imageOf(client: RegistryClient, ref: ImageRef, picked: PickedImage, signal?: AbortSignal): Promise<Manifest> {
  return picked.entry ? client.getManifest(ref, picked.digest, signal) : picked.top;
}
