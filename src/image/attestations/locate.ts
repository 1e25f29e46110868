// Where an image's attestations are: BuildKit stores them in the image's index as
// `attestation-manifest` entries naming the image by digest; other tools push them as OCI
// referrers of the image (found through the referrers API or its `sha256-<hex>` tag fallback).
// Each attestation manifest's layers are the statements; their predicate type is usually in a
// layer annotation, so most can be classified without being downloaded.
import { ToolError } from '../../http/errors.js';
import type { Manifest, RegistryClient } from '../../registry/client.js';
import { isAttestation, type Descriptor } from '../../registry/platform.js';
import { listReferrers } from '../../registry/referrers.js';
import type { ImageRef } from '../../registry/reference.js';
import { BARE_DOCUMENT_TYPES, IN_TOTO_LAYER, PREDICATE_ANNOTATION } from './predicate-types.js';

/** Referrer manifests read per image: a subject with hundreds of signatures is not read whole. */
const MAX_REFERRERS = 32;

export interface AttestationLayer {
  digest: string;
  size: number;
  media_type: string;
  /** From the layer annotation; confirmed (or found) when the statement is read. */
  predicate_type?: string;
  /** The attestation manifest holding the layer. */
  manifest: string;
  source: 'index' | 'referrers';
  /** The predicate type a bare document stands for (no in-toto statement around it). */
  bare_type?: string;
}

export interface Located {
  layers: AttestationLayer[];
  /** How referrers were looked up. */
  referrers_source: 'referrers_api' | 'fallback_tag';
  /** Attestation manifests that could not be read, and why. */
  unreadable: { digest: string; reason: string }[];
}

function isStatementLayer(layer: Descriptor): boolean {
  return (
    layer.mediaType === IN_TOTO_LAYER ||
    layer.mediaType.startsWith('application/vnd.in-toto') ||
    layer.annotations?.[PREDICATE_ANNOTATION] !== undefined ||
    BARE_DOCUMENT_TYPES[layer.mediaType] !== undefined
  );
}

function layersOf(manifest: Manifest, source: AttestationLayer['source']): AttestationLayer[] {
  const layers = Array.isArray(manifest.json.layers) ? manifest.json.layers : [];
  return layers.filter(isStatementLayer).map((layer) => {
    const out: AttestationLayer = {
      digest: layer.digest,
      size: layer.size,
      media_type: layer.mediaType,
      manifest: manifest.digest,
      source,
    };
    const annotated = layer.annotations?.[PREDICATE_ANNOTATION];
    const bare = BARE_DOCUMENT_TYPES[layer.mediaType];
    if (annotated) out.predicate_type = annotated;
    else if (bare) out.predicate_type = bare;
    if (bare) out.bare_type = bare;
    return out;
  });
}

async function readManifests(
  client: RegistryClient,
  ref: ImageRef,
  digests: string[],
  source: AttestationLayer['source'],
  located: Located,
  signal?: AbortSignal,
): Promise<void> {
  const read = await Promise.all(
    digests.map((digest) =>
      client.getManifest(ref, digest, signal).catch((error: unknown) => {
        // One attestation we cannot read must not hide the others; auth and network errors still fail.
        if (error instanceof ToolError && ['unsupported_content', 'invalid_content', 'not_found'].includes(error.type)) {
          located.unreadable.push({ digest, reason: `${error.type}: ${error.message}` });
          return undefined;
        }
        throw error;
      }),
    ),
  );
  for (const manifest of read) if (manifest) located.layers.push(...layersOf(manifest, source));
}

export async function locateAttestations(
  client: RegistryClient,
  ref: ImageRef,
  index: Manifest | undefined,
  imageDigest: string,
  signal?: AbortSignal,
): Promise<Located> {
  const fromIndex = (index?.json.manifests ?? [])
    .filter((entry) => isAttestation(entry) && entry.annotations?.['vnd.docker.reference.digest'] === imageDigest)
    .map((entry) => entry.digest);
  const referrers = await listReferrers(client, ref, imageDigest, undefined, signal);
  const located: Located = { layers: [], referrers_source: referrers.source, unreadable: [] };
  await readManifests(client, ref, fromIndex, 'index', located, signal);
  const referred = referrers.referrers.map((r) => r.digest).filter((d) => !fromIndex.includes(d));
  await readManifests(client, ref, referred.slice(0, MAX_REFERRERS), 'referrers', located, signal);
  return located;
}
