// Where an image says what it was built from. The OCI annotations
// `org.opencontainers.image.base.name` / `.base.digest` (buildx sets them on the image manifest,
// some tools on the index or its entry) are exact; without them, the images a build pulled are in
// its provenance materials (`pkg:docker/…` purls, `docker-image://…` sources), a candidate list:
// a multi-stage build pulls several, and the last stage may even start from scratch.
import type { Descriptor } from '../../registry/platform.js';

export const BASE_NAME = 'org.opencontainers.image.base.name';
export const BASE_DIGEST = 'org.opencontainers.image.base.digest';

export type BaseSource = 'manifest_annotation' | 'descriptor_annotation' | 'index_annotation' | 'provenance_material';

export interface BaseClaim {
  /** An image reference, `name:tag` (docker.io names short, as written). */
  name: string;
  /** The digest recorded at build time. */
  digest?: string;
  source: BaseSource;
}

/** The first annotation set (manifest, then its index entry, then the index) that names a base. */
export function baseFromAnnotations(
  sets: { source: BaseSource; annotations: Record<string, string> | undefined }[],
): BaseClaim | undefined {
  for (const { source, annotations } of sets) {
    const name = annotations?.[BASE_NAME];
    if (!name) continue;
    const digest = annotations[BASE_DIGEST];
    return { name, ...(digest ? { digest } : {}), source };
  }
  return undefined;
}

/** Images BuildKit pulls for itself (the SBOM scanner), not bases of the image built. */
const TOOLING = /(^|\/)buildkit-syft-scanner$/;

/** `pkg:docker/[namespace/]name@version?repository_url=host&platform=…` → an image reference. */
function fromPurl(uri: string): string | undefined {
  const match = /^pkg:docker\/([^@?#]+)(?:@([^?#]+))?(?:\?([^#]*))?/.exec(uri);
  if (!match) return undefined;
  const path = decodeURIComponent(match[1]!);
  const version = match[2] ? decodeURIComponent(match[2]) : undefined;
  const host = new URLSearchParams(match[3] ?? '').get('repository_url');
  const name = host ? `${host.replace(/^https?:\/\//, '').replace(/\/+$/, '')}/${path}` : path;
  if (!version) return name;
  return version.includes(':') ? `${name}@${version}` : `${name}:${version}`;
}

/** `docker-image://docker.io/library/alpine:3.19@sha256:…` → `docker.io/library/alpine:3.19` (digest apart). */
function fromDockerImage(uri: string): { name: string; digest?: string } | undefined {
  if (!uri.startsWith('docker-image://')) return undefined;
  const rest = uri.slice('docker-image://'.length);
  const at = rest.indexOf('@');
  return at >= 0 ? { name: rest.slice(0, at), digest: rest.slice(at + 1) } : { name: rest };
}

export function baseFromMaterial(uri: string, digests: readonly string[]): BaseClaim | undefined {
  const image = fromDockerImage(uri);
  let name = image?.name ?? fromPurl(uri);
  if (!name) return undefined;
  let digest = image?.digest ?? digests.find((d) => d.startsWith('sha256:'));
  // A purl whose version is a digest: the name has no tag, the digest is the recorded one.
  const at = name.indexOf('@');
  if (at >= 0) {
    digest ??= name.slice(at + 1);
    name = name.slice(0, at);
  }
  if (TOOLING.test(name.replace(/:[^/]*$/, ''))) return undefined;
  return { name, ...(digest ? { digest } : {}), source: 'provenance_material' };
}

/** Annotation sets of an image in the order they are trusted. */
export function annotationSets(
  image: { annotations?: Record<string, string> },
  entry: Descriptor | undefined,
  index: { annotations?: Record<string, string> } | undefined,
): { source: BaseSource; annotations: Record<string, string> | undefined }[] {
  return [
    { source: 'manifest_annotation', annotations: image.annotations },
    { source: 'descriptor_annotation', annotations: entry?.annotations },
    { source: 'index_annotation', annotations: index?.annotations },
  ];
}
