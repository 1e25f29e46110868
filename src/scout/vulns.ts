// Vulnerability and package data from Scout's answers, shaped for a model: one row per
// (vulnerability, package), filtered, sorted by severity then CVSS score, counted, and compared.
import { ToolError } from '../http/errors.js';

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'unspecified'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface GqlVulnerability {
  sourceId: string;
  source?: string;
  url?: string;
  fixedBy?: string | null;
  cisaExploited?: boolean;
  isExcepted?: boolean;
  cvss?: { severity?: string | null; score?: number | null } | null;
  epss?: { score: number; percentile: number } | null;
  vexStatements?: { status?: string | null }[];
}

export interface GqlPackage {
  name?: string | null;
  version: string;
  type: string;
  purl: string;
  licenses?: string[];
  vulnerabilities?: GqlVulnerability[];
}

export interface GqlImagePackages {
  digest: string;
  sbomState: string;
  imagePackages: { packages: { package: GqlPackage; locations?: { path: string; diffId: string }[] }[] };
  imageLayers?: { layers: { diffId: string; ordinal: number }[] };
}

export interface VulnRow {
  id: string;
  severity: Severity;
  cvss: number | null;
  package: string;
  version: string;
  type: string;
  fixed_by: string | null;
  epss?: number;
  epss_percentile?: number;
  kev?: true;
  excepted?: true;
  vex?: string;
  url?: string;
}

export type Counts = Record<Severity | 'total', number>;

const RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3, unspecified: 4 };

export function severityOf(value: string | null | undefined): Severity {
  const lower = (value ?? '').toLowerCase();
  return (SEVERITIES as readonly string[]).includes(lower) ? (lower as Severity) : 'unspecified';
}

/** `critical,high` → the set; unknown names are an error naming the valid ones. */
export function parseSeverities(value: string | undefined): Set<Severity> | undefined {
  if (!value) return undefined;
  const wanted = value
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const bad = wanted.filter((s) => !(SEVERITIES as readonly string[]).includes(s));
  if (bad.length > 0)
    throw new ToolError(
      'invalid_argument',
      `'severity' has unknown value(s) ${bad.join(', ')}; valid: ${SEVERITIES.join(', ')} (comma-separated)`,
    );
  return wanted.length > 0 ? new Set(wanted as Severity[]) : undefined;
}

const fixed = (value: string | null | undefined): string | null => (value && value !== 'not fixed' ? value : null);

/** One row per (vulnerability id, package), deduplicated. */
export function vulnRows(packages: readonly GqlPackage[]): VulnRow[] {
  const rows = new Map<string, VulnRow>();
  for (const pkg of packages) {
    const name = pkg.name ?? pkg.purl;
    for (const v of pkg.vulnerabilities ?? []) {
      const key = `${v.sourceId}\n${pkg.purl}`;
      if (rows.has(key)) continue;
      const row: VulnRow = {
        id: v.sourceId,
        severity: severityOf(v.cvss?.severity),
        cvss: typeof v.cvss?.score === 'number' ? v.cvss.score : null,
        package: name,
        version: pkg.version,
        type: pkg.type,
        fixed_by: fixed(v.fixedBy),
      };
      if (v.epss) {
        row.epss = v.epss.score;
        row.epss_percentile = v.epss.percentile;
      }
      if (v.cisaExploited) row.kev = true;
      if (v.isExcepted) row.excepted = true;
      const vex = v.vexStatements?.map((s) => s.status).find((s): s is string => typeof s === 'string' && s.length > 0);
      if (vex) row.vex = vex;
      if (v.url) row.url = v.url;
      rows.set(key, row);
    }
  }
  return [...rows.values()];
}

export function sortRows<T extends Pick<VulnRow, 'severity' | 'cvss' | 'id' | 'package'>>(rows: T[]): T[] {
  return rows.sort(
    (a, b) =>
      RANK[a.severity] - RANK[b.severity] ||
      (b.cvss ?? -1) - (a.cvss ?? -1) ||
      a.id.localeCompare(b.id) ||
      a.package.localeCompare(b.package),
  );
}

/** Counts by severity; a vulnerability id found in several packages counts once (at its worst). */
export function countBySeverity(rows: readonly Pick<VulnRow, 'id' | 'severity'>[]): Counts {
  const worst = new Map<string, Severity>();
  for (const row of rows) {
    const seen = worst.get(row.id);
    if (!seen || RANK[row.severity] < RANK[seen]) worst.set(row.id, row.severity);
  }
  const counts: Counts = { critical: 0, high: 0, medium: 0, low: 0, unspecified: 0, total: worst.size };
  for (const severity of worst.values()) counts[severity]++;
  return counts;
}

export interface RowFilter {
  severities?: Set<Severity>;
  fixableOnly?: boolean;
  packageName?: string;
}

export function filterRows(rows: readonly VulnRow[], filter: RowFilter): VulnRow[] {
  const needle = filter.packageName?.toLowerCase();
  return rows.filter(
    (row) =>
      (!filter.severities || filter.severities.has(row.severity)) &&
      (!filter.fixableOnly || row.fixed_by !== null) &&
      (!needle || row.package.toLowerCase().includes(needle)),
  );
}

/** One page of a list: items, and whether more follow. */
export function pageOf<T>(items: readonly T[], page: number, size: number): { items: T[]; more: boolean } {
  const start = (page - 1) * size;
  return { items: items.slice(start, start + size), more: items.length > start + size };
}

export interface PackageChange {
  name: string;
  type: string;
  from?: string;
  to?: string;
  version?: string;
}

const pkgKey = (p: Pick<GqlPackage, 'name' | 'type' | 'purl'>): string => `${p.type}\n${p.name ?? p.purl.replace(/@.*$/, '')}`;

/** Packages added, removed and changed in version between two images (by type and name). */
export function diffPackages(
  base: readonly GqlPackage[],
  target: readonly GqlPackage[],
): { added: PackageChange[]; removed: PackageChange[]; changed: PackageChange[]; unchanged: number } {
  const before = new Map(base.map((p) => [pkgKey(p), p]));
  const after = new Map(target.map((p) => [pkgKey(p), p]));
  const out = { added: [] as PackageChange[], removed: [] as PackageChange[], changed: [] as PackageChange[], unchanged: 0 };
  for (const [key, p] of after) {
    const old = before.get(key);
    const name = p.name ?? p.purl;
    if (!old) out.added.push({ name, type: p.type, version: p.version });
    else if (old.version !== p.version) out.changed.push({ name, type: p.type, from: old.version, to: p.version });
    else out.unchanged++;
  }
  for (const [key, p] of before) if (!after.has(key)) out.removed.push({ name: p.name ?? p.purl, type: p.type, version: p.version });
  const byName = (a: PackageChange, b: PackageChange): number => a.name.localeCompare(b.name) || a.type.localeCompare(b.type);
  out.added.sort(byName);
  out.removed.sort(byName);
  out.changed.sort(byName);
  return out;
}

/** Vulnerabilities added, removed and unchanged, keyed by (id, package name). */
export function diffVulns(
  base: readonly VulnRow[],
  target: readonly VulnRow[],
): { added: VulnRow[]; removed: VulnRow[]; unchanged: number } {
  const key = (r: VulnRow): string => `${r.id}\n${r.type}\n${r.package}`;
  const before = new Set(base.map(key));
  const after = new Set(target.map(key));
  return {
    added: sortRows(target.filter((r) => !before.has(key(r)))),
    removed: sortRows(base.filter((r) => !after.has(key(r)))),
    unchanged: target.filter((r) => before.has(key(r))).length,
  };
}
