// hub_scout's per-image operations: summary, vulnerabilities, SBOM, base-image recommendations
// and policy evaluation. Each resolves the image (tag → digest by HEAD, platform child of an
// index), runs its named queries, and shapes the answer; an image Scout never analysed is an
// explicit error, never "0 vulnerabilities".
import type { ScoutDeps } from './deps.js';
import { envelope, type Envelope } from '../http/envelope.js';
import { ToolError } from '../http/errors.js';
import { formatPlatform, platformMatches, type Platform } from '../registry/platform.js';
import { ScoutClient } from './client.js';
import { notIndexed, notIndexedHint } from './errors.js';
import { platformArg, resolveImage, resolveOrg, resolvePlatformImage, type PlatformImage } from './image.js';
import { IMAGE_DETAILS_LIST, IMAGE_PACKAGES, IMAGE_VULNERABILITIES, POLICY_RESULTS, TAG_RECOMMENDATIONS } from './queries.js';
import { cyclonedx, sbomPackages, spdx, type SbomFormat } from './sbom.js';
import { countBySeverity, filterRows, pageOf, parseSeverities, sortRows, vulnRows, type GqlImagePackages } from './vulns.js';

export const DEFAULT_MAX_ITEMS = 100;
/** Deviations shown per policy. */
const DEVIATIONS_SHOWN = 20;

export function scoutClient(app: ScoutDeps): ScoutClient {
  return new ScoutClient(app.scout, app.hubAuth.kind);
}

export interface ImageArgs {
  repo: string;
  reference?: string;
  org?: string;
  platform?: string;
}

type Counts = { critical: number; high: number; medium: number; low: number; unspecified: number; total: number };

interface GqlImageDetails {
  digest: string;
  mediaType?: string | null;
  createdAt: string;
  sbomState: string;
  packageCount?: number | null;
  layerCount?: number | null;
  compressedSize?: number | null;
  platform?: Platform | null;
  tags: { name: string; current: boolean }[];
  vulnerabilityReport?: Counts | null;
  baseImage?: { digest: string; repository: { hostName: string; repoName: string } } | null;
  baseImageTag?: { name: string } | null;
}

const repoLabel = (r: { hostName: string; repoName: string }): string =>
  r.hostName === 'hub.docker.com' ? r.repoName : `${r.hostName}/${r.repoName}`;

/** Where the image came from, for results: index digest and platform when picked from an index. */
function origin(image: PlatformImage, org: string | undefined): Record<string, unknown> {
  return {
    image: image.name,
    digest: image.imageDigest,
    ...(image.indexDigest ? { index_digest: image.indexDigest, platform: image.platform } : {}),
    org: org ?? null,
  };
}

function paged(out: Envelope, more: boolean, page: number): Envelope {
  return more ? { ...out, truncated: true, next: { page: page + 1 } } : out;
}

export async function packagesWithVulns(
  app: ScoutDeps,
  image: PlatformImage,
  org: string | undefined,
  signal: AbortSignal,
): Promise<{ data: GqlImagePackages; rate_limit: Envelope['rate_limit'] }> {
  const res = await scoutClient(app).query<{ imagePackagesByDigest: GqlImagePackages | null }>(
    IMAGE_VULNERABILITIES,
    { organization: org },
    { digest: image.imageDigest },
    signal,
  );
  const data = res.data.imagePackagesByDigest;
  if (!data || data.sbomState !== 'INDEXED')
    throw notIndexed(`${image.name}${image.platform ? ` (${image.platform})` : ''}`, data?.sbomState, org);
  return { data, rate_limit: res.rate_limit };
}

export async function summary(app: ScoutDeps, args: ImageArgs, signal: AbortSignal): Promise<Envelope> {
  const wanted = platformArg(args.platform);
  const image = await resolveImage(app, args.repo, args.reference, signal);
  const org = resolveOrg(args.org, image.ref);
  const res = await scoutClient(app).query<{ imageDetailsListByDigest: GqlImageDetails[] }>(
    IMAGE_DETAILS_LIST,
    { organization: org },
    { digest: image.digest },
    signal,
  );
  const all = res.data.imageDetailsListByDigest ?? [];
  if (all.length === 0) throw notIndexed(image.name, null, org);
  const entries = wanted ? all.filter((e) => platformMatches(e.platform ?? undefined, wanted)) : all;
  if (entries.length === 0) {
    throw new ToolError(
      'not_found',
      `Scout has no ${formatPlatform(wanted)} image for ${image.name}; platforms: ${all.map((e) => formatPlatform(e.platform ?? undefined)).join(', ')}`,
      404,
    );
  }
  const platforms = entries.map((e) => {
    const analysed = e.sbomState === 'INDEXED' && e.vulnerabilityReport != null;
    return {
      platform: formatPlatform(e.platform ?? undefined),
      digest: e.digest,
      sbom_state: e.sbomState,
      vulnerabilities: analysed ? e.vulnerabilityReport : null,
      ...(analysed ? {} : { note: `not analysed: vulnerability counts unknown. ${notIndexedHint(org)}` }),
      base_image: e.baseImage ? repoLabel(e.baseImage.repository) : null,
      base_tag: e.baseImageTag?.name ?? null,
      packages: e.packageCount ?? null,
      layers: e.layerCount ?? null,
      size: e.compressedSize ?? null,
      created: e.createdAt,
      tags: e.tags.filter((t) => t.current).map((t) => t.name),
    };
  });
  return envelope({ image: image.name, digest: image.digest, org: org ?? null, platforms }, res.rate_limit);
}

export interface CvesArgs extends ImageArgs {
  severity?: string;
  fixable_only?: boolean;
  package?: string;
  max_items?: number;
  page?: number;
}

export async function cves(app: ScoutDeps, args: CvesArgs, signal: AbortSignal): Promise<Envelope> {
  const severities = parseSeverities(args.severity);
  const image = await resolvePlatformImage(app, args.repo, args.reference, args.platform, signal);
  const org = resolveOrg(args.org, image.ref);
  const { data, rate_limit } = await packagesWithVulns(app, image, org, signal);
  const all = vulnRows(data.imagePackages.packages.map((p) => p.package));
  const matched = sortRows(filterRows(all, { severities, fixableOnly: args.fixable_only, packageName: args.package }));
  const page = args.page ?? 1;
  const { items, more } = pageOf(matched, page, args.max_items ?? DEFAULT_MAX_ITEMS);
  const counts = countBySeverity(all);
  const fixable = countBySeverity(all.filter((r) => r.fixed_by !== null)).total;
  return paged(
    envelope({ ...origin(image, org), counts, fixable, matched: matched.length, vulnerabilities: items }, rate_limit),
    more,
    page,
  );
}

export interface SbomArgs extends ImageArgs {
  sbom_format?: SbomFormat;
  max_items?: number;
  page?: number;
}

export async function sbom(app: ScoutDeps, args: SbomArgs, signal: AbortSignal): Promise<Envelope> {
  const image = await resolvePlatformImage(app, args.repo, args.reference, args.platform, signal);
  const org = resolveOrg(args.org, image.ref);
  const res = await scoutClient(app).query<{ imagePackagesByDigest: GqlImagePackages | null }>(
    IMAGE_PACKAGES,
    { organization: org },
    { digest: image.imageDigest },
    signal,
  );
  const data = res.data.imagePackagesByDigest;
  if (!data || data.sbomState !== 'INDEXED') throw notIndexed(image.name, data?.sbomState, org);
  const all = sbomPackages(data);
  const page = args.page ?? 1;
  const { items, more } = pageOf(all, page, args.max_items ?? DEFAULT_MAX_ITEMS);
  const format = args.sbom_format ?? 'list';
  const document =
    format === 'cyclonedx'
      ? cyclonedx(image.name, image.imageDigest, items)
      : format === 'spdx'
        ? spdx(image.name, image.imageDigest, items)
        : undefined;
  const body = document
    ? { ...origin(image, org), format, count: all.length, sbom: document }
    : { ...origin(image, org), count: all.length, packages: items };
  return paged(envelope(body, res.rate_limit), more, page);
}

interface GqlTag {
  tag: { name: string };
  tags: string[];
  createdAt: string;
  packageCount: number;
  imageSize: number;
  vulnerabilityReport?: Counts | null;
  scoring?: { total: number; summary: string } | null;
}

const tagRow = (t: GqlTag): Record<string, unknown> => ({
  tag: t.tag.name,
  also: t.tags.filter((name) => name !== t.tag.name).slice(0, 5),
  created: t.createdAt,
  packages: t.packageCount,
  size: t.imageSize,
  vulnerabilities: t.vulnerabilityReport ?? null,
  ...(t.scoring ? { score: t.scoring.total, why: t.scoring.summary } : {}),
});

export async function recommendations(app: ScoutDeps, args: ImageArgs, signal: AbortSignal): Promise<Envelope> {
  const image = await resolvePlatformImage(app, args.repo, args.reference, args.platform, signal);
  const org = resolveOrg(args.org, image.ref);
  const client = scoutClient(app);
  const details = await client.query<{ imageDetailsListByDigest: GqlImageDetails[] }>(
    IMAGE_DETAILS_LIST,
    { organization: org },
    { digest: image.imageDigest },
    signal,
  );
  const entry =
    details.data.imageDetailsListByDigest?.find((e) => e.digest === image.imageDigest) ?? details.data.imageDetailsListByDigest?.[0];
  if (!entry) throw notIndexed(image.name, null, org);
  // Advice is about the base image when Scout knows it, else about the image's own tags.
  const base = entry.baseImage ?? undefined;
  const variables: Record<string, unknown> = { digest: base?.digest ?? image.imageDigest };
  if (base) variables.repository = base.repository.repoName;
  const res = await client.query<{
    tagRecommendationsByDigest: {
      repository: { name: string };
      recommendations: { currentTag: GqlTag; recommendedTags: GqlTag[] }[];
    } | null;
  }>(TAG_RECOMMENDATIONS, { organization: org }, variables, signal);
  const found = res.data.tagRecommendationsByDigest;
  const data: Record<string, unknown> = {
    ...origin(image, org),
    base_image: base ? repoLabel(base.repository) : null,
    base_tag: entry.baseImageTag?.name ?? null,
    advice_for: base ? 'base image' : 'image',
    repository: found?.repository.name ?? null,
    recommendations: (found?.recommendations ?? []).map((r) => ({
      current: tagRow(r.currentTag),
      recommended: r.recommendedTags.map(tagRow),
    })),
  };
  if (!found || found.recommendations.length === 0) {
    data.note = base
      ? 'Scout has no tag recommendations for this base image (only Docker Official Images get them).'
      : 'Scout knows no base image for this image and has no recommendations for its own tags.';
  }
  return envelope(data, res.rate_limit);
}

interface GqlPolicy {
  definitionName: string;
  configurationName: string;
  displayName?: string | null;
  evaluated: boolean;
  currentResult?: {
    statusLabel: string;
    deviationCount?: number;
    hasDeviation?: boolean;
    isStale?: boolean | null;
    deviations?: Record<string, unknown>[];
  } | null;
}

export async function policyEvaluation(app: ScoutDeps, args: ImageArgs, signal: AbortSignal): Promise<Envelope> {
  const image = await resolvePlatformImage(app, args.repo, args.reference, args.platform, signal);
  const org = resolveOrg(args.org, image.ref);
  const res = await scoutClient(app).query<{ goalResultsByDigest: { digest: string; policies: GqlPolicy[] } | null }>(
    POLICY_RESULTS,
    { organization: org },
    { query: { digest: image.imageDigest } },
    signal,
  );
  const found = res.data.goalResultsByDigest;
  if (!found) {
    throw new ToolError(
      'not_found',
      `Scout has no policy results for ${image.name}${org ? ` in org '${org}'` : ''}`,
      404,
      org
        ? 'Policies are evaluated for images in repositories with Scout enabled; check action status.'
        : 'Policy results exist only within an organization: pass org.',
    );
  }
  let truncated = false;
  const policies = found.policies.map((p) => {
    const r = p.currentResult;
    const deviations = r ? (r.deviationCount ?? (r.hasDeviation ? 1 : 0)) : null;
    const details = r?.deviations ?? [];
    if (details.length > DEVIATIONS_SHOWN) truncated = true;
    return {
      name: p.displayName ?? p.configurationName,
      definition: p.definitionName,
      evaluated: p.evaluated,
      status: r?.statusLabel ?? null,
      compliant: r && p.evaluated ? deviations === 0 : null,
      deviations,
      ...(r?.isStale ? { stale: true } : {}),
      ...(details.length > 0 ? { details: details.slice(0, DEVIATIONS_SHOWN) } : {}),
    };
  });
  const data = {
    ...origin(image, org),
    compliant: policies.filter((p) => p.compliant === true).length,
    non_compliant: policies.filter((p) => p.compliant === false).length,
    unknown: policies.filter((p) => p.compliant === null).length,
    policies,
  };
  const out = envelope(data, res.rate_limit);
  return truncated ? { ...out, truncated: true } : out;
}
