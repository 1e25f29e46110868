// hub_scout's organization and CVE operations: policy summaries, one CVE's sources, the images a
// CVE affects, and whether Scout is enabled for an organization or repository.
import type { ScoutDeps } from './deps.js';
import { envelope, type Envelope } from '../http/envelope.js';
import { ToolError } from '../http/errors.js';
import { formatPlatform, type Platform } from '../registry/platform.js';
import type { ImageRef } from '../registry/reference.js';
import { resolveOrg, scoutRepository } from './image.js';
import { DEFAULT_MAX_ITEMS, scoutClient } from './image-ops.js';
import { CVE_SOURCES, IMAGES_AFFECTED_BY_CVE, ORGANIZATION_STATUS, POLICY_SUMMARIES, REPO_FEATURES } from './queries.js';

/** Scout's special stream: the most recently pushed and analysed tag of each repository. */
export const DEFAULT_STREAM = 'latest-indexed';

const CVE_ID = /^[A-Za-z][A-Za-z0-9]*-[A-Za-z0-9._:-]{2,80}$/;

export interface OrgArgs {
  org?: string;
  repo?: string;
}

/** The org an organization-level action runs in; without one there is nothing to ask. */
function requireOrg(app: ScoutDeps, action: string, args: OrgArgs): { org: string; ref?: ImageRef } {
  const ref = args.repo ? app.registry.parse(args.repo) : undefined;
  const org = resolveOrg(args.org, ref);
  if (!org)
    throw new ToolError(
      'invalid_argument',
      `hub_scout.${action} needs 'org' (a Docker organization), or a 'repo' in a Docker Hub namespace`,
    );
  return ref ? { org, ref } : { org };
}

function cveId(value: string): string {
  const id = value.trim();
  if (!CVE_ID.test(id))
    throw new ToolError(
      'invalid_argument',
      `'cve_id' '${id.slice(0, 80)}' is not a vulnerability id like CVE-2024-3094 or GHSA-xxxx-xxxx-xxxx`,
    );
  return /^cve-/i.test(id) ? id.toUpperCase() : id;
}

interface GqlPolicySummary {
  stream: string;
  totalImages: number;
  compliantImages: number;
  unknownImages: number;
  totalDeviations: number;
  policy: {
    definitionName: string;
    configurationName: string;
    displayName?: string | null;
    resultType: string;
    enabled: boolean;
    remediationLink?: string | null;
  };
}

export async function policies(app: ScoutDeps, args: OrgArgs & { stream?: string }, signal: AbortSignal): Promise<Envelope> {
  const { org, ref } = requireOrg(app, 'policies', args);
  const query: Record<string, unknown> = {};
  if (args.stream) query.stream = args.stream;
  if (ref) query.filter = { repos: [scoutRepository(ref)] };
  const res = await scoutClient(app).query<{ goalResultSummaries: { items: GqlPolicySummary[] } | null }>(
    POLICY_SUMMARIES,
    { organization: org },
    { query },
    signal,
  );
  const items = res.data.goalResultSummaries?.items ?? [];
  const policies = items.map((i) => ({
    name: i.policy.displayName ?? i.policy.configurationName,
    definition: i.policy.definitionName,
    type: i.policy.resultType,
    enabled: i.policy.enabled,
    stream: i.stream,
    images: i.totalImages,
    compliant: i.compliantImages,
    non_compliant: Math.max(0, i.totalImages - i.compliantImages - i.unknownImages),
    unknown: i.unknownImages,
    deviations: i.totalDeviations,
    ...(i.policy.remediationLink ? { remediation: i.policy.remediationLink } : {}),
  }));
  return envelope({ org, stream: args.stream ?? null, count: policies.length, policies }, res.rate_limit);
}

interface GqlCveSources {
  cveId: string;
  defaultSource: string;
  epss?: { score: number; percentile: number; priority: string } | null;
  sources: {
    source: string;
    sourceId: string;
    url?: string | null;
    description?: string | null;
    createdAt: string;
    updatedAt: string;
    withdrawnAt?: string | null;
    state?: string | null;
    cvss: { severity?: string | null; score?: number | null; vector?: string | null; version?: string | null };
    cwes: { cweId: string }[];
    packages: {
      name?: string | null;
      type: string;
      namespace?: string | null;
      versions: { vulnerableRange?: string | null; fixedBy?: string | null }[];
    }[];
    advisories: string[];
  }[];
}

export async function cve(app: ScoutDeps, args: { cve_id: string; org?: string }, signal: AbortSignal): Promise<Envelope> {
  const id = cveId(args.cve_id);
  const org = args.org?.trim() || undefined;
  const res = await scoutClient(app).query<{ cveSources: GqlCveSources | null }>(
    CVE_SOURCES,
    { organization: org },
    { query: { cveId: id } },
    signal,
  );
  const found = res.data.cveSources;
  if (!found)
    throw new ToolError(
      'not_found',
      `Scout knows no vulnerability '${id}'`,
      404,
      'Check the id; Scout indexes CVE and GHSA ids among others.',
    );
  const sources = found.sources.map((s) => ({
    source: s.source,
    id: s.sourceId,
    severity: s.cvss.severity ?? null,
    cvss: s.cvss.score ?? null,
    ...(s.cvss.vector ? { vector: s.cvss.vector } : {}),
    state: s.state ?? null,
    published: s.createdAt,
    updated: s.updatedAt,
    ...(s.withdrawnAt ? { withdrawn: s.withdrawnAt } : {}),
    url: s.url ?? null,
    cwes: s.cwes.map((c) => c.cweId),
    packages: s.packages.map((p) => ({ name: [p.namespace, p.name].filter(Boolean).join('/'), type: p.type, versions: p.versions })),
    ...(s.advisories.length > 0 ? { advisories: s.advisories } : {}),
    description: s.description ?? null,
  }));
  return envelope({ cve: found.cveId, default_source: found.defaultSource, epss: found.epss ?? null, sources }, res.rate_limit);
}

interface GqlAffected {
  paging: { totalCount?: number | null };
  packageCount: number;
  items: {
    affectedImage: {
      digest: string;
      createdAt: string;
      repository: { hostName: string; repoName: string };
      tags: { name: string; current: boolean }[];
      platform?: Platform | null;
    };
    affectedPackages: { name?: string | null; version: string; type: string; purl: string }[];
  }[];
}

export async function affectedImages(
  app: ScoutDeps,
  args: OrgArgs & { cve_id: string; stream?: string; max_items?: number; page?: number },
  signal: AbortSignal,
): Promise<Envelope> {
  const id = cveId(args.cve_id);
  const { org, ref } = requireOrg(app, 'affected_images', args);
  const page = args.page ?? 1;
  const pageSize = args.max_items ?? DEFAULT_MAX_ITEMS;
  const stream = args.stream ?? DEFAULT_STREAM;
  const query: Record<string, unknown> = { cveId: id, stream, paging: { page, pageSize } };
  if (ref) query.filter = { repoName: scoutRepository(ref).repoName };
  const res = await scoutClient(app).query<{ imagesAffectedByCVE: GqlAffected | null }>(
    IMAGES_AFFECTED_BY_CVE,
    { organization: org },
    { query },
    signal,
  );
  const found = res.data.imagesAffectedByCVE;
  const items = found?.items ?? [];
  const total = found?.paging.totalCount ?? null;
  const images = items.map(({ affectedImage: i, affectedPackages }) => ({
    repository: i.repository.hostName === 'hub.docker.com' ? i.repository.repoName : `${i.repository.hostName}/${i.repository.repoName}`,
    digest: i.digest,
    tags: i.tags.filter((t) => t.current).map((t) => t.name),
    platform: i.platform ? formatPlatform(i.platform) : null,
    created: i.createdAt,
    packages: affectedPackages.map((p) => `${p.name ?? p.purl}@${p.version}`),
  }));
  const out = envelope({ cve: id, org, stream, total, package_count: found?.packageCount ?? 0, images }, res.rate_limit);
  const more = total !== null ? total > (page - 1) * pageSize + items.length : items.length === pageSize;
  return more && items.length > 0 ? { ...out, truncated: true, next: { page: page + 1 } } : out;
}

export async function status(app: ScoutDeps, args: OrgArgs, signal: AbortSignal): Promise<Envelope> {
  const { org, ref } = requireOrg(app, 'status', args);
  const client = scoutClient(app);
  const repository = ref ? scoutRepository(ref) : undefined;
  const [orgStatus, features] = await Promise.all([
    client.query<{
      organizationStatus: {
        hasImageAnalysisEnabled: boolean;
        hasAnalyzedImages: boolean;
        hasEverAnalyzedImages: boolean;
        lastRepoEnablementChangeAt?: string | null;
      };
    }>(ORGANIZATION_STATUS, { organization: org }, {}, signal),
    repository
      ? client.query<{ repoFeatures: { vulnerabilityReporting?: { enabled: boolean } | null } }>(
          REPO_FEATURES,
          { organization: org },
          { repoName: repository.repoName, hostName: repository.hostName },
          signal,
        )
      : undefined,
  ]);
  const s = orgStatus.data.organizationStatus;
  const data: Record<string, unknown> = {
    org,
    scout_enabled: s.hasImageAnalysisEnabled,
    has_analyzed_images: s.hasAnalyzedImages,
    has_ever_analyzed_images: s.hasEverAnalyzedImages,
    last_repo_change: s.lastRepoEnablementChangeAt ?? null,
  };
  if (repository && features) {
    data.repository = {
      name: repository.repoName,
      host: repository.hostName,
      scout_enabled: features.data.repoFeatures.vulnerabilityReporting?.enabled ?? false,
    };
  }
  return envelope(data, orgStatus.rate_limit);
}
