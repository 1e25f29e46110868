// Language packages recorded while a layer is indexed: npm packages (`node_modules/<name>/
// package.json`, scoped ones included) and Python distributions (`*.dist-info/METADATA`). Only the
// name and version are kept, so a node_modules tree of thousands of packages costs the cache a few
// bytes each. Manifests are upstream text: size-capped, depth-checked, fields picked by type.
import { jsonTextDepth, UPSTREAM_JSON_BOUNDS } from '../util/json-bounds.js';

export type Ecosystem = 'npm' | 'pypi';

export interface LanguagePackage {
  ecosystem: Ecosystem;
  name: string;
  version: string;
  /** The manifest's path in the image (no leading `/`). */
  path: string;
}

/** Manifests larger than this are not read (a real package.json or METADATA is far smaller). */
export const MAX_MANIFEST_BYTES = 256 * 1024;

const NPM = /(^|\/)node_modules\/(@[^/]+\/)?[^/@.][^/]*\/package\.json$/;
const PYPI = /\.dist-info\/METADATA$/;

export function languageEcosystem(path: string): Ecosystem | undefined {
  if (NPM.test(path)) return 'npm';
  if (PYPI.test(path)) return 'pypi';
  return undefined;
}

function npmPackage(text: string, path: string): LanguagePackage | undefined {
  if (jsonTextDepth(text) > UPSTREAM_JSON_BOUNDS.maxDepth) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  const { name, version } = value as { name?: unknown; version?: unknown };
  if (typeof name !== 'string' || typeof version !== 'string') return undefined;
  return { ecosystem: 'npm', name: name.slice(0, 214), version: version.slice(0, 100), path };
}

/** METADATA is RFC 822-style headers, then a blank line and the description. */
function pypiPackage(text: string, path: string): LanguagePackage | undefined {
  let name: string | undefined;
  let version: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line === '') break;
    if (line.startsWith('Name:')) name ??= line.slice(5).trim();
    else if (line.startsWith('Version:')) version ??= line.slice(8).trim();
  }
  if (!name || !version) return undefined;
  return { ecosystem: 'pypi', name: name.slice(0, 200), version: version.slice(0, 100), path };
}

export function parseLanguageManifest(ecosystem: Ecosystem, bytes: Buffer, path: string): LanguagePackage | undefined {
  const text = bytes.toString('utf8');
  return ecosystem === 'npm' ? npmPackage(text, path) : pypiPackage(text, path);
}
