// Manifest and config media types (OCI image-spec and Docker's), and what each one is.

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';
export const OCI_EMPTY = 'application/vnd.oci.empty.v1+json';

/** Every manifest type we parse, index types first (what we ask registries for). */
export const MANIFEST_ACCEPT = [OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST].join(', ');

export const INDEX_TYPES = new Set([OCI_INDEX, DOCKER_LIST]);
export const IMAGE_MANIFEST_TYPES = new Set([OCI_MANIFEST, DOCKER_MANIFEST]);
export const RUNNABLE_CONFIG_TYPES = new Set([OCI_CONFIG, DOCKER_CONFIG]);

export function isIndexType(mediaType: string | undefined): boolean {
  return mediaType !== undefined && INDEX_TYPES.has(mediaType);
}
