// Read operations composed from RegistryClient calls: platforms, configs, inspect, tags with
// paging, blobs under a byte cap, referrers with the tag-schema fallback, the catalog.
import { ToolError } from '../http/errors.js';
import type { Manifest, RegistryClient } from './client.js';
import { algorithmOf } from './digest.js';
import { createHash } from 'node:crypto';
import { OCI_INDEX } from './media-types.js';
import {
  DEFAULT_PLATFORM,
  formatPlatform,
  isAttestation,
  pickPlatform,
  platformMatches,
  type Descriptor,
  type Platform,
} from './platform.js';
import { manifestReference, referrersFallbackTag, type ImageRef } from './reference.js';

export interface ImageConfig {
  created?: string;
  architecture?: string;
  os?: string;
  variant?: string;
  config?: {
    Env?: string[];
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    User?: string;
    WorkingDir?: string;
    Labels?: Record<string, string> | null;
    ExposedPorts?: Record<string, unknown> | null;
  };
  history?: unknown[];
  rootfs?: { diff_ids?: string[] };
}

export interface PlatformEntry {
  platform: string;
  os?: string;
  architecture?: string;
  variant?: string;
  digest: string;
  media_type: string;
  size: number;
}

export interface AttestationEntry {
  digest: string;
  media_type: string;
  size: number;
  /** The image manifest the attestation describes. */
  for_digest?: string;
}

export function platformsOf(index: Manifest): { platforms: PlatformEntry[]; attestations: AttestationEntry[] } {
  const platforms: PlatformEntry[] = [];
  const attestations: AttestationEntry[] = [];
  for (const entry of index.json.manifests ?? []) {
    if (isAttestation(entry)) {
      const item: AttestationEntry = { digest: entry.digest, media_type: entry.mediaType, size: entry.size };
      const forDigest = entry.annotations?.['vnd.docker.reference.digest'];
      if (forDigest) item.for_digest = forDigest;
      attestations.push(item);
      continue;
    }
    const item: PlatformEntry = {
      platform: formatPlatform(entry.platform),
      digest: entry.digest,
      media_type: entry.mediaType,
      size: entry.size,
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
  if (!entry) {
    const available = platformsOf(top).platforms.map((p) => p.platform);
    throw new ToolError(
      'not_found',
      `no ${formatPlatform(wanted)} image in ${ref.repository}@${top.digest}`,
      404,
      `Available platforms: ${available.join(', ') || 'none'}; pass 'platform'.`,
    );
  }
  const image = await client.getManifest(ref, entry.digest, signal);
  return { image, index: top };
}

export function summariseConfig(config: ImageConfig): Record<string, unknown> {
  const c = config.config ?? {};
  return {
    env: c.Env ?? [],
    entrypoint: c.Entrypoint ?? null,
    cmd: c.Cmd ?? null,
    user: c.User ?? '',
    working_dir: c.WorkingDir ?? '',
    labels: c.Labels ?? {},
    exposed_ports: Object.keys(c.ExposedPorts ?? {}),
    history_length: Array.isArray(config.history) ? config.history.length : 0,
  };
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
}

async function inspectImage(
  client: RegistryClient,
  ref: ImageRef,
  image: Manifest,
  includeConfig: boolean,
  signal?: AbortSignal,
): Promise<InspectedPlatform> {
  const layers: Descriptor[] = image.json.layers ?? [];
  const configDescriptor = image.json.config;
  const config = configDescriptor ? await client.getJsonBlob<ImageConfig>(ref, configDescriptor.digest, signal) : undefined;
  const size = image.size + (configDescriptor?.size ?? 0) + layers.reduce((sum, layer) => sum + (layer.size ?? 0), 0);
  const platform: Platform | undefined =
    config?.os && config.architecture
      ? { os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) }
      : undefined;
  const out: InspectedPlatform = {
    platform: formatPlatform(platform),
    digest: image.digest,
    media_type: image.mediaType,
    size,
    layers: layers.length,
  };
  if (platform) {
    out.os = platform.os;
    out.architecture = platform.architecture;
    if (platform.variant) out.variant = platform.variant;
  }
  if (config?.created) out.created = config.created;
  if (includeConfig && config) out.config = summariseConfig(config);
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
}

/**
 * Inspects an image or a whole index: step 1 the manifest, step 2 every platform manifest in
 * parallel, step 3 every config in parallel (2N+1 requests cold; repeated, one HEAD or none).
 */
export async function inspect(
  client: RegistryClient,
  ref: ImageRef,
  options: { includeConfig: boolean; platform?: Platform; signal?: AbortSignal },
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
  let entries = (top.json.manifests ?? []).filter((d) => !isAttestation(d));
  if (options.platform) {
    const picked = pickPlatform(entries, options.platform);
    if (!picked) {
      const available = platformsOf(top).platforms.map((p) => p.platform);
      throw new ToolError(
        'not_found',
        `no ${formatPlatform(options.platform)} image in ${ref.repository}@${top.digest}`,
        404,
        `Available platforms: ${available.join(', ') || 'none'}; pass 'platform'.`,
      );
    }
    entries = [picked];
  }
  const images = await Promise.all(entries.map((entry) => client.getManifest(ref, entry.digest, options.signal)));
  result.platforms = await Promise.all(
    images.map(async (image, i) => {
      const inspected = await inspectImage(client, ref, image, options.includeConfig, options.signal);
      const declared = entries[i]?.platform;
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

/** Follows `Link: <…>; rel="next"`. */
export function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(part);
    if (match?.[1]) return match[1];
  }
  return undefined;
}

export interface PagedList {
  items: string[];
  /** Pass as `last` to continue, when the list was cut at the cap. */
  next?: string;
  pages: number;
}

/** Lists tags (or catalog entries) page by page until the registry has no more or the cap. */
export async function listPaged(
  client: RegistryClient,
  ref: ImageRef,
  options: {
    path: string;
    field: 'tags' | 'repositories';
    scopes: string[];
    n?: number;
    last?: string;
    maxItems: number;
    signal?: AbortSignal;
  },
): Promise<PagedList> {
  const items: string[] = [];
  let pages = 0;
  let url: string | undefined = options.path;
  let query: Record<string, string | number | undefined> | undefined = {
    n: options.n ?? Math.min(options.maxItems, 1000),
    last: options.last,
  };
  while (url && items.length < options.maxItems) {
    const result: Awaited<ReturnType<typeof client.request<Record<string, unknown>>>> = await client.request<Record<string, unknown>>(ref, {
      path: url,
      query,
      scopes: options.scopes,
      signal: options.signal,
    });
    pages++;
    if (result.data === null || typeof result.data !== 'object' || Array.isArray(result.data)) {
      // A cut or corrupt body parses as text: never report it as an empty list.
      throw new ToolError(
        'upstream_error',
        `the registry answered ${options.path} with a body that is not a JSON object (truncated or corrupt)`,
      );
    }
    const page = result.data[options.field];
    // Some registries send `tags: null` for an empty repository.
    if (Array.isArray(page)) for (const item of page) if (typeof item === 'string') items.push(item);
    const link = nextLink(result.raw.get('link'));
    url = link ? client.transport.sameOrigin(ref.registry, link, 'pagination') : undefined;
    query = undefined; // the Link URL carries its own query
  }
  if (items.length > options.maxItems || url) {
    const kept = items.slice(0, options.maxItems);
    return { items: kept, next: kept[kept.length - 1], pages };
  }
  return { items, pages };
}

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

export interface BlobRead {
  digest: string;
  size?: number;
  content_type?: string;
  encoding: 'json' | 'text' | 'base64';
  content: unknown;
  verified: boolean;
  truncated?: boolean;
}

/** Reads a blob up to `maxBytes`: verified when read whole, cut (and not verifiable) beyond. */
export async function readBlob(
  client: RegistryClient,
  ref: ImageRef,
  digest: string,
  maxBytes: number,
  signal?: AbortSignal,
): Promise<BlobRead> {
  const result = await client.request<ReadableStream<Uint8Array>>(ref, {
    path: `/v2/${ref.repository}/blobs/${digest}`,
    scopes: client.pull(ref),
    read: 'stream',
    signal,
  });
  const declared = Number(result.raw.get('content-length') ?? NaN);
  const reader = result.data.getReader();
  const hash = createHash(algorithmOf(digest));
  const chunks: Buffer[] = [];
  let kept = 0;
  let total = 0;
  let truncated = false;
  for (;;) {
    let step: Awaited<ReturnType<typeof reader.read>>;
    try {
      step = await reader.read();
    } catch (error) {
      if (signal?.aborted) throw new ToolError('cancelled', `GET blob ${digest} was cancelled`);
      const cause = error instanceof Error ? ((error as Error & { cause?: Error }).cause?.message ?? error.message) : String(error);
      throw new ToolError(
        'network_error',
        `GET /v2/${ref.repository}/blobs/${digest}: the body broke off after ${total} bytes (${cause})`,
        undefined,
        'Retry; the registry or the network dropped the connection.',
      );
    }
    const { done, value } = step;
    if (done) break;
    total += value.byteLength;
    hash.update(value);
    if (kept + value.byteLength > maxBytes) {
      chunks.push(Buffer.from(value.subarray(0, maxBytes - kept)));
      kept = maxBytes;
      truncated = true;
      reader.cancel().catch(() => undefined);
      break;
    }
    chunks.push(Buffer.from(value));
    kept += value.byteLength;
  }
  const bytes = Buffer.concat(chunks);
  if (!truncated) {
    const actual = `${algorithmOf(digest)}:${hash.digest('hex')}`;
    if (actual !== digest)
      throw new ToolError(
        'integrity_error',
        `blob does not match its digest: expected ${digest}, got ${actual}`,
        undefined,
        'The registry returned corrupt content; nothing was used.',
      );
  }
  const contentType = result.raw.get('content-type') ?? undefined;
  const out: BlobRead = { digest, encoding: 'base64', content: null, verified: !truncated };
  out.size = Number.isFinite(declared) ? declared : total;
  if (contentType) out.content_type = contentType;
  if (truncated) out.truncated = true;
  const text = bytes.toString('utf8');
  const isText = !bytes.includes(0) && Buffer.from(text, 'utf8').equals(bytes);
  if (isText && !truncated) {
    try {
      out.content = JSON.parse(text) as unknown;
      out.encoding = 'json';
      return out;
    } catch {
      // not JSON: fall through to text
    }
  }
  if (isText) {
    out.content = text;
    out.encoding = 'text';
  } else {
    out.content = bytes.toString('base64');
  }
  return out;
}

export function semverKey(tag: string): [number, number, number, number, string] | undefined {
  const match = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[-+](.*))?$/.exec(tag);
  if (!match) return undefined;
  // A pre-release sorts before its release: 1.0.0-rc1 < 1.0.0.
  return [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0), match[4] ? 0 : 1, match[4] ?? ''];
}

export function sortTags(tags: string[], sort: 'semver' | 'name' | undefined): string[] {
  if (sort === 'name') return [...tags].sort((a, b) => a.localeCompare(b));
  if (sort !== 'semver') return tags;
  return [...tags].sort((a, b) => {
    const ka = semverKey(a);
    const kb = semverKey(b);
    if (ka && kb) {
      for (let i = 0; i < 4; i++) if (ka[i] !== kb[i]) return (kb[i] as number) - (ka[i] as number);
      return kb[4].localeCompare(ka[4]);
    }
    if (ka) return -1; // versions first, newest first
    if (kb) return 1;
    return a.localeCompare(b);
  });
}

/** `*` and `?` globs; without a wildcard, a substring match. */
export function tagFilter(pattern: string): (tag: string) => boolean {
  if (!/[*?]/.test(pattern)) return (tag) => tag.includes(pattern);
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  const regex = new RegExp(`^${source}$`);
  return (tag) => regex.test(tag);
}
