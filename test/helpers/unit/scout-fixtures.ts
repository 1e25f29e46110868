// Shared by the scout-*.test.ts suites: an AppContext with Hub credentials, msw handlers for the
// Hub JWT mint, Docker Hub's registry (token, HEAD, GET by digest) and Scout answers shaped like
// ../shared/specs/scout-schema.graphql.
import { createHash } from 'node:crypto';
import { graphql, http, HttpResponse } from 'msw';
import type { AppContext } from '../../../src/context.js';
import { callTool, type CallResult } from '../../../src/tools/framework.js';
import { createHubScoutTool } from '../../../src/tools/hub-scout.js';
import { HUB_URL, testApp, testConfig, toolCtx } from './app.js';
import { hubJwt } from './jwt.js';
import { checkedOutput } from '../output-check.js';

export const SCOUT_URL = 'https://api.scout.docker.com';
export const REGISTRY = 'https://registry-1.docker.io';
export const scout = graphql.link(`${SCOUT_URL}/v1/graphql`);

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

export const digestOf = (text: string): string => `sha256:${createHash('sha256').update(text).digest('hex')}`;
export const AMD64 = `sha256:${'a'.repeat(64)}`;
export const ARM64 = `sha256:${'b'.repeat(64)}`;
export const BASE = `sha256:${'c'.repeat(64)}`;
export const OTHER = `sha256:${'d'.repeat(64)}`;

export const INDEX_JSON = JSON.stringify({
  schemaVersion: 2,
  mediaType: OCI_INDEX,
  manifests: [
    { mediaType: OCI_MANIFEST, digest: AMD64, size: 1000, platform: { os: 'linux', architecture: 'amd64' } },
    { mediaType: OCI_MANIFEST, digest: ARM64, size: 1000, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
    {
      mediaType: OCI_MANIFEST,
      digest: `sha256:${'e'.repeat(64)}`,
      size: 500,
      platform: { os: 'unknown', architecture: 'unknown' },
      annotations: { 'vnd.docker.reference.type': 'attestation-manifest' },
    },
  ],
});
export const INDEX = digestOf(INDEX_JSON);

export const USER = 'alice';
export const PAT = 'dckr_pat_scout-unit-test-0123456789';

export interface Counters {
  mints: number;
  jwt: string;
  registryGets: number;
  registryHeads: number;
}

/** The Hub mint and the registry: `tags` maps `repository:tag` to a digest and media type. */
export function baseHandlers(counters: Counters, tags: Record<string, { digest: string; mediaType: string }>) {
  return [
    http.post(`${HUB_URL}/v2/auth/token`, () => {
      counters.mints++;
      return HttpResponse.json({ access_token: counters.jwt });
    }),
    http.get('https://auth.docker.io/token', () => HttpResponse.json({ token: 'registry-token', expires_in: 300 })),
    http.head(`${REGISTRY}/v2/:ns/:name/manifests/:ref`, ({ params }) => {
      counters.registryHeads++;
      const hit = tags[`${String(params.ns)}/${String(params.name)}:${String(params.ref)}`];
      if (!hit) return new HttpResponse(null, { status: 404 });
      return new HttpResponse(null, {
        status: 200,
        headers: { 'docker-content-digest': hit.digest, 'content-type': hit.mediaType, 'content-length': '500' },
      });
    }),
    http.get(`${REGISTRY}/v2/:ns/:name/manifests/:ref`, ({ params }) => {
      counters.registryGets++;
      if (params.ref !== INDEX) return new HttpResponse(null, { status: 404 });
      return new HttpResponse(INDEX_JSON, { status: 200, headers: { 'content-type': OCI_INDEX, 'docker-content-digest': INDEX } });
    }),
  ];
}

export function newCounters(): Counters {
  return { mints: 0, jwt: hubJwt({ username: USER, exp: Math.floor(Date.now() / 1000) + 3600 }), registryGets: 0, registryHeads: 0 };
}

export function scoutApp(env: Record<string, string> = { DOCKER_HUB_USER: USER, DOCKER_HUB_TOKEN: PAT }): AppContext {
  return testApp(testConfig(env));
}

export async function callScout(app: AppContext, args: Record<string, unknown>): Promise<CallResult> {
  const result = await callTool(createHubScoutTool(), args, {
    ctx: toolCtx(app),
    config: app.config,
    caps: { maxBytes: app.config.maxResultBytes, maxItems: 500 },
  });
  return checkedOutput('hub_scout', result);
}

export const dataOf = (result: CallResult): Record<string, unknown> => {
  if (result.isError) throw new Error(`unexpected error result: ${JSON.stringify(result.structuredContent)}`);
  return (result.structuredContent as { data: Record<string, unknown> }).data;
};

export const errorOf = (result: CallResult): { type: string; message: string; status?: number; hint?: string } => {
  if (!result.isError) throw new Error(`expected an error result, got ${JSON.stringify(result.structuredContent).slice(0, 300)}`);
  return (result.structuredContent as { error: { type: string; message: string; status?: number; hint?: string } }).error;
};

// Scout answers, shaped like the schema.

const report = (critical: number, high: number, medium: number, low: number) => ({
  critical,
  high,
  medium,
  low,
  unspecified: 0,
  total: critical + high + medium + low,
});

export function imageDetails(digest: string, platform: { os: string; architecture: string; variant?: string }, indexed = true) {
  return {
    digest,
    mediaType: OCI_MANIFEST,
    createdAt: '2025-01-10T10:00:00Z',
    sbomState: indexed ? 'INDEXED' : 'INDEXING',
    packageCount: 150,
    layerCount: 7,
    compressedSize: 68_000_000,
    platform: { variant: null, ...platform },
    tags: [
      { name: '1.27', current: true },
      { name: '1.26', current: false },
    ],
    vulnerabilityReport: indexed ? report(1, 3, 10, 20) : null,
    baseImage: { digest: BASE, repository: { hostName: 'hub.docker.com', repoName: 'debian' } },
    baseImageTag: { name: 'bookworm-slim' },
  };
}

interface VulnSpec {
  id: string;
  severity: string;
  score: number | null;
  fixedBy?: string;
  kev?: boolean;
  excepted?: boolean;
}

const vuln = (v: VulnSpec) => ({
  sourceId: v.id,
  source: 'nist',
  url: `https://scout.docker.com/v/${v.id}`,
  fixedBy: v.fixedBy ?? 'not fixed',
  cisaExploited: v.kev ?? false,
  isExcepted: v.excepted ?? false,
  cvss: { severity: v.severity, score: v.score },
  epss: { score: 0.5, percentile: 0.9 },
  vexStatements: v.excepted ? [{ status: 'NOT_AFFECTED' }] : [],
});

export interface PackageSpec {
  name: string;
  version: string;
  type?: string;
  vulns?: VulnSpec[];
  licenses?: string[];
  diffId?: string;
}

export function packagesAnswer(digest: string, packages: PackageSpec[], sbomState = 'INDEXED') {
  return {
    imagePackagesByDigest: {
      digest,
      sbomState,
      imagePackages: {
        packages: packages.map((p) => {
          const type = p.type ?? 'deb';
          return {
            package: {
              name: p.name,
              version: p.version,
              type,
              purl: `pkg:${type}/debian/${p.name}@${p.version}`,
              licenses: p.licenses ?? [],
              vulnerabilities: (p.vulns ?? []).map(vuln),
            },
            locations: [{ path: `/var/lib/dpkg/status`, diffId: p.diffId ?? 'sha256:layer1' }],
          };
        }),
      },
      imageLayers: {
        layers: [
          { diffId: 'sha256:layer0', ordinal: 0 },
          { diffId: 'sha256:layer1', ordinal: 1 },
        ],
      },
    },
  };
}

export const NGINX_PACKAGES: PackageSpec[] = [
  {
    name: 'zlib',
    version: '1.2.13',
    vulns: [{ id: 'CVE-2023-45853', severity: 'CRITICAL', score: 9.8 }],
    licenses: ['Zlib'],
    diffId: 'sha256:layer0',
  },
  {
    name: 'openssl',
    version: '3.0.11',
    vulns: [
      { id: 'CVE-2024-0001', severity: 'HIGH', score: 7.5, fixedBy: '3.0.13' },
      { id: 'CVE-2024-0002', severity: 'CRITICAL', score: 9.1, fixedBy: '3.0.13', kev: true },
      { id: 'CVE-2024-0003', severity: 'LOW', score: 3.1, excepted: true },
    ],
    licenses: ['Apache-2.0'],
  },
  { name: 'libxml2', version: '2.9.14', vulns: [{ id: 'CVE-2024-0004', severity: 'MEDIUM', score: 5.3, fixedBy: '2.9.14+dfsg-1.3' }] },
  { name: 'curl', version: '7.88.1', vulns: [{ id: 'CVE-2024-0005', severity: 'HIGH', score: 8.1 }] },
  { name: 'bash', version: '5.2.15', licenses: ['GPL-3.0-or-later'] },
];
