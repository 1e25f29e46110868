// Manifest and config media types (OCI image-spec and Docker's), and what each one is.

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';
export const OCI_EMPTY = 'application/vnd.oci.empty.v1+json';
/** Docker schema1 (deprecated, still served for old images): signed (JWS) and unsigned. */
export const SCHEMA1_SIGNED = 'application/vnd.docker.distribution.manifest.v1+prettyjws';
export const SCHEMA1_UNSIGNED = 'application/vnd.docker.distribution.manifest.v1+json';
/** The digest of the OCI empty descriptor's content `{}`. */
export const EMPTY_JSON_DIGEST = 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a';

/**
 * Every manifest type we parse, index types first (what we ask registries for); schema1 last, so a
 * registry that can serve either sends v2 / OCI and only old images come as schema1.
 */
export const MANIFEST_ACCEPT = [OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST, SCHEMA1_SIGNED, SCHEMA1_UNSIGNED].join(', ');

export const INDEX_TYPES = new Set([OCI_INDEX, DOCKER_LIST]);
export const IMAGE_MANIFEST_TYPES = new Set([OCI_MANIFEST, DOCKER_MANIFEST]);
export const RUNNABLE_CONFIG_TYPES = new Set([OCI_CONFIG, DOCKER_CONFIG]);
export const SCHEMA1_TYPES = new Set([SCHEMA1_SIGNED, SCHEMA1_UNSIGNED]);
/** Every manifest media type we read; anything else is `unsupported_content`. */
export const KNOWN_MANIFEST_TYPES = new Set([...INDEX_TYPES, ...IMAGE_MANIFEST_TYPES, ...SCHEMA1_TYPES]);

export function isSchema1Type(mediaType: string | undefined): boolean {
  return mediaType !== undefined && SCHEMA1_TYPES.has(mediaType);
}

export function isIndexType(mediaType: string | undefined): boolean {
  return mediaType !== undefined && INDEX_TYPES.has(mediaType);
}
