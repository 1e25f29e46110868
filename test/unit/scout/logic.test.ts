// Pure parts of hub_scout: organization resolution, Scout's repository naming, vulnerability rows
// (dedupe, sort, count, filter), diffs and SBOM rendering.
import { describe, expect, it } from 'vitest';
import { parseImageRef } from '../../../src/registry/reference.js';
import { resolveOrg, scoutRepository } from '../../../src/scout/image.js';
import { cyclonedx, spdx, type SbomPackage } from '../../../src/scout/sbom.js';
import {
  countBySeverity,
  diffPackages,
  diffVulns,
  filterRows,
  pageOf,
  parseSeverities,
  sortRows,
  vulnRows,
  type GqlPackage,
} from '../../../src/scout/vulns.js';

const defaults = { registryUrl: 'https://registry-1.docker.io' };
const ref = (repo: string) => parseImageRef(repo, undefined, defaults);

describe('organization and repository naming', () => {
  it('org wins; else a Docker Hub namespace; never library; never another registry', () => {
    expect(resolveOrg('given', ref('myorg/app'))).toBe('given');
    expect(resolveOrg(undefined, ref('myorg/app'))).toBe('myorg');
    expect(resolveOrg(undefined, ref('docker.io/myorg/app:1'))).toBe('myorg');
    expect(resolveOrg(undefined, ref('nginx'))).toBeUndefined();
    expect(resolveOrg(undefined, ref('library/nginx'))).toBeUndefined();
    expect(resolveOrg(undefined, ref('ghcr.io/someone/tool'))).toBeUndefined();
    expect(resolveOrg('  ', undefined)).toBeUndefined();
  });

  it('names Docker Hub repositories the way Scout does', () => {
    expect(scoutRepository(ref('nginx'))).toEqual({ hostName: 'hub.docker.com', repoName: 'nginx' });
    expect(scoutRepository(ref('myorg/app'))).toEqual({ hostName: 'hub.docker.com', repoName: 'myorg/app' });
    expect(scoutRepository(ref('ghcr.io/o/r'))).toEqual({ hostName: 'ghcr.io', repoName: 'o/r' });
  });
});

const pkg = (name: string, version: string, vulns: [string, string | null, number | null, string?][]): GqlPackage => ({
  name,
  version,
  type: 'deb',
  purl: `pkg:deb/debian/${name}@${version}`,
  vulnerabilities: vulns.map(([sourceId, severity, score, fixedBy]) => ({ sourceId, cvss: { severity, score }, fixedBy: fixedBy ?? null })),
});

describe('vulnerability rows', () => {
  const packages = [
    pkg('a', '1', [
      ['CVE-1', 'HIGH', 7.1],
      ['CVE-2', null, null],
      ['CVE-1', 'HIGH', 7.1],
    ]),
    pkg('b', '2', [
      ['CVE-1', 'CRITICAL', 9.0, '2.1'],
      ['CVE-3', 'high', 8.8, 'not fixed'],
    ]),
  ];

  it('dedupes per (id, package), treats "not fixed" as no fix and unknown severity as unspecified', () => {
    const rows = vulnRows(packages);
    expect(rows).toHaveLength(4);
    expect(rows.find((r) => r.id === 'CVE-2')).toMatchObject({ severity: 'unspecified', cvss: null });
    expect(rows.find((r) => r.id === 'CVE-3')!.fixed_by).toBeNull();
  });

  it('sorts by severity, then score, then id', () => {
    expect(sortRows(vulnRows(packages)).map((r) => `${r.id}/${r.package}`)).toEqual(['CVE-1/b', 'CVE-3/b', 'CVE-1/a', 'CVE-2/a']);
  });

  it('counts each id once, at its worst severity', () => {
    expect(countBySeverity(vulnRows(packages))).toEqual({ critical: 1, high: 1, medium: 0, low: 0, unspecified: 1, total: 3 });
  });

  it('filters and pages', () => {
    const rows = vulnRows(packages);
    expect(filterRows(rows, { fixableOnly: true }).map((r) => r.id)).toEqual(['CVE-1']);
    expect(filterRows(rows, { severities: parseSeverities('unspecified') }).map((r) => r.id)).toEqual(['CVE-2']);
    expect(pageOf([1, 2, 3, 4, 5], 2, 2)).toEqual({ items: [3, 4], more: true });
    expect(pageOf([1, 2, 3, 4, 5], 3, 2)).toEqual({ items: [5], more: false });
    expect(() => parseSeverities('high,bad')).toThrow(/unknown value\(s\) bad/);
    expect(parseSeverities(' , ')).toBeUndefined();
  });

  it('diffs packages and vulnerabilities', () => {
    const before = [pkg('a', '1', [['CVE-1', 'HIGH', 7]]), pkg('b', '1', [['CVE-2', 'LOW', 2]])];
    const after = [pkg('a', '2', [['CVE-1', 'HIGH', 7]]), pkg('c', '1', [['CVE-3', 'CRITICAL', 9.8]])];
    expect(diffPackages(before, after)).toEqual({
      added: [{ name: 'c', type: 'deb', version: '1' }],
      removed: [{ name: 'b', type: 'deb', version: '1' }],
      changed: [{ name: 'a', type: 'deb', from: '1', to: '2' }],
      unchanged: 0,
    });
    const diff = diffVulns(vulnRows(before), vulnRows(after));
    expect(diff.added.map((r) => r.id)).toEqual(['CVE-3']);
    expect(diff.removed.map((r) => r.id)).toEqual(['CVE-2']);
    expect(diff.unchanged).toBe(1);
  });
});

describe('SBOM documents', () => {
  const packages: SbomPackage[] = [
    { name: 'openssl', version: '3.0.11', type: 'deb', purl: 'pkg:deb/debian/openssl@3.0.11', licenses: ['Apache-2.0'], layer: 1 },
    { name: 'tool', version: '1.0', type: 'golang', purl: 'pkg:golang/x/tool@1.0', licenses: ['MIT', 'BSD-3-Clause'], layer: 2 },
    { name: 'blob', version: '0', type: 'generic', purl: 'pkg:generic/blob@0', licenses: [], layer: null },
  ];

  it('CycloneDX 1.5 components carry purl and license expressions', () => {
    const bom = cyclonedx('docker.io/myorg/app:1.0', 'sha256:abc', packages) as { components: Record<string, unknown>[] };
    expect(bom).toMatchObject({
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      metadata: { component: { type: 'container', name: 'docker.io/myorg/app:1.0' } },
    });
    expect(bom.components[1]).toEqual({
      type: 'library',
      name: 'tool',
      version: '1.0',
      purl: 'pkg:golang/x/tool@1.0',
      licenses: [{ expression: 'MIT' }, { expression: 'BSD-3-Clause' }],
    });
    expect(bom.components[2]).not.toHaveProperty('licenses');
  });

  it('SPDX 2.3 packages carry purl external refs and declared licenses', () => {
    const doc = spdx('img', 'sha256:abc', packages, new Date('2025-01-01T00:00:00Z')) as {
      packages: Record<string, unknown>[];
      creationInfo: { created: string };
    };
    expect(doc.creationInfo.created).toBe('2025-01-01T00:00:00.000Z');
    expect(doc.packages.map((p) => p.licenseDeclared)).toEqual(['Apache-2.0', '(MIT) AND (BSD-3-Clause)', 'NOASSERTION']);
    expect(doc.packages[0]).toMatchObject({
      SPDXID: 'SPDXRef-Package-1',
      externalRefs: [{ referenceType: 'purl', referenceLocator: 'pkg:deb/debian/openssl@3.0.11' }],
    });
  });
});
