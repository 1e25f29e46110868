// diff: two images side by side, one platform each: config differences, layers shared and only
// in one (by digest; a shared leading run is a shared base), and the size delta. File and package
// differences (image/contents-diff.ts) read layers, so the tool adds them only when asked.
import { ToolError } from '../../http/errors.js';
import type { Manifest, RegistryClient } from '../../registry/client.js';
import { configPlatform, readConfig, summariseConfig } from '../../registry/image-config.js';
import { formatPlatform, type Descriptor, type Platform } from '../../registry/platform.js';
import { formatRef, type ImageRef } from '../../registry/reference.js';
import { diffConfigs, type ConfigView } from './config-diff.js';
import { imageOf, pickImage } from './pick-image.js';

interface Side {
  reference: string;
  digest: string;
  image_digest: string;
  platform: string;
  /** Manifest + config + layers, in bytes. */
  size: number;
  layers: number;
}

interface Loaded {
  side: Side;
  layers: Descriptor[];
  config: ConfigView;
}

async function load(client: RegistryClient, ref: ImageRef, platform: Platform | undefined, signal?: AbortSignal): Promise<Loaded> {
  const picked = await pickImage(client, ref, platform, signal);
  const image: Manifest = await imageOf(client, ref, picked, signal);
  if (client.isSchema1(image) || !image.json.config)
    throw new ToolError('unsupported_content', `${formatRef(ref)} (${image.digest}, ${image.mediaType}) has no image config to compare`);
  const read = await readConfig(client, ref, image.json.config, signal);
  if (!read.parsed)
    throw new ToolError('unsupported_content', `the config of ${formatRef(ref)} is not an image config: ${read.note.reason}`);
  const layers = Array.isArray(image.json.layers) ? image.json.layers : [];
  const size = image.size + image.json.config.size + layers.reduce((sum, l) => sum + l.size, 0);
  return {
    side: {
      reference: formatRef(ref),
      digest: picked.top.digest,
      image_digest: image.digest,
      // A single image's platform is in its config, not in an index entry.
      platform: picked.entry ? picked.platform : formatPlatform(configPlatform(read.value)),
      size,
      layers: layers.length,
    },
    layers,
    config: summariseConfig(read.value) as unknown as ConfigView,
  };
}

const brief = (l: Descriptor): { digest: string; size: number } => ({ digest: l.digest, size: l.size });

export async function diffImages(
  client: RegistryClient,
  first: ImageRef,
  second: ImageRef,
  platform: Platform | undefined,
  signal?: AbortSignal,
): Promise<Record<string, unknown>> {
  const [a, b] = await Promise.all([load(client, first, platform, signal), load(client, second, platform, signal)]);
  const inB = new Set(b.layers.map((l) => l.digest));
  const inA = new Set(a.layers.map((l) => l.digest));
  let sharedPrefix = 0;
  while (sharedPrefix < Math.min(a.layers.length, b.layers.length) && a.layers[sharedPrefix]!.digest === b.layers[sharedPrefix]!.digest)
    sharedPrefix++;
  const config = diffConfigs(a.config, b.config);
  return {
    image: a.side,
    other: b.side,
    identical: a.side.image_digest === b.side.image_digest,
    config_identical: Object.keys(config).length === 0,
    config,
    layers: {
      shared: a.layers.filter((l) => inB.has(l.digest)).map(brief),
      only_in_image: a.layers.filter((l) => !inB.has(l.digest)).map(brief),
      only_in_other: b.layers.filter((l) => !inA.has(l.digest)).map(brief),
      /** Leading layers both have in the same order: the common base. */
      shared_prefix: sharedPrefix,
    },
    size_delta: b.side.size - a.side.size,
  };
}
