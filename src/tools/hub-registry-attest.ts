// hub_registry image-insight actions: what an image is made of and where it came from, read from
// its attestations (SBOM, provenance), its base-image annotations and its config. All are reads;
// `repo` / `reference` / `platform` work as for inspect. Spread into the tool in hub-registry.ts.
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { readAttestations } from '../image/attestations/read.js';
import { DEFAULT_PAGE_SIZE } from '../image/attestations/document-page.js';
import { baseImage } from '../image/meta/base-image.js';
import { diffContents } from '../image/contents-diff.js';
import { ImageReader } from '../image/image-reader.js';
import { scanBudget } from '../image/layer-stream.js';
import { diffImages } from '../image/meta/diff.js';
import type { AttestationKind } from '../image/attestations/predicate-types.js';
import { parsePlatform } from '../registry/platform.js';
import { advertiseAs, defineAction, type Action } from './framework.js';
import { platform, reference, registryReply, repo } from './hub-registry-shared.js';

const documentParams = {
  include_document: z.boolean().optional().describe('Full document, lists paged'),
  // From a result's `next` only: not advertised.
  page: advertiseAs(z.number().int().min(0).max(100_000).optional().describe('Document page'), null),
  page_size: z.number().int().min(1).max(1000).optional().describe('Items per list (100)'),
  predicate_type: z.string().max(255).optional().describe('Only this predicateType'),
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
          documentBytes: Math.floor(app.config.maxResultBytes / 2),
        },
        signal,
      );
      const out = registryReply(app, ref.registry, data);
      return nextPage === undefined ? out : { ...out, next: { page: nextPage, include_document: true } };
    },
  });
}

export const imageInsightActions: Record<string, Action<AppContext>> = {
  sbom: attestationAction('sbom', 'package count, generator'),
  provenance: attestationAction('provenance', 'builder, source, build args, materials'),
  base_image: defineAction({
    description: 'base moved since build? newer tags',
    params: { repo, reference, platform },
    run: async (args, { app, signal }) => {
      const ref = app.registry.parse(args.repo, args.reference);
      const data = await baseImage(app.registry, ref, args.platform ? parsePlatform(args.platform) : undefined, signal);
      return registryReply(app, ref.registry, data);
    },
  }),
  // File and package differences are not offered yet: they need the image file index and package
  // databases (layer streaming). Until then `files` / `packages` are unknown parameters, rejected
  // before any request, rather than flags every model context pays for.
  diff: defineAction({
    description: 'vs other: config, layers, size (+files, packages)',
    params: {
      repo,
      reference,
      platform,
      other: z.string().min(1).max(512).describe('Image to compare with'),
      files: z.boolean().optional().describe('Also file changes (reads layers)'),
      packages: z.boolean().optional().describe('Also package changes (reads layers)'),
    },
    run: async (args, ctx) => {
      const { app, signal } = ctx;
      const ref = app.registry.parse(args.repo, args.reference);
      const other = app.registry.parse(args.other);
      const wantedPlatform = args.platform ? parsePlatform(args.platform) : undefined;
      const data = await diffImages(app.registry, ref, other, wantedPlatform, signal);
      if (args.files === true || args.packages === true) {
        const budget = scanBudget(app.config.maxScanBytes); // one scan limit for the call, both images
        const open = (image: typeof ref) =>
          ImageReader.open({
            client: app.registry,
            ref: image,
            ...(wantedPlatform ? { platform: wantedPlatform } : {}),
            maxScanBytes: app.config.maxScanBytes,
            budget,
            signal,
            progress: (done, total, message) => ctx.progress(done, total, message),
          });
        const contents = await diffContents(await open(ref), await open(other), {
          files: args.files === true,
          packages: args.packages === true,
          maxItems: 200,
        });
        Object.assign(data, contents);
      }
      return registryReply(app, ref.registry, data);
    },
  }),
};
