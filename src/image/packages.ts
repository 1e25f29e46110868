// Installed OS packages of an image and the layer that installed each. The package databases are
// captured while layers are indexed (so they are cached with the index); here each database file
// is replayed layer by layer, base first (written, deleted by a whiteout, or left alone), and a
// package is credited to the lowest layer from which it stays at its final version.
import type { LayerIndex } from './layer-index.js';
import { MAX_METADATA_BYTES } from './layer-index.js';
import { lowerBound } from './file-table.js';
import type { MergedView } from './merged.js';
import { parseApkInstalled, parseDpkgStatus, parseOsRelease, type OsPackage } from './package-db.js';

export type PackageType = 'deb' | 'apk' | 'npm' | 'pypi';

export interface InstalledPackage extends OsPackage {
  type: PackageType;
  /** The layer (0 = base) that installed this version. */
  layer: number;
  /** Language packages: where the manifest is. */
  path?: string;
}

export interface PackageReport {
  os: Record<string, string> | null;
  package_managers: string[];
  packages: InstalledPackage[];
  notes: string[];
}

const DPKG = 'var/lib/dpkg/status';
const DPKG_D = 'var/lib/dpkg/status.d/';
const APK = 'lib/apk/db/installed';
const RPM_PATHS = ['var/lib/rpm/Packages', 'var/lib/rpm/Packages.db', 'var/lib/rpm/rpmdb.sqlite', 'usr/lib/sysimage/rpm/rpmdb.sqlite'];

function deletedIn(index: LayerIndex, path: string): boolean {
  if (index.table.whitedOut(path)) return true;
  const parts = path.split('/');
  for (let i = 1; i < parts.length; i++) {
    const dir = parts.slice(0, i).join('/');
    if (index.table.whitedOut(dir) || index.table.opaque(dir)) return true;
  }
  return false;
}

function parserFor(path: string): ((text: string) => OsPackage[]) | undefined {
  if (path === DPKG || path.startsWith(DPKG_D)) return parseDpkgStatus;
  if (path === APK) return parseApkInstalled;
  return undefined;
}

export function installedPackages(indexes: readonly LayerIndex[], view: MergedView): PackageReport {
  const notes: string[] = [];
  const paths = new Set<string>();
  for (const index of indexes) for (const path of index.metadata.keys()) if (parserFor(path)) paths.add(path);
  // The databases' own paths only (a binary search each), not a walk over every file.
  const databases = [DPKG, APK].map((path) => view.find(path));
  for (let i = lowerBound(view, Buffer.from(DPKG_D, 'utf8')); i < view.count && view.path(i).startsWith(DPKG_D); i++) databases.push(i);
  for (const i of databases) {
    if (i === -1) continue;
    const entry = view.entry(i);
    if (parserFor(entry.path) && entry.type === 'file' && entry.size > MAX_METADATA_BYTES)
      notes.push(`/${entry.path} is ${entry.size} bytes, more than the ${MAX_METADATA_BYTES} read; its packages are not listed`);
  }

  // key → the package's current version and the layer it has been at that version since.
  const current = new Map<string, InstalledPackage>();
  const byPath = new Map<string, string[]>();
  indexes.forEach((index, layer) => {
    for (const path of paths) {
      const bytes = index.metadata.get(path);
      const type: 'deb' | 'apk' = path === APK ? 'apk' : 'deb';
      let next: OsPackage[] | undefined;
      if (bytes) next = parserFor(path)!(bytes.toString('utf8'));
      else if (index.table.lookup(path) !== -1 || deletedIn(index, path)) next = []; // replaced by a non-file, or deleted
      if (!next) continue;
      for (const key of byPath.get(path) ?? []) {
        const still = next.find((p) => `${type}:${p.name}:${p.architecture ?? ''}` === key);
        if (!still) current.delete(key);
      }
      const keys: string[] = [];
      for (const pkg of next) {
        const key = `${type}:${pkg.name}:${pkg.architecture ?? ''}`;
        keys.push(key);
        const before = current.get(key);
        if (before && before.version === pkg.version) continue;
        current.set(key, { ...pkg, type, layer });
      }
      byPath.set(path, keys);
    }
  });

  const visible = (path: string): boolean => view.get(path)?.type === 'file';
  const managers: string[] = [];
  if (visible(DPKG) || view.hasPrefix(DPKG_D)) managers.push('dpkg');
  if (visible(APK)) managers.push('apk');
  const rpm = RPM_PATHS.find(visible);
  if (rpm) {
    managers.push('rpm');
    notes.push(`rpm database found at /${rpm}; it is not read (no maintained pure-JavaScript reader), so rpm packages are not listed`);
  }
  const packages = [...current.values()].sort((a, b) => a.name.localeCompare(b.name) || a.type.localeCompare(b.type));
  return { os: osRelease(indexes, view), package_managers: managers, packages, notes };
}

/** /etc/os-release, or /usr/lib/os-release (where /etc/os-release is often a symlink to it). */
function osRelease(indexes: readonly LayerIndex[], view: MergedView): Record<string, string> | null {
  for (const path of ['etc/os-release', 'usr/lib/os-release']) {
    const entry = view.get(path);
    if (entry?.type !== 'file') continue;
    const bytes = indexes[entry.layer]?.metadata.get(path);
    if (bytes) return parseOsRelease(bytes.toString('utf8'));
  }
  return null;
}

/** npm and Python packages visible in the merged filesystem, each from the layer that wrote its manifest. */
export function languagePackages(indexes: readonly LayerIndex[], view: MergedView): InstalledPackage[] {
  const out: InstalledPackage[] = [];
  indexes.forEach((index, layer) => {
    for (const pkg of index.language) {
      if (view.get(pkg.path)?.layer !== layer) continue; // shadowed or deleted by an upper layer
      out.push({ name: pkg.name, version: pkg.version, type: pkg.ecosystem, layer, path: `/${pkg.path}` });
    }
  });
  return out.sort((a, b) => a.name.localeCompare(b.name) || (a.path ?? '').localeCompare(b.path ?? ''));
}
