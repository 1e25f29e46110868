// The SBOM Scout holds for an image, as a compact package list or rendered as minimal CycloneDX
// 1.5 / SPDX 2.3 JSON documents (components with name, version, purl, licenses).
import type { GqlImagePackages } from './vulns.js';

export type SbomFormat = 'list' | 'cyclonedx' | 'spdx';

export interface SbomPackage {
  name: string;
  version: string;
  type: string;
  purl: string;
  licenses: string[];
  /** Ordinal of the first layer the package was found in. */
  layer: number | null;
}

export function sbomPackages(data: GqlImagePackages): SbomPackage[] {
  const ordinals = new Map((data.imageLayers?.layers ?? []).map((l) => [l.diffId, l.ordinal]));
  const out = data.imagePackages.packages.map(({ package: p, locations }) => {
    const layers = (locations ?? []).map((l) => ordinals.get(l.diffId)).filter((o): o is number => o !== undefined);
    return {
      name: p.name ?? p.purl,
      version: p.version,
      type: p.type,
      purl: p.purl,
      licenses: p.licenses ?? [],
      layer: layers.length > 0 ? Math.min(...layers) : null,
    };
  });
  return out.sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

export function cyclonedx(image: string, digest: string, packages: readonly SbomPackage[]): Record<string, unknown> {
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    version: 1,
    metadata: { component: { type: 'container', name: image, version: digest } },
    components: packages.map((p) => ({
      type: 'library',
      name: p.name,
      version: p.version,
      purl: p.purl,
      ...(p.licenses.length > 0 ? { licenses: p.licenses.map((l) => ({ expression: l })) } : {}),
    })),
  };
}

export function spdx(image: string, digest: string, packages: readonly SbomPackage[], created: Date = new Date()): Record<string, unknown> {
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: image,
    documentNamespace: `https://scout.docker.com/spdx/${digest}`,
    creationInfo: { created: created.toISOString(), creators: ['Tool: dockerhub-mcp (Docker Scout data)'] },
    packages: packages.map((p, i) => ({
      SPDXID: `SPDXRef-Package-${i + 1}`,
      name: p.name,
      versionInfo: p.version,
      downloadLocation: 'NOASSERTION',
      licenseDeclared:
        p.licenses.length === 0 ? 'NOASSERTION' : p.licenses.length === 1 ? p.licenses[0] : p.licenses.map((l) => `(${l})`).join(' AND '),
      externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: p.purl }],
    })),
  };
}
