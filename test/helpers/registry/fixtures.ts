// Fixture builders: push images, multi-platform OCI indexes with buildx-style attestations, Docker
// manifest lists, many tags, referrer artifacts (maintaining the `sha256-<hex>` fallback tag, since
// distribution 2.8 has no referrers API) and large streamed blobs. Each returns descriptors, digests
// and the exact bytes pushed, so tests can compare what the client reads back.
import { pseudoRandomBlob, pseudoRandomBytes, sha256Digest, type StreamBlob } from './blob-stream.js';
import {
  DEFAULT_CREATED,
  EMPTY_JSON,
  MT,
  attestationStatements,
  defaultLayers,
  imageConfig,
  parsePlatform,
  platformString,
  referrersTag,
  tarGzLayer,
  type Descriptor,
  type LayerContent,
  type Platform,
} from './content.js';
import type { RegistryHandle } from './launch.js';
import { PushClient, type PushedBlob } from './push-client.js';

export { randomBlob, pseudoRandomBlob, pseudoRandomStream, pseudoRandomDigest, streamDigest, sha256Digest } from './blob-stream.js';
export { MT, referrersTag, parsePlatform, type Descriptor, type Platform } from './content.js';

/**
 * A layer: raw bytes (Buffer), a byte count (seeded pseudo-random bytes), a streamed blob (never in
 * memory; see pseudoRandomBlob), or files for a real tar.gz layer. Raw layers are pushed with the
 * uncompressed tar media type, so their diff_id is their digest.
 */
export type LayerSpec = Buffer | number | StreamBlob | { files: Record<string, string | Buffer> };

export interface PushedManifest {
  repo: string;
  /** The tag it was pushed under, or null when pushed by digest. */
  tag: string | null;
  digest: string;
  size: number;
  mediaType: string;
  /** The exact bytes pushed. */
  bytes: Buffer;
  json: Record<string, unknown>;
  /** A descriptor for it (with platform / annotations when it is an index entry). */
  descriptor: Descriptor;
}

export interface PushedImage extends PushedManifest {
  platform: Platform;
  config: PushedBlob & { bytes: Buffer; mediaType: string };
  layers: Descriptor[];
}

export interface PushedIndex extends PushedManifest {
  images: PushedImage[];
  /** Attestation manifests, one per image, in the same order (empty without attestations). */
  attestations: PushedManifest[];
}

export interface ImageOptions {
  platform?: string | Platform;
  layers?: LayerSpec[];
  /** Merged into the config's `config` section (Env, Entrypoint, Cmd, User, Labels, ...). */
  config?: Record<string, unknown>;
  created?: string;
  /** 'oci' (default) or 'docker' (schema2 manifest, Docker config and layer media types). */
  format?: 'oci' | 'docker';
  annotations?: Record<string, string>;
}

export interface ReferrerOptions {
  /** The artifact's one layer (default: a small JSON document naming the subject). */
  content?: Buffer;
  layerMediaType?: string;
  annotations?: Record<string, string>;
}

export interface PushedReferrer {
  artifact: PushedManifest;
  /** The fallback tag `sha256-<hex>` and the index pushed there (null when the registry handled `subject` itself). */
  fallbackTag: string;
  fallbackIndex: PushedManifest | null;
}

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

export class Fixtures {
  readonly client: PushClient;
  private readonly fallbackLocks = new Map<string, Promise<unknown>>();

  constructor(client: PushClient) {
    this.client = client;
  }

  /** Fixtures pushing to a started registry (through `via`, a proxy url, if given) as `user` (default: the first user). */
  static for(handle: RegistryHandle, opts: { user?: string | null; via?: string } = {}): Fixtures {
    return new Fixtures(PushClient.for(handle, opts));
  }

  private async manifest(
    repo: string,
    tag: string | null,
    value: Record<string, unknown>,
    extra: Partial<Descriptor> = {},
  ): Promise<PushedManifest> {
    const bytes = json(value);
    const mediaType = value.mediaType as string;
    const { digest } = await this.client.pushManifest(repo, tag ?? sha256Digest(bytes), bytes, mediaType);
    return {
      repo,
      tag,
      digest,
      size: bytes.length,
      mediaType,
      bytes,
      json: value,
      descriptor: { mediaType, digest, size: bytes.length, ...extra },
    };
  }

  private async layer(
    repo: string,
    spec: LayerSpec | LayerContent,
    index: number,
    format: 'oci' | 'docker',
  ): Promise<Descriptor & { diffId: string }> {
    let content: LayerContent | StreamBlob;
    if (typeof spec === 'number') content = { bytes: pseudoRandomBytes(spec, `${repo}#${index}#${spec}`), mediaType: '', diffId: '' };
    else if (Buffer.isBuffer(spec)) content = { bytes: spec, mediaType: '', diffId: '' };
    else if ('files' in spec) content = tarGzLayer(spec.files, format);
    else content = spec;
    const raw = format === 'oci' ? MT.ociLayerTar : 'application/vnd.docker.image.rootfs.diff.tar';
    if ('open' in content) {
      const pushed = await this.client.pushBlob(repo, content);
      return { mediaType: raw, digest: pushed.digest, size: pushed.size, diffId: pushed.digest };
    }
    const pushed = await this.client.pushBlob(repo, content.bytes);
    return { mediaType: content.mediaType || raw, digest: pushed.digest, size: pushed.size, diffId: content.diffId || pushed.digest };
  }

  /** Pushes config, layers and an image manifest (OCI by default); `tag` null pushes by digest. */
  async pushImage(repo: string, tag: string | null, opts: ImageOptions = {}): Promise<PushedImage> {
    const format = opts.format ?? 'oci';
    const platform = parsePlatform(opts.platform ?? 'linux/amd64');
    const specs: Array<LayerSpec | LayerContent> = opts.layers ?? defaultLayers(repo, platform, format);
    const layers = await Promise.all(specs.map((spec, i) => this.layer(repo, spec, i, format)));
    const configValue = imageConfig({
      platform,
      diffIds: layers.map((l) => l.diffId),
      ...(opts.created ? { created: opts.created } : {}),
      ...(opts.config ? { config: opts.config } : {}),
    });
    const configBytes = json(configValue);
    const configMediaType = format === 'oci' ? MT.ociConfig : MT.dockerConfig;
    const config = { ...(await this.client.pushBlob(repo, configBytes)), bytes: configBytes, mediaType: configMediaType };
    const manifestValue: Record<string, unknown> = {
      schemaVersion: 2,
      mediaType: format === 'oci' ? MT.ociManifest : MT.dockerManifest,
      config: { mediaType: configMediaType, digest: config.digest, size: config.size },
      layers: layers.map(({ mediaType, digest, size }) => ({ mediaType, digest, size })),
      ...(opts.annotations ? { annotations: opts.annotations } : {}),
    };
    const pushed = await this.manifest(repo, tag, manifestValue, { platform });
    return { ...pushed, platform, config, layers: layers.map(({ mediaType, digest, size }) => ({ mediaType, digest, size })) };
  }

  /** A buildx-style attestation manifest (SBOM + provenance) for one image, pushed by digest. */
  async pushAttestation(repo: string, image: PushedImage): Promise<PushedManifest> {
    const statements = attestationStatements(repo, image.digest, image.platform);
    const layers = await Promise.all(
      statements.map(async (s) => ({
        mediaType: MT.inToto,
        ...(await this.client.pushBlob(repo, s.bytes)),
        annotations: { 'in-toto.io/predicate-type': s.predicateType },
      })),
    );
    const configBytes = json({
      architecture: 'unknown',
      os: 'unknown',
      config: {},
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
    });
    const config = await this.client.pushBlob(repo, configBytes);
    return this.manifest(
      repo,
      null,
      { schemaVersion: 2, mediaType: MT.ociManifest, config: { mediaType: MT.ociConfig, ...config }, layers },
      {
        platform: { os: 'unknown', architecture: 'unknown' },
        annotations: { 'vnd.docker.reference.digest': image.digest, 'vnd.docker.reference.type': 'attestation-manifest' },
      },
    );
  }

  /** An OCI image index over one image per platform, plus (default) one attestation manifest per image. */
  async pushIndex(
    repo: string,
    tag: string | null,
    platforms: Array<string | Platform>,
    opts: { attestations?: boolean; annotations?: Record<string, string> } = {},
  ): Promise<PushedIndex> {
    const images = await Promise.all(platforms.map((p) => this.pushImage(repo, null, { platform: p })));
    const attestations = opts.attestations === false ? [] : await Promise.all(images.map((img) => this.pushAttestation(repo, img)));
    const index = await this.manifest(repo, tag, {
      schemaVersion: 2,
      mediaType: MT.ociIndex,
      manifests: [...images.map((i) => i.descriptor), ...attestations.map((a) => a.descriptor)],
      annotations: { 'org.opencontainers.image.created': DEFAULT_CREATED, ...opts.annotations },
    });
    return { ...index, images, attestations };
  }

  /** A Docker schema2 manifest list over Docker v2 manifests (Docker config and layer media types). */
  async pushDockerManifestList(repo: string, tag: string | null, platforms: Array<string | Platform>): Promise<PushedIndex> {
    const images = await Promise.all(platforms.map((p) => this.pushImage(repo, null, { platform: p, format: 'docker' })));
    const list = await this.manifest(repo, tag, { schemaVersion: 2, mediaType: MT.dockerList, manifests: images.map((i) => i.descriptor) });
    return { ...list, images, attestations: [] };
  }

  /** One small image tagged `count` times (`${prefix}0000` ...), `concurrency` PUTs at a time. Returns the tags sorted. */
  async pushTags(
    repo: string,
    count: number,
    opts: { prefix?: string; concurrency?: number } = {},
  ): Promise<{ image: PushedImage; tags: string[] }> {
    const prefix = opts.prefix ?? 'tag-';
    const width = Math.max(4, String(count - 1).length);
    const image = await this.pushImage(repo, null, { layers: [{ files: { 'tags.txt': `${count} tags\n` } }] });
    const tags = Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(width, '0')}`);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < tags.length) {
        const tag = tags[next++]!;
        await this.client.pushManifest(repo, tag, image.bytes, image.mediaType);
      }
    };
    await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 8, count) }, worker));
    return { image, tags: [...tags].sort() };
  }

  /**
   * An OCI artifact manifest with `subject`, pushed by digest; unless the registry answers with
   * `OCI-Subject` (native referrers API), also adds it to the `sha256-<hex>` fallback index.
   * `subject` may be a descriptor or a digest (then it is looked up with a GET).
   */
  async pushReferrer(
    repo: string,
    subject: string | Descriptor,
    artifactType: string,
    opts: ReferrerOptions = {},
  ): Promise<PushedReferrer> {
    const subjectDesc =
      typeof subject === 'string'
        ? await this.describe(repo, subject)
        : { mediaType: subject.mediaType, digest: subject.digest, size: subject.size };
    const content = opts.content ?? json({ artifactType, subject: subjectDesc.digest, note: 'fixture referrer' });
    const layer = await this.client.pushBlob(repo, content);
    await this.client.pushBlob(repo, EMPTY_JSON);
    const annotations = { 'org.opencontainers.image.created': DEFAULT_CREATED, ...opts.annotations };
    const value = {
      schemaVersion: 2,
      mediaType: MT.ociManifest,
      artifactType,
      config: { mediaType: MT.ociEmpty, digest: sha256Digest(EMPTY_JSON), size: 2, data: 'e30=' },
      layers: [
        {
          mediaType: opts.layerMediaType ?? 'application/json',
          ...layer,
          annotations: { 'org.opencontainers.image.title': 'artifact.json' },
        },
      ],
      subject: subjectDesc,
      annotations,
    };
    const bytes = json(value);
    const { digest, headers } = await this.client.pushManifest(repo, sha256Digest(bytes), bytes, MT.ociManifest);
    const artifact: PushedManifest = {
      repo,
      tag: null,
      digest,
      size: bytes.length,
      mediaType: MT.ociManifest,
      bytes,
      json: value,
      descriptor: { mediaType: MT.ociManifest, digest, size: bytes.length, artifactType, annotations },
    };
    const fallbackTag = referrersTag(subjectDesc.digest);
    if (headers.get('oci-subject')) return { artifact, fallbackTag, fallbackIndex: null };
    const fallbackIndex = await this.serialized(`${repo}@${fallbackTag}`, () => this.addToFallback(repo, fallbackTag, artifact.descriptor));
    return { artifact, fallbackTag, fallbackIndex };
  }

  /** Removes a referrer's descriptor from the fallback index (what a client SHOULD do when deleting it). */
  async removeFromFallback(repo: string, subjectDigest: string, referrerDigest: string): Promise<PushedManifest | null> {
    const tag = referrersTag(subjectDigest);
    return this.serialized(`${repo}@${tag}`, async () => {
      const current = await this.readFallback(repo, tag);
      if (!current) return null;
      current.manifests = current.manifests.filter((d) => d.digest !== referrerDigest);
      return this.manifest(repo, tag, current);
    });
  }

  /** A streamed pseudo-random blob of `size` bytes (seeded), pushed without holding it in memory. */
  async pushLargeBlob(repo: string, size: number, seed = 'large'): Promise<PushedBlob> {
    return this.client.pushBlob(repo, await pseudoRandomBlob(size, seed));
  }

  private async describe(repo: string, digest: string): Promise<Descriptor> {
    const res = await this.client.getManifest(repo, digest);
    if (res.status !== 200) throw new Error(`subject ${digest} not found in ${repo} (${res.status})`);
    return { mediaType: (res.mediaType ?? MT.ociManifest).split(';')[0]!, digest, size: res.bytes.length };
  }

  private async readFallback(repo: string, tag: string): Promise<{ schemaVersion: 2; mediaType: string; manifests: Descriptor[] } | null> {
    const res = await this.client.getManifest(repo, tag, MT.ociIndex);
    if (res.status === 404) return null;
    if (res.status !== 200) throw new Error(`fallback tag ${tag} answered ${res.status}`);
    const value = JSON.parse(res.bytes.toString('utf8')) as { mediaType?: string; manifests?: Descriptor[] };
    if (value.mediaType !== MT.ociIndex || !Array.isArray(value.manifests)) throw new Error(`fallback tag ${tag} is not an OCI index`);
    return { schemaVersion: 2, mediaType: MT.ociIndex, manifests: value.manifests };
  }

  private async addToFallback(repo: string, tag: string, descriptor: Descriptor): Promise<PushedManifest> {
    const current = (await this.readFallback(repo, tag)) ?? { schemaVersion: 2, mediaType: MT.ociIndex, manifests: [] };
    if (!current.manifests.some((d) => d.digest === descriptor.digest)) current.manifests.push(descriptor);
    return this.manifest(repo, tag, current);
  }

  private serialized<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.fallbackLocks.get(key) ?? Promise.resolve();
    const run = previous.then(task, task);
    this.fallbackLocks.set(
      key,
      run.catch(() => undefined),
    );
    return run;
  }
}

export { platformString };
