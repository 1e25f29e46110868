// RegistryClient: typed operations over the Registry HTTP API v2 / OCI distribution, for any
// registry. Reads are minimal (HEAD where a digest is all that is needed, digest-addressed content
// from the cache, independent fetches in parallel) and verified (every manifest and blob fetched
// by digest is hashed).
import type { HttpResult } from '../http/client.js';
import { ToolError } from '../http/errors.js';
import type { Logger } from '../log.js';
import { ContentCache } from './cache.js';
import { verifyBytes } from './digest.js';
import { Limiter } from './limit.js';
import { parseManifest } from './manifest-content.js';
import { isIndexType, isSchema1Type, MANIFEST_ACCEPT } from './media-types.js';
import { manifestDigestOf, verifyManifestBytes } from './schema1.js';
import { jsonTextDepth, UPSTREAM_JSON_BOUNDS } from '../util/json-bounds.js';
import type { Descriptor } from './platform.js';
import { parseImageRef, registryForHost, registryFromUrl, type ImageRef, type ReferenceDefaults, type Registry } from './reference.js';
import type { RegistryTransport } from './transport.js';
import { repositoryScope } from '../auth/registry-token.js';
import { BoundedMap } from '../util/bounded-map.js';

export interface ManifestJson {
  schemaVersion?: number;
  mediaType?: string;
  artifactType?: string;
  config?: Descriptor;
  layers?: Descriptor[];
  manifests?: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

export interface Manifest {
  digest: string;
  mediaType: string;
  size: number;
  bytes: Buffer;
  json: ManifestJson;
}

export interface ManifestHead {
  exists: boolean;
  status: number;
  digest?: string;
  mediaType?: string;
  size?: number;
}

export interface RegistryClientOptions {
  transport: RegistryTransport;
  defaults: ReferenceDefaults;
  logger: Logger;
  cacheBytes?: number;
  /** Parallel requests per registry. */
  parallel?: number;
}

export class RegistryClient {
  readonly transport: RegistryTransport;
  readonly cache: ContentCache;
  private readonly limiters = new BoundedMap<string, Limiter>(256);
  /** Tags seen before: a repeated tag lookup is a HEAD, then the cache. */
  private readonly seenTags = new Set<string>();

  constructor(private readonly options: RegistryClientOptions) {
    this.transport = options.transport;
    this.cache = new ContentCache(options.cacheBytes ?? 64 * 1024 * 1024);
  }

  parse(repo: string, reference?: string): ImageRef {
    return parseImageRef(repo, reference, this.options.defaults);
  }

  /** The registry DOCKER_REGISTRY_URL names: where a reference without a host goes. */
  defaultRegistry(): Registry {
    return registryFromUrl(this.options.defaults.registryUrl);
  }

  /** The registry a `registry` argument names (`host[:port]`), or the default one. */
  registryNamed(host: string | undefined): Registry {
    return host ? registryForHost(host, this.options.defaults) : this.defaultRegistry();
  }

  pull(ref: ImageRef): string[] {
    return [repositoryScope(ref.repository, 'pull')];
  }

  limiter(registry: Registry): Limiter {
    let limiter = this.limiters.get(registry.origin);
    if (!limiter) {
      limiter = new Limiter(this.options.parallel ?? 8);
      this.limiters.set(registry.origin, limiter);
    }
    return limiter;
  }

  private cacheKey(ref: ImageRef, digest: string): string {
    return `${ref.registry.origin}/${ref.repository}@${digest}`;
  }

  /** After a delete: the cache must not answer for content the registry no longer has. */
  forget(ref: ImageRef, digest: string): void {
    this.cache.forget(this.cacheKey(ref, digest));
  }

  async request<T>(ref: ImageRef, req: Parameters<RegistryTransport['request']>[1]): Promise<HttpResult<T>> {
    return this.limiter(ref.registry).run(() => this.transport.request<T>(ref.registry, req));
  }

  /** HEAD a manifest: digest, media type and size, without spending a Docker Hub pull. */
  async headManifest(ref: ImageRef, reference: string, signal?: AbortSignal): Promise<ManifestHead> {
    const result = await this.request(ref, {
      method: 'HEAD',
      path: `/v2/${ref.repository}/manifests/${reference}`,
      headers: { accept: MANIFEST_ACCEPT },
      scopes: this.pull(ref),
      accept: [404],
      signal,
    });
    if (result.status_code === 404) return { exists: false, status: 404 };
    const head: ManifestHead = { exists: true, status: result.status_code };
    const digest = result.raw.get('docker-content-digest') ?? undefined;
    const type = result.raw.get('content-type')?.split(';')[0]?.trim();
    const size = Number(result.raw.get('content-length') ?? NaN);
    if (digest) head.digest = digest;
    if (type) head.mediaType = type;
    if (Number.isFinite(size)) head.size = size;
    return head;
  }

  /**
   * The manifest `reference` (tag or digest) points at. By digest: from the cache when seen
   * before. By tag: a GET the first time; later a HEAD, then the cache when the digest is known.
   */
  async getManifest(ref: ImageRef, reference: string, signal?: AbortSignal, accept: string = MANIFEST_ACCEPT): Promise<Manifest> {
    const byDigest = reference.includes(':');
    let digest = byDigest ? reference : undefined;
    const tagKey = `${ref.registry.origin}/${ref.repository}:${reference}`;
    if (!byDigest && this.seenTags.has(tagKey)) {
      const head = await this.headManifest(ref, reference, signal);
      if (!head.exists) throw new ToolError('not_found', `manifest ${ref.repository}:${reference} not found on ${ref.registry.host}`, 404);
      digest = head.digest;
    }
    if (digest) {
      const cached = this.cache.get(this.cacheKey(ref, digest));
      if (cached) return this.toManifest(cached, digest, undefined);
    }
    const result = await this.request<Buffer>(ref, {
      path: `/v2/${ref.repository}/manifests/${digest ?? reference}`,
      headers: { accept },
      scopes: this.pull(ref),
      read: 'bytes',
      signal,
    });
    const bytes = result.data ?? Buffer.alloc(0);
    const headerDigest = result.raw.get('docker-content-digest') ?? undefined;
    const expected = digest ?? headerDigest;
    // Signed schema1: the digest covers the JWS payload, not the bytes with their signatures.
    if (expected) verifyManifestBytes(bytes, expected, `manifest ${ref.repository}@${expected}`);
    const actual = expected ?? manifestDigestOf(bytes);
    // Parsed before caching, so content we refuse is refused the same way every time.
    const manifest = this.toManifest(bytes, actual, result.raw.get('content-type') ?? undefined);
    this.cache.set(this.cacheKey(ref, actual), bytes);
    if (!byDigest) this.seenTags.add(tagKey);
    return manifest;
  }

  private toManifest(bytes: Buffer, digest: string, contentType: string | undefined): Manifest {
    const { json, mediaType } = parseManifest(bytes, digest, contentType);
    return { digest, mediaType, size: bytes.byteLength, bytes, json: json };
  }

  isIndex(manifest: Manifest): boolean {
    if (isSchema1Type(manifest.mediaType)) return false;
    return isIndexType(manifest.mediaType) || Array.isArray(manifest.json.manifests);
  }

  isSchema1(manifest: Manifest): boolean {
    return isSchema1Type(manifest.mediaType);
  }

  /**
   * A small digest-addressed blob (a config) as JSON, verified and cached. Content that is not
   * JSON, or nests deeper than any config needs, is `unsupported_content`: described, not blamed.
   */
  async getJsonBlob<T>(ref: ImageRef, digest: string, signal?: AbortSignal): Promise<T> {
    const bytes = await this.getBlobBytes(ref, digest, signal);
    const text = bytes.toString('utf8');
    if (jsonTextDepth(text) > UPSTREAM_JSON_BOUNDS.maxDepth)
      throw new ToolError('unsupported_content', `blob ${digest} nests JSON deeper than ${UPSTREAM_JSON_BOUNDS.maxDepth} levels; not read`);
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ToolError('unsupported_content', `blob ${digest} is not JSON`, undefined, 'get_blob shows it as text or base64.');
    }
  }

  /** A small digest-addressed blob, verified and cached. */
  async getBlobBytes(ref: ImageRef, digest: string, signal?: AbortSignal): Promise<Buffer> {
    const key = this.cacheKey(ref, digest);
    let bytes = this.cache.get(key);
    if (!bytes) {
      const result = await this.request<Buffer>(ref, {
        path: `/v2/${ref.repository}/blobs/${digest}`,
        scopes: this.pull(ref),
        read: 'bytes',
        signal,
      });
      bytes = result.data ?? Buffer.alloc(0);
      verifyBytes(bytes, digest, `blob ${digest}`);
      this.cache.set(key, bytes);
    }
    return bytes;
  }

  async headBlob(ref: ImageRef, digest: string, signal?: AbortSignal): Promise<{ exists: boolean; size?: number; digest?: string }> {
    const result = await this.request(ref, {
      method: 'HEAD',
      path: `/v2/${ref.repository}/blobs/${digest}`,
      scopes: this.pull(ref),
      accept: [404],
      signal,
    });
    if (result.status_code === 404) return { exists: false };
    const size = Number(result.raw.get('content-length') ?? NaN);
    const out: { exists: boolean; size?: number; digest?: string } = {
      exists: true,
      digest: result.raw.get('docker-content-digest') ?? digest,
    };
    if (Number.isFinite(size)) out.size = size;
    return out;
  }
}
