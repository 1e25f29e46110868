// hub_scout compare: two images (tags or digests of one repository, or two references) resolved
// to platform images, their packages and vulnerabilities fetched in parallel, then diffed:
// vulnerabilities added / removed / unchanged, packages added / removed / changed in version.
import type { ScoutDeps } from './deps.js';
import { envelope, type Envelope } from '../http/envelope.js';
import { ToolError } from '../http/errors.js';
import { formatRef, isDigest } from '../registry/reference.js';
import { resolveOrg, resolvePlatformImage, type PlatformImage } from './image.js';
import { DEFAULT_MAX_ITEMS, packagesWithVulns } from './image-ops.js';
import { countBySeverity, diffPackages, diffVulns, vulnRows, type VulnRow } from './vulns.js';

export interface CompareArgs {
  repo?: string;
  base_ref: string;
  target_ref: string;
  org?: string;
  platform?: string;
  max_items?: number;
}

/** A tag or digest of `repo`, or an image reference of its own. */
function compareSide(app: ScoutDeps, repo: string | undefined, value: string, field: string): { repo: string; reference?: string } {
  const bare = isDigest(value) || !/[/:@]/.test(value);
  if (repo && bare) {
    const ref = app.registry.parse(repo);
    return { repo: formatRef({ registry: ref.registry, repository: ref.repository }), reference: value };
  }
  if (!repo && bare && isDigest(value))
    throw new ToolError('invalid_argument', `hub_scout.compare: '${field}' is a digest, so 'repo' is required`);
  return { repo: value };
}

const briefRow = (r: VulnRow): Record<string, unknown> => ({
  id: r.id,
  severity: r.severity,
  cvss: r.cvss,
  package: `${r.package}@${r.version}`,
  fixed_by: r.fixed_by,
});

export async function compare(app: ScoutDeps, args: CompareArgs, signal: AbortSignal): Promise<Envelope> {
  const base = compareSide(app, args.repo, args.base_ref, 'base_ref');
  const target = compareSide(app, args.repo, args.target_ref, 'target_ref');
  const [baseImage, targetImage] = await Promise.all([
    resolvePlatformImage(app, base.repo, base.reference, args.platform, signal),
    resolvePlatformImage(app, target.repo, target.reference, args.platform, signal),
  ]);
  const [b, t] = await Promise.all([
    packagesWithVulns(app, baseImage, resolveOrg(args.org, baseImage.ref), signal),
    packagesWithVulns(app, targetImage, resolveOrg(args.org, targetImage.ref), signal),
  ]);
  const basePackages = b.data.imagePackages.packages.map((p) => p.package);
  const targetPackages = t.data.imagePackages.packages.map((p) => p.package);
  const baseRows = vulnRows(basePackages);
  const targetRows = vulnRows(targetPackages);
  const vulns = diffVulns(baseRows, targetRows);
  const pkgs = diffPackages(basePackages, targetPackages);
  const max = args.max_items ?? DEFAULT_MAX_ITEMS;
  let truncated = false;
  const cut = <T>(list: T[]): T[] => {
    if (list.length > max) truncated = true;
    return list.slice(0, max);
  };
  const side = (image: PlatformImage, rows: VulnRow[]): Record<string, unknown> => ({
    image: image.name,
    digest: image.imageDigest,
    ...(image.platform ? { platform: image.platform } : {}),
    counts: countBySeverity(rows),
  });
  const data = {
    base: side(baseImage, baseRows),
    target: side(targetImage, targetRows),
    vulnerabilities: {
      added_count: vulns.added.length,
      removed_count: vulns.removed.length,
      unchanged: vulns.unchanged,
      added: cut(vulns.added).map(briefRow),
      removed: cut(vulns.removed).map(briefRow),
    },
    packages: {
      added_count: pkgs.added.length,
      removed_count: pkgs.removed.length,
      changed_count: pkgs.changed.length,
      unchanged: pkgs.unchanged,
      added: cut(pkgs.added),
      removed: cut(pkgs.removed),
      changed: cut(pkgs.changed),
    },
  };
  const out = envelope(data, t.rate_limit);
  return truncated ? { ...out, truncated: true } : out;
}
