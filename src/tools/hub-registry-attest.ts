// hub_registry image-insight actions: what an image is made of and where it came from, read from
// its attestations (SBOM, provenance), its base-image annotations and its config. All are reads;
// `repo` / `reference` / `platform` work as for inspect. Spread into the tool in hub-registry.ts.
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { envelope } from '../http/envelope.js';
import { readAttestations } from '../image/attestations/read.js';
import { DEFAULT_PAGE_SIZE } from '../image/attestations/document-page.js';
import { baseImage } from '../image/meta/base-image.js';
import { diffImages } from '../image/meta/diff.js';
import { ToolError } from '../http/errors.js';
import type { AttestationKind } from '../image/attestations/predicate-types.js';
import { parsePlatform } from '../registry/platform.js';
import { upstreamName } from '../registry/transport.js';
import { defineAction, type Action } from './framework.js';

const repo = z.string().min(1).max(512).describe('[host/]name[:tag|@digest]');
const reference = z.string().max(200).optional().describe('Tag or digest (default latest)');
const platform = z.string().max(60).optional().describe('os/arch[/variant]');

const documentParams = {
  include_document: z.boolean().optional().describe('Add the full document, lists paged'),
  page: z.number().int().min(0).max(100_000).optional().describe('Document page (from next)'),
  page_size: z.number().int().min(1).max(1000).optional().describe('Items per document list (default 100)'),
  predicate_type: z.string().max(255).optional().describe('Only statements of this predicateType'),
};

function attestationAction(kind: AttestationKind, description: string): Action<AppContext> {
  return defineAction({
    description,
    params: { repo, reference, platform, ...documentParams },
    run: async (args, { app, signal }) => {
      const ref = app.registry.parse(args.repo, args.reference);
      const { data, nextPage } = await readAttestations(
        app.registry,
        ref,
        {
          kind,
          ...(args.platform ? { platform: parsePlatform(args.platform) } : {}),
          ...(args.predicate_type ? { predicateType: args.predicate_type } : {}),
          includeDocument: args.include_document === true,
          page: args.page ?? 0,
          pageSize: args.page_size ?? DEFAULT_PAGE_SIZE,
        },
        signal,
      );
      const out = envelope(data, app.rateLimits.get(upstreamName(ref.registry)) ?? null);
      return nextPage === undefined ? out : { ...out, next: { page: nextPage, include_document: true } };
    },
  });
}

export const imageInsightActions: Record<string, Action<AppContext>> = {
  sbom: attestationAction('sbom', 'SBOM summary: packages, generator (+document)'),
  provenance: attestationAction('provenance', 'build provenance: builder, source, args, materials'),
  base_image: defineAction({
    description: 'built from which base; has it moved; newer tags',
    params: { repo, reference, platform },
    run: async (args, { app, signal }) => {
      const ref = app.registry.parse(args.repo, args.reference);
      const data = await baseImage(app.registry, ref, args.platform ? parsePlatform(args.platform) : undefined, signal);
      return envelope(data, app.rateLimits.get(upstreamName(ref.registry)) ?? null);
    },
  }),
  diff: defineAction({
    description: 'two images: config, layers shared/only in one, size delta',
    params: {
      repo,
      reference,
      platform,
      other: z.string().min(1).max(512).describe('The image to compare with: [host/]name[:tag|@digest]'),
      files: z.boolean().optional().describe('File differences (not yet available)'),
      packages: z.boolean().optional().describe('Package differences (not yet available)'),
    },
    run: async (args, { app, signal }) => {
      if (args.files === true || args.packages === true) {
        // Needs the per-layer file index and package databases (layer streaming), not built yet.
        throw new ToolError(
          'unsupported',
          `diff: ${args.files === true ? 'files' : 'packages'} differences are not available yet; they need the image file index`,
          undefined,
          'Call diff without files/packages for config, layer and size differences; compare SBOMs with the sbom action.',
        );
      }
      const ref = app.registry.parse(args.repo, args.reference);
      const other = app.registry.parse(args.other);
      const data = await diffImages(app.registry, ref, other, args.platform ? parsePlatform(args.platform) : undefined, signal);
      return envelope(data, app.rateLimits.get(upstreamName(ref.registry)) ?? null);
    },
  }),
};
