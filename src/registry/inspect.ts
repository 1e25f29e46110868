// Image inspection: platforms of an index (attestations apart), the image for a platform,
// config summaries, and inspect in three parallel steps (2N+1 requests cold, a HEAD warm). An
// index is handled at most MAX_PLATFORMS children per call (a 2,000-child index would otherwise
// cost 4,001 requests); the rest is paged with an offset.
import { ToolError } from '../http/errors.js';
import type { Manifest, RegistryClient } from './client.js';
import { configCreated, configPlatform, readConfig, summariseConfig, type ConfigNote } from './image-config.js';
import { OCI_EMPTY, RUNNABLE_CONFIG_TYPES } from './media-types.js';
import { schema1Summary } from './schema1.js';
import {
  DEFAULT_PLATFORM,
  formatPlatform,
  isAttestation,
  pickPlatform,
  platformMatches,
  type Descriptor,
  type Platform,
} from './platform.js';
import { manifestReference, type ImageRef } from './reference.js';

/** Index children handled per call (inspect, list_platforms); the rest is paged by offset. */
export const MAX_PLATFORMS = 256;

export interface PlatformEntry {
  platform: string;
  os?: string;
  architecture?: string;
  variant?: string;
  digest: string;
  media_type: string;
  size: number;
  /** The index entry's annotations and artifact type, as the index gives them. */
  annotations?: Record<string, string>;
  artifact_type?: string;
}

export interface AttestationEntry {
  digest: string;
  media_type: string;
  size: number;
  /** The image manifest the attestation describes. */
  for_digest?: string;
  annotations?: Record<string, string>;
}

/** Annotations and artifactType of a descriptor or manifest, when it has them (kept, not dropped). */
export function annotationsOf(value: { annotations?: unknown; artifactType?: unknown }): {
  annotations?: Record<string, string>;
  artifact_type?: string;
} {
  const out: { annotations?: Record<string, string>; artifact_type?: string } = {};
  const a = value.annotations;
  if (a !== null && typeof a === 'object' && !Array.isArray(a) && Object.keys(a).length > 0) out.annotations = a as Record<string, string>;
  if (typeof value.artifactType === 'string') out.artifact_type = value.artifactType;
  return out;
}

/** The error for an index without the asked platform, naming the platforms it has. */
function noPlatformImage(ref: ImageRef, top: Manifest, wanted: Platform): ToolError {
  const available = platformsOf(top).platforms.map((p) => p.platform);
  return new ToolError(
    'not_found',
    `no ${formatPlatform(wanted)} image in ${ref.repository}@${top.digest}`,
    404,
    `Available platforms: ${available.join(', ') || 'none'}; pass 'platform'.`,
  );
}

export function platformsOf(index: Manifest): { platforms: PlatformEntry[]; attestations: AttestationEntry[] } {
  const platforms: PlatformEntry[] = [];
  const attestations: AttestationEntry[] = [];
  for (const entry of index.json.manifests ?? []) {
    if (isAttestation(entry)) {
      const item: AttestationEntry = { digest: entry.digest, media_type: entry.mediaType, size: entry.size };
      const forDigest = entry.annotations?.['vnd.docker.reference.digest'];
      if (forDigest) item.for_digest = forDigest;
      // The two reference annotations are for_digest and the entry's kind; any others are kept.
      const rest = Object.entries(entry.annotations ?? {}).filter(([k]) => !k.startsWith('vnd.docker.reference.'));
      if (rest.length > 0) item.annotations = Object.fromEntries(rest);
      attestations.push(item);
      continue;
    }
    const item: PlatformEntry = {
      platform: formatPlatform(entry.platform),
      digest: entry.digest,
      media_type: entry.mediaType,
      size: entry.size,
      ...annotationsOf(entry),
    };
    if (entry.platform) {
      item.os = entry.platform.os;
      item.architecture = entry.platform.architecture;
      if (entry.platform.variant) item.variant = entry.platform.variant;
    }
    platforms.push(item);
  }
  return { platforms, attestations };
}

/** The image manifest for `platform`: the manifest itself, or the matching child of an index. */
export async function imageManifest(
  client: RegistryClient,
  ref: ImageRef,
  top: Manifest,
  platform: Platform | undefined,
  signal?: AbortSignal,
): Promise<{ image: Manifest; index?: Manifest }> {
  if (!client.isIndex(top)) return { image: top };
  const wanted = platform ?? DEFAULT_PLATFORM;
  const entry = pickPlatform(top.json.manifests ?? [], wanted);
  if (!entry) throw noPlatformImage(ref, top, wanted);
  const image = await client.getManifest(ref, entry.digest, signal);
  return { image, index: top };
}

export interface InspectedPlatform {
  platform: string;
  os?: string;
  architecture?: string;
  variant?: string;
  digest: string;
  media_type: string;
  /** Manifest + config + layers, in bytes. */
  size: number;
  layers: number;
  created?: string;
  config?: Record<string, unknown>;
  /** The config blob was not read as an image config (not JSON, an artifact's, too large): why. */
  config_note?: ConfigNote;
  /** A child of an index that could not be inspected: the content error, by type. */
  content_error?: { type: string; message: string };
  /** Docker schema1 only: layers base first, with their history step. */
  schema1_layers?: ReturnType<typeof schema1Summary>['layers'];
  /** The manifest's own annotations, and its artifactType (or an artifact's config media type). */
  annotations?: Record<string, string>;
  artifact_type?: string;
  /** The annotations of the index entry that names this manifest. */
  descriptor_annotations?: Record<string, string>;
}

/** An artifact's type: `artifactType`, else a config media type that is not an image config. */
function manifestExtras(image: Manifest): { annotations?: Record<string, string>; artifact_type?: string } {
  const out = annotationsOf(image.json);
  const configType = image.json.config?.mediaType;
  if (!out.artifact_type && configType && !RUNNABLE_CONFIG_TYPES.has(configType) && configType !== OCI_EMPTY)
    out.artifact_type = configType;
  return out;
}

function inspectSchema1(image: Manifest, includeConfig: boolean): InspectedPlatform {
  const summary = schema1Summary(image.json);
  const out: InspectedPlatform = {
    platform: formatPlatform(summary.platform),
    digest: image.digest,
    media_type: image.mediaType,
    size: image.size + summary.layers.reduce((sum, layer) => sum + (layer.size ?? 0), 0),
    layers: summary.layers.length,
    schema1_layers: summary.layers,
  };
  if (summary.platform) {
    out.os = summary.platform.os;
    out.architecture = summary.platform.architecture;
  }
  if (summary.created) out.created = summary.created;
  if (includeConfig) out.config = summariseConfig({ config: summary.config, history: summary.layers });
  return out;
}

async function inspectImage(
  client: RegistryClient,
  ref: ImageRef,
  image: Manifest,
  includeConfig: boolean,
  signal?: AbortSignal,
): Promise<InspectedPlatform> {
  if (client.isSchema1(image)) return inspectSchema1(image, includeConfig);
  const layers: Descriptor[] = image.json.layers ?? [];
  const configDescriptor = image.json.config;
  const read = configDescriptor ? await readConfig(client, ref, configDescriptor, signal) : undefined;
  const config = read?.parsed ? read.value : undefined;
  const size = image.size + (configDescriptor?.size ?? 0) + layers.reduce((sum, layer) => sum + (layer.size ?? 0), 0);
  const platform = config ? configPlatform(config) : undefined;
  const out: InspectedPlatform = {
    platform: formatPlatform(platform),
    digest: image.digest,
    media_type: image.mediaType,
    size,
    layers: layers.length,
    ...manifestExtras(image),
  };
  if (platform) {
    out.os = platform.os;
    out.architecture = platform.architecture;
    if (platform.variant) out.variant = platform.variant;
  }
  const created = config ? configCreated(config) : undefined;
  if (created) out.created = created;
  if (includeConfig && config) out.config = summariseConfig(config);
  if (read && !read.parsed) out.config_note = read.note;
  return out;
}

/** A single-platform image asked for another platform is an error, as with `docker pull --platform`. */
export function requirePlatform(
  image: { platform: string; os?: string; architecture?: string; variant?: string },
  wanted: Platform | undefined,
  ref: ImageRef,
): void {
  if (!wanted || image.os === undefined) return;
  const have: Platform = { os: image.os, architecture: image.architecture ?? '', ...(image.variant ? { variant: image.variant } : {}) };
  if (!platformMatches(have, wanted)) {
    throw new ToolError(
      'not_found',
      `${ref.repository} is a single-platform ${image.platform} image, not ${formatPlatform(wanted)}`,
      404,
      `Available platforms: ${image.platform}.`,
    );
  }
}

export interface InspectResult {
  repository: string;
  registry: string;
  reference: string;
  digest: string;
  media_type: string;
  platforms: InspectedPlatform[];
  attestations: AttestationEntry[];
  /** The top manifest's (index or image) annotations and artifactType. */
  annotations?: Record<string, string>;
  artifact_type?: string;
  /** Index children that are platforms, and where the next page starts when there are more. */
  platforms_total?: number;
  next_platform_offset?: number;
}

/** Content errors of one child become part of the answer; anything else (auth, network) stays an error. */
function contentError(error: unknown): { type: string; message: string } {
  if (error instanceof ToolError && (error.type === 'unsupported_content' || error.type === 'invalid_content'))
    return { type: error.type, message: error.message };
  throw error;
}

/** The window of `items` one call handles: [offset, offset + MAX_PLATFORMS). */
export function platformWindow<T>(items: readonly T[], offset = 0, max = MAX_PLATFORMS): { page: T[]; next?: number } {
  const page = items.slice(offset, offset + max);
  const end = offset + page.length;
  return end < items.length ? { page, next: end } : { page };
}

/**
 * Inspects an image or a whole index: step 1 the manifest, step 2 every platform manifest in
 * parallel, step 3 every config in parallel (2N+1 requests cold; repeated, one HEAD or none).
 */
export async function inspect(
  client: RegistryClient,
  ref: ImageRef,
  options: { includeConfig: boolean; platform?: Platform; signal?: AbortSignal; platformOffset?: number },
): Promise<InspectResult> {
  const reference = manifestReference(ref);
  const top = await client.getManifest(ref, reference, options.signal);
  const result: InspectResult = {
    repository: ref.repository,
    registry: ref.registry.host,
    reference,
    digest: top.digest,
    media_type: top.mediaType,
    platforms: [],
    attestations: [],
  };
  if (!client.isIndex(top)) {
    const only = await inspectImage(client, ref, top, options.includeConfig, options.signal);
    requirePlatform(only, options.platform, ref);
    result.platforms.push(only);
    return result;
  }
  const { attestations } = platformsOf(top);
  result.attestations = attestations;
  Object.assign(result, annotationsOf(top.json));
  let entries = (top.json.manifests ?? []).filter((d) => !isAttestation(d));
  if (options.platform) {
    const picked = pickPlatform(entries, options.platform);
    if (!picked) throw noPlatformImage(ref, top, options.platform);
    entries = [picked];
  }
  result.platforms_total = entries.length;
  const window = platformWindow(entries, options.platformOffset ?? 0);
  entries = window.page;
  if (window.next !== undefined) result.next_platform_offset = window.next;
  // One child we cannot read (a type we do not parse, a broken shape) must not hide the others:
  // it is listed with what the index says about it and why it was not inspected.
  const images = await Promise.all(
    entries.map((entry) => client.getManifest(ref, entry.digest, options.signal).catch((error: unknown) => contentError(error))),
  );
  result.platforms = await Promise.all(
    images.map(async (image, i) => {
      const entry = entries[i]!;
      const inspected =
        'type' in image
          ? { platform: 'unknown', digest: entry.digest, media_type: entry.mediaType, size: entry.size, layers: 0, content_error: image }
          : await inspectImage(client, ref, image, options.includeConfig, options.signal);
      if (entry.annotations) inspected.descriptor_annotations = entry.annotations;
      const declared = entry.platform;
      if (declared && inspected.platform === 'unknown') {
        inspected.platform = formatPlatform(declared);
        inspected.os = declared.os;
        inspected.architecture = declared.architecture;
        if (declared.variant) inspected.variant = declared.variant;
      }
      return inspected;
    }),
  );
  return result;
}
