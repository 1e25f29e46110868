// Image addressing for Scout: a reference (`nginx:1.27`, `myorg/app@sha256:…`, any registry host)
// becomes a digest (a registry HEAD for a tag), a platform picks the child of an index, and the
// query context gets its organization (the `org` parameter, else the Docker Hub namespace; never
// for official `library/` images, which are public data).
import type { ScoutDeps } from './deps.js';
import { ToolError } from '../http/errors.js';
import { IMAGE_MANIFEST_TYPES } from '../registry/media-types.js';
import { DEFAULT_PLATFORM, formatPlatform, isAttestation, parsePlatform, pickPlatform, type Platform } from '../registry/platform.js';
import { formatRef, manifestReference, type ImageRef } from '../registry/reference.js';

/** How Scout names a repository: Docker Hub images under hub.docker.com, official ones without `library/`. */
export interface ScoutRepository {
  hostName: string;
  repoName: string;
}

export interface ResolvedImage {
  ref: ImageRef;
  /** `docker.io/library/nginx:1.27`, for messages and results. */
  name: string;
  repository: ScoutRepository;
  /** What the tag or digest points at: an image or an index. */
  digest: string;
  /** Known from the HEAD; unknown when the reference was already a digest. */
  mediaType?: string;
}

export interface PlatformImage extends ResolvedImage {
  /** The digest of one platform's image (the child when `digest` is an index). */
  imageDigest: string;
  /** Set when the image was picked from an index. */
  platform?: string;
  indexDigest?: string;
}

export function scoutRepository(ref: ImageRef): ScoutRepository {
  if (ref.registry.dockerHub) return { hostName: 'hub.docker.com', repoName: ref.repository.replace(/^library\//, '') };
  return { hostName: ref.registry.host, repoName: ref.repository };
}

/** The organization for the query context: `org`, else a Docker Hub namespace other than library. */
export function resolveOrg(org: string | undefined, ref?: ImageRef): string | undefined {
  const given = org?.trim();
  if (given) return given;
  if (!ref?.registry.dockerHub) return undefined;
  const slash = ref.repository.indexOf('/');
  const namespace = slash > 0 ? ref.repository.slice(0, slash) : undefined;
  return namespace && namespace !== 'library' ? namespace : undefined;
}

/** Validates a platform string before any request is made. */
export function platformArg(value: string | undefined): Platform | undefined {
  return value ? parsePlatform(value) : undefined;
}

/** Parses and resolves `repo` (+ `reference`) to the digest it names; a tag costs one HEAD. */
export async function resolveImage(
  app: ScoutDeps,
  repo: string,
  reference: string | undefined,
  signal?: AbortSignal,
): Promise<ResolvedImage> {
  const ref = app.registry.parse(repo, reference);
  const base = { ref, name: formatRef(ref), repository: scoutRepository(ref) };
  if (ref.digest) return { ...base, digest: ref.digest };
  const tag = manifestReference(ref);
  const head = await app.registry.headManifest(ref, tag, signal);
  if (!head.exists) {
    throw new ToolError(
      'not_found',
      `${base.name}: tag '${tag}' not found on ${ref.registry.host}`,
      404,
      'Check the tag (hub_registry list_tags), or pass a digest.',
    );
  }
  if (head.digest)
    return { ...base, ref: { ...ref, digest: head.digest }, digest: head.digest, ...(head.mediaType ? { mediaType: head.mediaType } : {}) };
  // A registry that omits Docker-Content-Digest on HEAD: the GET computes it.
  const manifest = await app.registry.getManifest(ref, tag, signal);
  return { ...base, ref: { ...ref, digest: manifest.digest }, digest: manifest.digest, mediaType: manifest.mediaType };
}

/** Resolves to one platform's image: an index's child for `platform` (default linux/amd64). */
export async function resolvePlatformImage(
  app: ScoutDeps,
  repo: string,
  reference: string | undefined,
  platform: string | undefined,
  signal?: AbortSignal,
): Promise<PlatformImage> {
  const wanted = platformArg(platform);
  const image = await resolveImage(app, repo, reference, signal);
  if (image.mediaType && IMAGE_MANIFEST_TYPES.has(image.mediaType)) return { ...image, imageDigest: image.digest };
  const manifest = await app.registry.getManifest(image.ref, image.digest, signal);
  if (!app.registry.isIndex(manifest)) return { ...image, mediaType: manifest.mediaType, imageDigest: image.digest };
  const target = wanted ?? DEFAULT_PLATFORM;
  const children = manifest.json.manifests ?? [];
  const child = pickPlatform(children, target);
  if (!child) {
    const available = children.filter((d) => !isAttestation(d)).map((d) => formatPlatform(d.platform));
    throw new ToolError(
      'not_found',
      `${image.name} has no ${formatPlatform(target)} image; platforms: ${available.join(', ') || 'none'}`,
      404,
      'Pass platform as one of those.',
    );
  }
  return {
    ...image,
    mediaType: manifest.mediaType,
    imageDigest: child.digest,
    platform: formatPlatform(child.platform),
    indexDigest: image.digest,
  };
}
