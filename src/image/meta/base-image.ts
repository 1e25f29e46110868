// base_image: what the image was built from (annotations, else provenance materials) and whether
// that base has moved since.
import type { RegistryClient } from '../../registry/client.js';
import type { Platform } from '../../registry/platform.js';
import { manifestReference, type ImageRef } from '../../registry/reference.js';
import type { ProvenanceSummary } from '../attestations/provenance-summary.js';
import { readAttestations } from '../attestations/read.js';
import { checkBase, type BaseCheck } from './base-check.js';
import { annotationSets, baseFromAnnotations, baseFromMaterial, type BaseClaim } from './base-sources.js';
import { imageOf, pickImage } from './pick-image.js';

/** Provenance candidates checked per call (each costs a HEAD, a tag list, maybe an index read). */
const MAX_CANDIDATES = 4;

export interface BaseAnswer extends BaseClaim {
  check: BaseCheck;
}

async function fromProvenance(
  client: RegistryClient,
  ref: ImageRef,
  platform: Platform | undefined,
  signal?: AbortSignal,
): Promise<BaseClaim[]> {
  const { data } = await readAttestations(
    client,
    ref,
    { kind: 'provenance', ...(platform ? { platform } : {}), includeDocument: false, page: 0, pageSize: 1 },
    signal,
  );
  const statements = (data.provenance as { summary: Partial<ProvenanceSummary> }[] | undefined) ?? [];
  const claims = statements.flatMap((s) => (s.summary.materials ?? []).map((m) => baseFromMaterial(m.uri, m.digests)));
  const seen = new Set<string>();
  return claims.filter((c): c is BaseClaim => c !== undefined && !seen.has(c.name) && seen.add(c.name) !== undefined);
}

export async function baseImage(
  client: RegistryClient,
  ref: ImageRef,
  platform: Platform | undefined,
  signal?: AbortSignal,
): Promise<Record<string, unknown>> {
  const picked = await pickImage(client, ref, platform, signal);
  const image = await imageOf(client, ref, picked, signal);
  const annotated = baseFromAnnotations(annotationSets(image.json, picked.entry, picked.entry ? picked.top.json : undefined));
  const claims = annotated ? [annotated] : await fromProvenance(client, ref, platform, signal);
  const bases: BaseAnswer[] = [];
  for (const claim of claims.slice(0, MAX_CANDIDATES)) bases.push({ ...claim, check: await checkBase(client, claim, signal) });
  const out: Record<string, unknown> = {
    repository: ref.repository,
    reference: manifestReference(ref),
    digest: picked.top.digest,
    image_digest: picked.digest,
    platform: picked.platform,
    found: bases.length > 0,
    bases,
  };
  if (claims.length > MAX_CANDIDATES) out.unchecked_candidates = claims.slice(MAX_CANDIDATES).map((c) => c.name);
  if (!annotated && bases.length > 0)
    out.note =
      'no base annotations; these are the images the build pulled (provenance materials): with a multi-stage build the final stage may start from another';
  if (bases.length === 0)
    out.note = 'the image names no base: no org.opencontainers.image.base.* annotations and no image materials in its provenance';
  return out;
}
