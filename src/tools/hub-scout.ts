// hub_scout: Docker Scout over its GraphQL API (never the reference's invented REST paths). Every
// action is a read, so the tool is annotated read-only. Images are addressed like hub_registry's
// (`repo` with an optional tag or digest, `reference`, `platform` for an index's child); `org`
// sets the query context (default: the repository's Docker Hub namespace, else public data).
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { compare } from '../scout/compare.js';
import { cves, policyEvaluation, recommendations, sbom, summary } from '../scout/image-ops.js';
import { affectedImages, cve, policies, status } from '../scout/org-ops.js';
import { defineAction, unlisted, type Action, type ToolSpec } from './framework.js';

// Bounds are checked on call but kept out of the advertised schema: tools/list is paid for in
// every model context, and hub_scout's share of it is kept under 2 KB.
const text = (max: number): z.ZodString => z.string().refine((s) => s.length >= 1 && s.length <= max, `must be 1..${max} characters`);

const repo = text(512).describe('Image, name[:tag|@digest]');
const reference = text(200).optional().describe('Tag or digest');
const org = text(255).optional().describe('Docker org (repo namespace)');
const platform = text(60).optional().describe('os/arch[/variant] (default linux/amd64)');
const maxItems = z.number().int().min(1).max(1000).optional().describe('Cap (default 100)');
const page = z.number().int().min(1).max(10000).optional().describe('Page, from next');
const cveId = text(100).describe('e.g. CVE-2024-3094');
const stream = text(100).optional().describe('Scout environment (latest-indexed)');
const image = { repo, reference, org, platform };

function cvesAction(description: string): Action<AppContext> {
  return defineAction({
    description,
    params: {
      ...image,
      severity: text(60).optional().describe('Comma list, e.g. critical,high'),
      fixable_only: z.boolean().optional().describe('Only CVEs with fixes'),
      package: text(200).optional().describe('Package name contains'),
      max_items: maxItems,
      page,
    },
    run: (args, { app, signal }) => cves(app, args, signal),
  });
}

export function createHubScoutTool(): ToolSpec<AppContext> {
  return {
    name: 'hub_scout',
    title: 'Docker Scout',
    description: 'Private images need a PAT login.',
    openWorld: true,
    actions: {
      summary: defineAction({
        description: 'vuln counts, SBOM state, base image',
        params: image,
        run: (args, { app, signal }) => summary(app, args, signal),
      }),
      cves: cvesAction('vulns by severity, CVSS'),
      // The reference's name for cves: callable, unlisted.
      vulnerabilities: unlisted(cvesAction('same as cves')),
      sbom: defineAction({
        description: 'packages, licenses, layers',
        params: {
          ...image,
          sbom_format: z.enum(['list', 'cyclonedx', 'spdx']).optional().describe('Output format (list)'),
          max_items: maxItems,
          page,
        },
        run: (args, { app, signal }) => sbom(app, args, signal),
      }),
      compare: defineAction({
        description: 'vuln/package diff',
        params: {
          base_ref: text(512).describe('Tag/digest of repo, or image'),
          target_ref: text(512).describe('Same form as base_ref'),
          repo: repo.optional(),
          org,
          platform,
          max_items: maxItems,
        },
        run: (args, { app, signal }) => compare(app, args, signal),
      }),
      policies: defineAction({
        description: 'org policy compliance',
        params: { org, repo: repo.optional(), stream },
        run: (args, { app, signal }) => policies(app, args, signal),
      }),
      policy_evaluation: defineAction({
        description: "an image's policy results",
        params: image,
        run: (args, { app, signal }) => policyEvaluation(app, args, signal),
      }),
      recommendations: defineAction({
        description: 'base-image tag advice',
        params: image,
        run: (args, { app, signal }) => recommendations(app, args, signal),
      }),
      cve: defineAction({
        description: 'CVE sources, CVSS, EPSS, fixes',
        params: { cve_id: cveId, org },
        run: (args, { app, signal }) => cve(app, args, signal),
      }),
      affected_images: defineAction({
        description: 'org images with a CVE',
        params: { cve_id: cveId, org, repo: repo.optional(), stream, max_items: maxItems, page },
        run: (args, { app, signal }) => affectedImages(app, args, signal),
      }),
      status: defineAction({
        description: 'Scout enabled for org/repo?',
        params: { org, repo: repo.optional() },
        run: (args, { app, signal }) => status(app, args, signal),
      }),
    },
  };
}
