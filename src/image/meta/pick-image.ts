// The image one platform of a reference stands for. Unlike get_config (which asks for linux/amd64
// and fails without it), insight actions default to linux/amd64 when the index has it and to the
// first platform otherwise: an arm64-only image still has an SBOM worth showing.
import { ToolError } from '../../http/errors.js';
import type { Manifest, RegistryClient } from '../../registry/client.js';
import { configPlatform, readConfig } from '../../registry/image-config.js';
import { platformsOf, requirePlatform } from '../../registry/inspect.js';
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
  if (!client.isIndex(top)) return { top, digest: top.digest, platform: await singlePlatform(client, ref, top, wanted, signal) };
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
 * A single image asked for a platform must be that platform (as with `docker pull --platform`):
 * its config says which it is. Without a `platform` argument the config is not read.
 */
async function singlePlatform(
  client: RegistryClient,
  ref: ImageRef,
  top: Manifest,
  wanted: Platform | undefined,
  signal?: AbortSignal,
): Promise<string> {
  if (!wanted || client.isSchema1(top) || !top.json.config) return 'unknown';
  const read = await readConfig(client, ref, top.json.config, signal);
  const have = read.parsed ? configPlatform(read.value) : undefined;
  if (!have) return 'unknown';
  const platform = formatPlatform(have);
  requirePlatform({ platform, ...have }, wanted, ref);
  return platform;
}

/**
 * The picked image's manifest. Attestations are found from the index and the digest alone, so an
 * image manifest this client refuses (containerd writes `"layers": null` for an empty image) does
 * not hide its SBOM; base_image and diff read it here.
 */
export async function imageOf(client: RegistryClient, ref: ImageRef, picked: PickedImage, signal?: AbortSignal): Promise<Manifest> {
  return picked.entry ? client.getManifest(ref, picked.digest, signal) : picked.top;
}
