// What an SBOM says at a glance: format, document name, the tool that generated it and how many
// packages it lists. SPDX (syft, as BuildKit runs it) and CycloneDX; fields a document lacks are
// named in `missing` rather than guessed.
import { at, list, obj, str } from './json-fields.js';
import { SPDX } from './predicate-types.js';

export interface SbomSummary {
  format: 'SPDX' | 'CycloneDX';
  version?: string;
  name?: string;
  namespace?: string;
  created?: string;
  /** The tools named as the document's creators (e.g. `syft-v0.105.0`). */
  generators: string[];
  package_count: number;
  file_count?: number;
  relationship_count?: number;
  /** Fields a summary relies on that the document does not have. */
  missing?: string[];
}

function spdx(predicate: Record<string, unknown>): SbomSummary {
  const missing: string[] = [];
  const packages = list(predicate.packages);
  if (!packages) missing.push('packages');
  const creators = list(at(predicate, 'creationInfo', 'creators'));
  if (!creators) missing.push('creationInfo.creators');
  const out: SbomSummary = {
    format: 'SPDX',
    generators: (creators ?? [])
      .filter((c): c is string => typeof c === 'string' && c.startsWith('Tool:'))
      .map((c) => c.slice('Tool:'.length).trim()),
    package_count: packages?.length ?? 0,
  };
  const version = str(predicate.spdxVersion);
  const name = str(predicate.name);
  const namespace = str(predicate.documentNamespace);
  const created = str(at(predicate, 'creationInfo', 'created'));
  if (version) out.version = version;
  if (name) out.name = name;
  if (namespace) out.namespace = namespace;
  if (created) out.created = created;
  const files = list(predicate.files);
  if (files) out.file_count = files.length;
  const relationships = list(predicate.relationships);
  if (relationships) out.relationship_count = relationships.length;
  if (missing.length > 0) out.missing = missing;
  return out;
}

/** CycloneDX components nest (a package inside an image inside …): every level counts. */
function countComponents(value: unknown, depth = 0): number {
  const items = list(value);
  if (!items || depth > 32) return 0;
  return items.reduce<number>((sum, item) => sum + 1 + countComponents(obj(item)?.components, depth + 1), 0);
}

function toolNames(tools: unknown): string[] {
  // 1.4 and earlier: a list of {vendor, name, version}; 1.5+: {components: [...], services: [...]}.
  const items = list(tools) ?? list(obj(tools)?.components) ?? [];
  return items
    .map((item) => {
      const o = obj(item);
      const name = str(o?.name);
      const version = str(o?.version);
      return name ? (version ? `${name}-${version}` : name) : undefined;
    })
    .filter((t): t is string => t !== undefined);
}

function cyclonedx(predicate: Record<string, unknown>): SbomSummary {
  const missing: string[] = [];
  const components = list(predicate.components);
  if (!components) missing.push('components');
  const out: SbomSummary = {
    format: 'CycloneDX',
    generators: toolNames(at(predicate, 'metadata', 'tools')),
    package_count: countComponents(components),
  };
  const version = str(predicate.specVersion);
  const name = str(at(predicate, 'metadata', 'component', 'name'));
  const serial = str(predicate.serialNumber);
  const created = str(at(predicate, 'metadata', 'timestamp'));
  if (version) out.version = version;
  if (name) out.name = name;
  if (serial) out.namespace = serial;
  if (created) out.created = created;
  const dependencies = list(predicate.dependencies);
  if (dependencies) out.relationship_count = dependencies.length;
  if (missing.length > 0) out.missing = missing;
  return out;
}

export function summariseSbom(predicateType: string, predicate: Record<string, unknown>): SbomSummary {
  return predicateType === SPDX ? spdx(predicate) : cyclonedx(predicate);
}
