// hub_scout against msw: every action over Scout's GraphQL API (handlers by operation name), image
// addressing (tag → digest by HEAD, platform child of an index), caps and paging.
import { HttpResponse } from 'msw';
import { beforeEach, describe, expect, it } from 'vitest';
import { describeTool } from '../../../src/tools/framework.js';
import { createHubScoutTool } from '../../../src/tools/hub-scout.js';
import { hintsOf } from '../../helpers/hints.js';
import { useMsw } from '../../helpers/unit/msw.js';
import {
  AMD64,
  ARM64,
  BASE,
  baseHandlers,
  callScout,
  dataOf,
  errorOf,
  imageDetails,
  INDEX,
  NGINX_PACKAGES,
  newCounters,
  OCI_INDEX,
  OCI_MANIFEST,
  OTHER,
  packagesAnswer,
  scout,
  scoutApp,
  type Counters,
} from '../../helpers/unit/scout-fixtures.js';

const msw = useMsw();
let counters: Counters;

const TAGS = {
  'library/nginx:1.27': { digest: INDEX, mediaType: OCI_INDEX },
  'myorg/app:1.0': { digest: AMD64, mediaType: OCI_MANIFEST },
  'myorg/app:2.0': { digest: OTHER, mediaType: OCI_MANIFEST },
};

beforeEach(() => {
  counters = newCounters();
  msw.server.use(...baseHandlers(counters, TAGS));
});

type Vars = Record<string, unknown> & { context?: { organization?: string } };

describe('hub_scout shape', () => {
  it('is read-only, with every action exposed in read-only mode, and stays under 2.2 KB in tools/list (outputSchema included)', () => {
    const tool = createHubScoutTool();
    const listed = describeTool(tool, { readOnly: true, allowDestructive: false })!;
    expect(hintsOf(listed.annotations)).toMatchObject({ readOnlyHint: true, destructiveHint: false, openWorldHint: true });
    const actions = [
      'summary',
      'cves',
      'sbom',
      'compare',
      'policies',
      'policy_evaluation',
      'recommendations',
      'cve',
      'affected_images',
      'status',
    ];
    expect((listed.inputSchema.properties.action as { enum: string[] }).enum).toEqual(actions);
    for (const name of ['repo', 'reference', 'org', 'severity', 'sbom_format', 'base_ref', 'target_ref', 'platform'])
      expect(listed.inputSchema.properties).toHaveProperty(name);
    const bytes = Buffer.byteLength(JSON.stringify(listed));
    console.log(`hub_scout in tools/list: ${bytes} bytes`);
    expect(bytes).toBeLessThanOrEqual(2200);
  });

  it('still checks bounds kept out of the schema', async () => {
    const error = errorOf(await callScout(scoutApp(), { action: 'cves', repo: 'x'.repeat(600) }));
    expect(error.type).toBe('invalid_argument');
    expect(error.message).toContain("'repo' must be 1..512 characters");
    expect(msw.seen).toHaveLength(0);
  });
});

describe('summary', () => {
  it('resolves a tag with one HEAD and reports each platform of an index, never 0 for an unanalysed one', async () => {
    let vars: Vars | undefined;
    msw.server.use(
      scout.query('ImageDetailsList', ({ variables }) => {
        vars = variables;
        return HttpResponse.json({
          data: {
            imageDetailsListByDigest: [
              imageDetails(AMD64, { os: 'linux', architecture: 'amd64' }),
              imageDetails(ARM64, { os: 'linux', architecture: 'arm64', variant: 'v8' }, false),
            ],
          },
        });
      }),
    );
    const data = dataOf(await callScout(scoutApp(), { action: 'summary', repo: 'nginx:1.27' }));
    expect(vars).toEqual({ context: {}, digest: INDEX });
    expect(counters.registryHeads).toBe(1);
    expect(counters.registryGets).toBe(0);
    expect(data).toMatchObject({ image: 'docker.io/library/nginx:1.27', digest: INDEX, org: null });
    const platforms = data.platforms as Record<string, unknown>[];
    expect(platforms[0]).toMatchObject({
      platform: 'linux/amd64',
      digest: AMD64,
      sbom_state: 'INDEXED',
      vulnerabilities: { critical: 1, high: 3, medium: 10, low: 20, unspecified: 0, total: 34 },
      base_image: 'debian',
      base_tag: 'bookworm-slim',
      packages: 150,
      layers: 7,
      tags: ['1.27'],
    });
    expect(platforms[1]).toMatchObject({ platform: 'linux/arm64/v8', sbom_state: 'INDEXING', vulnerabilities: null });
    expect(platforms[1]!.note).toMatch(/not analysed/);
  });

  it('platform filters the entries', async () => {
    msw.server.use(
      scout.query('ImageDetailsList', () =>
        HttpResponse.json({
          data: {
            imageDetailsListByDigest: [
              imageDetails(AMD64, { os: 'linux', architecture: 'amd64' }),
              imageDetails(ARM64, { os: 'linux', architecture: 'arm64', variant: 'v8' }),
            ],
          },
        }),
      ),
    );
    const data = dataOf(await callScout(scoutApp(), { action: 'summary', repo: 'nginx', reference: '1.27', platform: 'linux/arm64' }));
    expect((data.platforms as { digest: string }[]).map((p) => p.digest)).toEqual([ARM64]);
  });

  it('an image Scout never saw is an error with a hint, not an empty report', async () => {
    msw.server.use(scout.query('ImageDetailsList', () => HttpResponse.json({ data: { imageDetailsListByDigest: [] } })));
    const error = errorOf(await callScout(scoutApp(), { action: 'summary', repo: 'myorg/app:1.0' }));
    expect(error.type).toBe('not_found');
    expect(error.message).toContain('no analysis');
    expect(error.message).toContain('does not mean it has no vulnerabilities');
    expect(error.hint).toContain('docker scout repo enable --org myorg');
  });

  it('a tag the registry does not know is not_found before any Scout query', async () => {
    const error = errorOf(await callScout(scoutApp(), { action: 'summary', repo: 'myorg/app:9.9' }));
    expect(error.type).toBe('not_found');
    expect(error.message).toContain("tag '9.9' not found");
    expect(msw.seen.some((r) => r.url.hostname === 'api.scout.docker.com')).toBe(false);
  });
});

describe('cves / vulnerabilities', () => {
  function serve(digest: string, seen: Vars[] = []) {
    msw.server.use(
      scout.query('ImageVulnerabilities', ({ variables }) => {
        seen.push(variables);
        return HttpResponse.json({ data: packagesAnswer(digest, NGINX_PACKAGES) });
      }),
    );
    return seen;
  }

  it('picks the platform child of an index and sorts by severity then CVSS', async () => {
    const seen = serve(ARM64);
    const data = dataOf(await callScout(scoutApp(), { action: 'cves', repo: 'nginx:1.27', platform: 'linux/arm64' }));
    expect(seen).toEqual([{ context: {}, digest: ARM64 }]);
    expect(counters.registryGets).toBe(1);
    expect(data).toMatchObject({ digest: ARM64, index_digest: INDEX, platform: 'linux/arm64/v8', org: null, matched: 6, fixable: 3 });
    expect(data.counts).toEqual({ critical: 2, high: 2, medium: 1, low: 1, unspecified: 0, total: 6 });
    const rows = data.vulnerabilities as Record<string, unknown>[];
    expect(rows.map((r) => r.id)).toEqual([
      'CVE-2023-45853',
      'CVE-2024-0002',
      'CVE-2024-0005',
      'CVE-2024-0001',
      'CVE-2024-0004',
      'CVE-2024-0003',
    ]);
    expect(rows[1]).toMatchObject({
      severity: 'critical',
      cvss: 9.1,
      package: 'openssl',
      version: '3.0.11',
      type: 'deb',
      fixed_by: '3.0.13',
      kev: true,
      epss: 0.5,
      epss_percentile: 0.9,
    });
    expect(rows[0]!.fixed_by).toBeNull();
    expect(rows[5]).toMatchObject({ excepted: true, vex: 'NOT_AFFECTED' });
  });

  it('defaults to linux/amd64 for an index', async () => {
    const seen = serve(AMD64);
    const data = dataOf(await callScout(scoutApp(), { action: 'vulnerabilities', repo: 'nginx:1.27' }));
    expect(seen[0]!.digest).toBe(AMD64);
    expect(data.platform).toBe('linux/amd64');
  });

  it('filters by severity, fixable_only and package; counts stay whole-image', async () => {
    serve(AMD64);
    const app = scoutApp();
    const bySeverity = dataOf(await callScout(app, { action: 'cves', repo: 'myorg/app:1.0', severity: 'Critical, high' }));
    expect((bySeverity.vulnerabilities as { severity: string }[]).map((r) => r.severity)).toEqual(['critical', 'critical', 'high', 'high']);
    expect((bySeverity.counts as { total: number }).total).toBe(6);
    const fixable = dataOf(await callScout(app, { action: 'cves', repo: 'myorg/app:1.0', fixable_only: true }));
    expect((fixable.vulnerabilities as { id: string }[]).map((r) => r.id)).toEqual(['CVE-2024-0002', 'CVE-2024-0001', 'CVE-2024-0004']);
    const byPackage = dataOf(await callScout(app, { action: 'cves', repo: 'myorg/app:1.0', package: 'SSL' }));
    expect(byPackage.matched).toBe(3);
  });

  it('a bad severity is refused before any request', async () => {
    const error = errorOf(await callScout(scoutApp(), { action: 'cves', repo: 'nginx:1.27', severity: 'severe' }));
    expect(error.message).toContain("'severity' has unknown value(s) severe");
    expect(msw.seen).toHaveLength(0);
  });

  it('caps with truncated and pages with next', async () => {
    serve(AMD64);
    const app = scoutApp();
    const first = await callScout(app, { action: 'cves', repo: 'myorg/app:1.0', max_items: 4 });
    expect(first.structuredContent).toMatchObject({ truncated: true, next: { page: 2 } });
    expect((dataOf(first).vulnerabilities as unknown[]).length).toBe(4);
    const second = await callScout(app, { action: 'cves', repo: 'myorg/app:1.0', max_items: 4, page: 2 });
    expect(second.structuredContent.truncated).toBeUndefined();
    expect((dataOf(second).vulnerabilities as { id: string }[]).map((r) => r.id)).toEqual(['CVE-2024-0004', 'CVE-2024-0003']);
  });

  it('uses the repository namespace as the organization, and org overrides it', async () => {
    const seen = serve(AMD64);
    const app = scoutApp();
    dataOf(await callScout(app, { action: 'cves', repo: 'myorg/app:1.0' }));
    dataOf(await callScout(app, { action: 'cves', repo: 'myorg/app:1.0', org: 'other-org' }));
    expect(seen.map((v) => v.context)).toEqual([{ organization: 'myorg' }, { organization: 'other-org' }]);
  });

  it('addresses an index by digest with one GET and no HEAD', async () => {
    const seen = serve(AMD64);
    const data = dataOf(await callScout(scoutApp(), { action: 'cves', repo: `nginx@${INDEX}`, platform: 'linux/amd64' }));
    expect(seen[0]!.digest).toBe(AMD64);
    expect(counters.registryHeads).toBe(0);
    expect(data.index_digest).toBe(INDEX);
  });

  it('an image Scout has not analysed is an error, never zero vulnerabilities', async () => {
    msw.server.use(scout.query('ImageVulnerabilities', () => HttpResponse.json({ data: { imagePackagesByDigest: null } })));
    const result = await callScout(scoutApp(), { action: 'cves', repo: 'myorg/app:1.0' });
    const error = errorOf(result);
    expect(error.type).toBe('not_found');
    expect(error.message).toContain('Scout has no analysis of docker.io/myorg/app');
    expect(JSON.stringify(result)).not.toMatch(/"total":0|"vulnerabilities":\[\]/);
  });

  it('an image still being indexed says so', async () => {
    msw.server.use(scout.query('ImageVulnerabilities', () => HttpResponse.json({ data: packagesAnswer(AMD64, [], 'INDEXING') })));
    const error = errorOf(await callScout(scoutApp(), { action: 'cves', repo: 'myorg/app:1.0' }));
    expect(error.message).toContain('still analysing');
    expect(error.hint).toContain('Retry');
  });

  it('an unknown platform lists the platforms the index has', async () => {
    const error = errorOf(await callScout(scoutApp(), { action: 'cves', repo: 'nginx:1.27', platform: 'linux/s390x' }));
    expect(error.type).toBe('not_found');
    expect(error.message).toContain('platforms: linux/amd64, linux/arm64/v8');
  });
});

describe('sbom', () => {
  beforeEach(() => {
    msw.server.use(
      scout.query('ImagePackages', ({ variables }) =>
        HttpResponse.json({ data: packagesAnswer(String(variables.digest), NGINX_PACKAGES) }),
      ),
    );
  });

  it('lists packages with purl, licenses and the layer ordinal', async () => {
    const data = dataOf(await callScout(scoutApp(), { action: 'sbom', repo: 'myorg/app:1.0' }));
    expect(data.count).toBe(5);
    const packages = data.packages as Record<string, unknown>[];
    expect(packages.map((p) => p.name)).toEqual(['bash', 'curl', 'libxml2', 'openssl', 'zlib']);
    expect(packages[4]).toEqual({
      name: 'zlib',
      version: '1.2.13',
      type: 'deb',
      purl: 'pkg:deb/debian/zlib@1.2.13',
      licenses: ['Zlib'],
      layer: 0,
    });
    expect(packages[3]!.layer).toBe(1);
  });

  it('renders CycloneDX and SPDX documents, capped', async () => {
    const app = scoutApp();
    const cdx = await callScout(app, { action: 'sbom', repo: 'myorg/app:1.0', sbom_format: 'cyclonedx', max_items: 2 });
    expect(cdx.structuredContent).toMatchObject({ truncated: true, next: { page: 2 } });
    const bom = dataOf(cdx).sbom as { bomFormat: string; components: { name: string; purl: string }[] };
    expect(bom.bomFormat).toBe('CycloneDX');
    expect(bom.components.map((c) => c.name)).toEqual(['bash', 'curl']);
    const spdxDoc = dataOf(await callScout(app, { action: 'sbom', repo: 'myorg/app:1.0', sbom_format: 'spdx' })).sbom as {
      spdxVersion: string;
      packages: { name: string; licenseDeclared: string }[];
    };
    expect(spdxDoc.spdxVersion).toBe('SPDX-2.3');
    expect(spdxDoc.packages.find((p) => p.name === 'openssl')!.licenseDeclared).toBe('Apache-2.0');
  });
});

describe('compare', () => {
  it('diffs vulnerabilities and packages of two tags', async () => {
    const seen: string[] = [];
    msw.server.use(
      scout.query('ImageVulnerabilities', ({ variables }) => {
        const digest = String(variables.digest);
        seen.push(digest);
        if (digest === AMD64) return HttpResponse.json({ data: packagesAnswer(AMD64, NGINX_PACKAGES) });
        const upgraded = NGINX_PACKAGES.filter((p) => p.name !== 'curl').map((p) =>
          p.name === 'openssl' ? { name: 'openssl', version: '3.0.13', vulns: [{ id: 'CVE-2024-0003', severity: 'LOW', score: 3.1 }] } : p,
        );
        upgraded.push({ name: 'git', version: '2.39.5', vulns: [{ id: 'CVE-2024-9999', severity: 'HIGH', score: 7.0 }] });
        return HttpResponse.json({ data: packagesAnswer(OTHER, upgraded) });
      }),
    );
    const data = dataOf(await callScout(scoutApp(), { action: 'compare', repo: 'myorg/app', base_ref: '1.0', target_ref: '2.0' }));
    expect(seen.sort()).toEqual([AMD64, OTHER].sort());
    expect(data.base).toMatchObject({ digest: AMD64, counts: { total: 6 } });
    expect(data.target).toMatchObject({ digest: OTHER, counts: { total: 4 } });
    const vulns = data.vulnerabilities as Record<string, unknown>;
    expect(vulns).toMatchObject({ added_count: 1, removed_count: 3, unchanged: 3 });
    expect((vulns.added as { id: string }[]).map((v) => v.id)).toEqual(['CVE-2024-9999']);
    expect((vulns.removed as { id: string }[]).map((v) => v.id)).toEqual(['CVE-2024-0002', 'CVE-2024-0005', 'CVE-2024-0001']);
    expect(data.packages).toMatchObject({
      added: [{ name: 'git', type: 'deb', version: '2.39.5' }],
      removed: [{ name: 'curl', version: '7.88.1' }],
      changed: [{ name: 'openssl', from: '3.0.11', to: '3.0.13' }],
      unchanged: 3,
    });
  });

  it('takes full image references too, and says which side Scout has not analysed', async () => {
    msw.server.use(
      scout.query('ImageVulnerabilities', ({ variables }) =>
        HttpResponse.json({ data: variables.digest === AMD64 ? packagesAnswer(AMD64, NGINX_PACKAGES) : { imagePackagesByDigest: null } }),
      ),
    );
    const error = errorOf(await callScout(scoutApp(), { action: 'compare', base_ref: 'myorg/app:1.0', target_ref: 'myorg/app:2.0' }));
    expect(error.message).toContain('docker.io/myorg/app:2.0');
  });
});

describe('recommendations', () => {
  it('asks for the base image tags Scout knows the image is built on', async () => {
    let recVars: Vars | undefined;
    const tag = (name: string, total: number) => ({
      tag: { name },
      tags: [name, `${name}-slim`],
      createdAt: '2025-01-01T00:00:00Z',
      packageCount: 90,
      imageSize: 30_000_000,
      vulnerabilityReport: { critical: 0, high: 0, medium: total, low: 0, unspecified: 0, total },
      scoring: { total: 80, summary: 'fewer vulnerabilities' },
    });
    msw.server.use(
      scout.query('ImageDetailsList', () =>
        HttpResponse.json({ data: { imageDetailsListByDigest: [imageDetails(AMD64, { os: 'linux', architecture: 'amd64' })] } }),
      ),
      scout.query('TagRecommendations', ({ variables }) => {
        recVars = variables;
        return HttpResponse.json({
          data: {
            tagRecommendationsByDigest: {
              repository: { name: 'debian' },
              recommendations: [{ currentTag: tag('bookworm', 12), recommendedTags: [tag('trixie', 2)] }],
            },
          },
        });
      }),
    );
    const data = dataOf(await callScout(scoutApp(), { action: 'recommendations', repo: 'myorg/app:1.0' }));
    expect(recVars).toEqual({ context: { organization: 'myorg' }, digest: BASE, repository: 'debian' });
    expect(data).toMatchObject({ base_image: 'debian', base_tag: 'bookworm-slim', advice_for: 'base image', repository: 'debian' });
    const recs = data.recommendations as { current: { tag: string }; recommended: { tag: string; also: string[]; score: number }[] }[];
    expect(recs[0]!.current.tag).toBe('bookworm');
    expect(recs[0]!.recommended[0]).toMatchObject({ tag: 'trixie', also: ['trixie-slim'], score: 80 });
  });

  it('says so when Scout has no advice', async () => {
    msw.server.use(
      scout.query('ImageDetailsList', () =>
        HttpResponse.json({
          data: {
            imageDetailsListByDigest: [
              { ...imageDetails(AMD64, { os: 'linux', architecture: 'amd64' }), baseImage: null, baseImageTag: null },
            ],
          },
        }),
      ),
      scout.query('TagRecommendations', ({ variables }) => {
        expect(variables).toEqual({ context: { organization: 'myorg' }, digest: AMD64 });
        return HttpResponse.json({ data: { tagRecommendationsByDigest: null } });
      }),
    );
    const data = dataOf(await callScout(scoutApp(), { action: 'recommendations', repo: 'myorg/app:1.0' }));
    expect(data.recommendations).toEqual([]);
    expect(data.note).toContain('no recommendations');
  });
});

describe('policies and policy_evaluation', () => {
  it('policies needs an organization and asks nothing without one', async () => {
    const error = errorOf(await callScout(scoutApp(), { action: 'policies', repo: 'nginx' }));
    expect(error.type).toBe('invalid_argument');
    expect(error.message).toContain("needs 'org'");
    expect(msw.seen).toHaveLength(0);
  });

  it('policies summarises compliance per policy', async () => {
    let vars: Vars | undefined;
    msw.server.use(
      scout.query('PolicySummaries', ({ variables }) => {
        vars = variables;
        return HttpResponse.json({
          data: {
            goalResultSummaries: {
              items: [
                {
                  stream: 'latest-indexed',
                  totalImages: 10,
                  compliantImages: 6,
                  unknownImages: 1,
                  totalDeviations: 14,
                  policy: {
                    definitionName: 'no-fixable-critical-or-high',
                    configurationName: 'default',
                    displayName: 'No fixable critical or high vulnerabilities',
                    resultType: 'vulnerabilities',
                    enabled: true,
                    remediationLink: null,
                  },
                },
              ],
            },
          },
        });
      }),
    );
    const data = dataOf(await callScout(scoutApp(), { action: 'policies', org: 'myorg', stream: 'latest-indexed' }));
    expect(vars).toEqual({ context: { organization: 'myorg' }, query: { stream: 'latest-indexed' } });
    expect(data.policies).toEqual([
      {
        name: 'No fixable critical or high vulnerabilities',
        definition: 'no-fixable-critical-or-high',
        type: 'vulnerabilities',
        enabled: true,
        stream: 'latest-indexed',
        images: 10,
        compliant: 6,
        non_compliant: 3,
        unknown: 1,
        deviations: 14,
      },
    ]);
  });

  it('policy_evaluation reports each policy of an image, with capped deviations', async () => {
    const deviations = Array.from({ length: 25 }, (_, i) => ({
      id: `d${i}`,
      vulnerability: `CVE-2024-${1000 + i}`,
      purl: 'pkg:deb/debian/openssl@3.0.11',
      severity: 'HIGH',
      fixedBy: '3.0.13',
    }));
    msw.server.use(
      scout.query('PolicyResults', ({ variables }) => {
        expect(variables).toEqual({ context: { organization: 'myorg' }, query: { digest: AMD64 } });
        return HttpResponse.json({
          data: {
            goalResultsByDigest: {
              digest: AMD64,
              createdAt: '2025-01-10T10:00:00Z',
              platform: { os: 'linux', architecture: 'amd64', variant: null },
              repository: { hostName: 'hub.docker.com', repoName: 'myorg/app' },
              policies: [
                {
                  definitionName: 'no-fixable-critical-or-high',
                  configurationName: 'default',
                  displayName: 'No fixable critical or high',
                  evaluated: true,
                  currentResult: { statusLabel: 'Not compliant', deviationCount: 25, isStale: false, deviations },
                },
                {
                  definitionName: 'default-non-root-user',
                  configurationName: 'default',
                  displayName: 'Non-root user',
                  evaluated: true,
                  currentResult: { statusLabel: 'Compliant', hasDeviation: false, isStale: false },
                },
                {
                  definitionName: 'approved-base-images',
                  configurationName: 'default',
                  displayName: null,
                  evaluated: false,
                  currentResult: null,
                },
              ],
            },
          },
        });
      }),
    );
    const result = await callScout(scoutApp(), { action: 'policy_evaluation', repo: 'myorg/app:1.0' });
    expect(result.structuredContent.truncated).toBe(true);
    const data = dataOf(result);
    expect(data).toMatchObject({ compliant: 1, non_compliant: 1, unknown: 1 });
    const policies = data.policies as Record<string, unknown>[];
    expect(policies[0]).toMatchObject({ name: 'No fixable critical or high', status: 'Not compliant', compliant: false, deviations: 25 });
    expect((policies[0]!.details as unknown[]).length).toBe(20);
    expect(policies[1]).toMatchObject({ name: 'Non-root user', compliant: true, deviations: 0 });
    expect(policies[2]).toMatchObject({ name: 'default', evaluated: false, compliant: null, status: null });
  });

  it('policy_evaluation without results explains why', async () => {
    msw.server.use(scout.query('PolicyResults', () => HttpResponse.json({ data: { goalResultsByDigest: null } })));
    const error = errorOf(await callScout(scoutApp(), { action: 'policy_evaluation', repo: 'nginx:1.27' }));
    expect(error.type).toBe('not_found');
    expect(error.hint).toContain('pass org');
  });
});

describe('cve and affected_images', () => {
  it('cve shows the sources of one CVE', async () => {
    msw.server.use(
      scout.query('CveSources', ({ variables }) => {
        expect(variables).toEqual({ context: {}, query: { cveId: 'CVE-2024-3094' } });
        return HttpResponse.json({
          data: {
            cveSources: {
              cveId: 'CVE-2024-3094',
              defaultSource: 'nist',
              epss: { score: 0.86, percentile: 0.99, priority: 'CRITICAL' },
              sources: [
                {
                  source: 'nist',
                  sourceId: 'CVE-2024-3094',
                  url: 'https://nvd.nist.gov/vuln/detail/CVE-2024-3094',
                  description: 'Malicious code was discovered in the upstream tarballs of xz.',
                  createdAt: '2024-03-29T17:15:21Z',
                  updatedAt: '2024-06-01T00:00:00Z',
                  withdrawnAt: null,
                  state: 'PUBLISHED',
                  cvss: { severity: 'CRITICAL', score: 10, vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', version: 'CVSS_V3' },
                  cwes: [{ cweId: 'CWE-506' }],
                  packages: [
                    {
                      name: 'xz-utils',
                      type: 'deb',
                      namespace: 'debian',
                      versions: [{ vulnerableRange: '>=5.6.0,<5.6.1+really5.4.5-1', fixedBy: '5.6.1+really5.4.5-1' }],
                    },
                  ],
                  advisories: [],
                },
              ],
            },
          },
        });
      }),
    );
    const data = dataOf(await callScout(scoutApp(), { action: 'cve', cve_id: 'cve-2024-3094' }));
    expect(data).toMatchObject({ cve: 'CVE-2024-3094', default_source: 'nist', epss: { score: 0.86 } });
    expect((data.sources as Record<string, unknown>[])[0]).toMatchObject({
      severity: 'CRITICAL',
      cvss: 10,
      cwes: ['CWE-506'],
      packages: [{ name: 'debian/xz-utils', type: 'deb' }],
    });
  });

  it('cve refuses an id that is not one, and reports an unknown one as not_found', async () => {
    expect(errorOf(await callScout(scoutApp(), { action: 'cve', cve_id: 'not an id' })).type).toBe('invalid_argument');
    expect(msw.seen).toHaveLength(0);
    msw.server.use(scout.query('CveSources', () => HttpResponse.json({ data: { cveSources: null } })));
    expect(errorOf(await callScout(scoutApp(), { action: 'cve', cve_id: 'CVE-2099-0001' })).type).toBe('not_found');
  });

  it('affected_images pages through the organization images', async () => {
    let vars: Vars | undefined;
    msw.server.use(
      scout.query('ImagesAffectedByCve', ({ variables }) => {
        vars = variables;
        return HttpResponse.json({
          data: {
            imagesAffectedByCVE: {
              paging: { totalCount: 3 },
              packageCount: 1,
              items: [1, 2].map((n) => ({
                affectedImage: {
                  digest: `sha256:${String(n).repeat(64)}`,
                  createdAt: '2025-01-01T00:00:00Z',
                  repository: { hostName: 'hub.docker.com', repoName: `myorg/svc${n}` },
                  tags: [{ name: 'latest', current: true }],
                  platform: { os: 'linux', architecture: 'amd64', variant: null },
                },
                affectedPackages: [{ name: 'xz-utils', version: '5.6.0-0.2', type: 'deb', purl: 'pkg:deb/debian/xz-utils@5.6.0-0.2' }],
              })),
            },
          },
        });
      }),
    );
    const result = await callScout(scoutApp(), { action: 'affected_images', cve_id: 'CVE-2024-3094', repo: 'myorg/svc1', max_items: 2 });
    expect(vars).toEqual({
      context: { organization: 'myorg' },
      query: { cveId: 'CVE-2024-3094', stream: 'latest-indexed', paging: { page: 1, pageSize: 2 }, filter: { repoName: 'myorg/svc1' } },
    });
    expect(result.structuredContent).toMatchObject({ truncated: true, next: { page: 2 } });
    const data = dataOf(result);
    expect(data).toMatchObject({ total: 3, package_count: 1 });
    expect((data.images as Record<string, unknown>[])[0]).toMatchObject({
      repository: 'myorg/svc1',
      tags: ['latest'],
      platform: 'linux/amd64',
      packages: ['xz-utils@5.6.0-0.2'],
    });
  });
});

describe('status', () => {
  it('reports the organization and repository enablement', async () => {
    msw.server.use(
      scout.query('OrganizationStatus', ({ variables }) => {
        expect(variables).toEqual({ context: { organization: 'myorg' } });
        return HttpResponse.json({
          data: {
            organizationStatus: {
              hasImageAnalysisEnabled: true,
              hasAnalyzedImages: true,
              hasEverAnalyzedImages: true,
              lastRepoEnablementChangeAt: '2025-01-01T00:00:00Z',
            },
          },
        });
      }),
      scout.query('RepoFeatures', ({ variables }) => {
        expect(variables).toEqual({ context: { organization: 'myorg' }, repoName: 'myorg/app', hostName: 'hub.docker.com' });
        return HttpResponse.json({ data: { repoFeatures: { vulnerabilityReporting: { enabled: false } } } });
      }),
    );
    const data = dataOf(await callScout(scoutApp(), { action: 'status', repo: 'myorg/app' }));
    expect(data).toEqual({
      org: 'myorg',
      scout_enabled: true,
      has_analyzed_images: true,
      has_ever_analyzed_images: true,
      last_repo_change: '2025-01-01T00:00:00Z',
      repository: { name: 'myorg/app', host: 'hub.docker.com', scout_enabled: false },
    });
  });
});
