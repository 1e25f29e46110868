// The in-toto predicate types we summarise, and which action each belongs to. Anything else is
// listed by its predicateType so the caller knows it is there, but not parsed.

export const SPDX = 'https://spdx.dev/Document';
export const CYCLONEDX = 'https://cyclonedx.org/bom';
export const SLSA_V02 = 'https://slsa.dev/provenance/v0.2';
export const SLSA_V1 = 'https://slsa.dev/provenance/v1';

export type AttestationKind = 'sbom' | 'provenance';

/** sbom / provenance for a type we parse; undefined for any other predicate. */
export function kindOf(predicateType: string | undefined): AttestationKind | undefined {
  if (!predicateType) return undefined;
  // CycloneDX statements sometimes carry a spec version (`https://cyclonedx.org/bom/v1.5`).
  if (predicateType === SPDX || predicateType === CYCLONEDX || predicateType.startsWith(`${CYCLONEDX}/`)) return 'sbom';
  if (predicateType === SLSA_V02 || predicateType === SLSA_V1) return 'provenance';
  return undefined;
}

/** Layer media types that hold a bare document (no in-toto statement around it), as referrers carry them. */
export const BARE_DOCUMENT_TYPES: Readonly<Record<string, string>> = {
  'application/spdx+json': SPDX,
  'application/vnd.cyclonedx+json': CYCLONEDX,
};

export const IN_TOTO_LAYER = 'application/vnd.in-toto+json';
export const PREDICATE_ANNOTATION = 'in-toto.io/predicate-type';
