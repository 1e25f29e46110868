// hub_registry image insight: what is inside an image, read from its layers without pulling it.
// `layers` needs the manifest and config only; `files`, `read_file` and `packages` stream layers
// (verified, bounded by DOCKERHUB_MAX_SCAN_BYTES per call) into per-layer indexes cached by digest,
// so a second question about the same image, or one sharing its base, reads no blob again.
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { parsePlatform } from '../registry/platform.js';
import { layerListing, listFiles, wastedReport } from '../image/file-list.js';
import { layerSteps } from '../image/history.js';
import { ImageReader } from '../image/image-reader.js';
import { mergeLayers } from '../image/merged.js';
import { installedPackages, languagePackages } from '../image/packages.js';
import { readImageFile } from '../image/read-file.js';
import { advertiseAs, defineAction, type Action, type ToolContext } from './framework.js';
import { platform, reference, registryReply, repo } from './hub-registry-shared.js';

const sort = z.enum(['path', 'size']).optional().describe('path or size (largest first)');
const path = z.string().max(4096).describe('Image path (files: prefix)');
const maxItems = z.number().int().min(1).max(10000).optional().describe('Item cap (default 1000)');

async function open(args: { repo: string; reference?: string; platform?: string }, ctx: ToolContext<AppContext>): Promise<ImageReader> {
  const { app, signal } = ctx;
  return ImageReader.open({
    client: app.registry,
    ref: app.registry.parse(args.repo, args.reference),
    ...(args.platform ? { platform: parsePlatform(args.platform) } : {}),
    maxScanBytes: app.config.maxScanBytes,
    signal,
    progress: (done, total, message) => ctx.progress(done, total, message),
  });
}

/** The one result idiom (hub-registry-shared.ts) for the image the action read. */
function reply<T>(ctx: ToolContext<AppContext>, reader: ImageReader, data: T) {
  return registryReply(ctx.app, reader.ref.registry, data);
}

export const imageActions: Record<string, Action<AppContext>> = {
  layers: defineAction({
    description: 'per layer: size, build step',
    params: { repo, reference, platform, sort },
    run: async (args, ctx) => {
      const reader = await open(args, ctx);
      const steps = layerSteps(reader.config, reader.layers.length);
      const layers = reader.layers.map((layer, index) => ({
        index,
        digest: layer.digest,
        media_type: layer.mediaType,
        size: layer.size,
        ...steps[index]!,
      }));
      if (args.sort === 'size') layers.sort((a, b) => b.size - a.size || a.index - b.index);
      return reply(ctx, reader, {
        digest: reader.manifest.digest,
        layer_count: layers.length,
        total_size: reader.layers.reduce((sum, l) => sum + l.size, 0),
        layers,
      });
    },
  }),
  files: defineAction({
    description: 'merged files, or one layer; wasted space',
    params: {
      repo,
      reference,
      platform,
      layer: z.string().max(200).optional().describe('Index (0=base) or digest'),
      path: path.optional(),
      glob: z.string().max(1024).optional().describe('**/*.so'),
      min_size: z.number().int().min(0).optional().describe('Bytes'),
      sort,
      max_items: maxItems,
      // From a result's `next` only (with the digest it pins): not advertised.
      cursor: advertiseAs(
        z
          .string()
          .regex(/^\d{1,9}$/)
          .optional()
          .describe('Offset of the next page'),
        null,
      ),
      wasted: z.boolean().optional().describe('Add wasted space'),
    },
    run: async (args, ctx) => {
      const reader = await open(args, ctx);
      const filter = {
        ...(args.path !== undefined ? { path: args.path } : {}),
        ...(args.glob !== undefined ? { glob: args.glob } : {}),
        ...(args.min_size !== undefined ? { minSize: args.min_size } : {}),
        sort: args.sort ?? 'path',
        maxItems: args.max_items ?? 1000,
        offset: Number(args.cursor ?? 0),
      };
      let data: Record<string, unknown>;
      if (args.layer !== undefined) {
        const at = reader.position(args.layer);
        const index = await reader.index(at);
        data = { view: 'layer', layer: at, layer_digest: index.digest, ...listFiles(layerListing(index.table), filter) };
      } else {
        const view = mergeLayers(await reader.all());
        data = { view: 'merged', ...listFiles(view, filter) };
        if (args.wasted) data.wasted = wastedReport(view, 20);
      }
      const { next, ...rest } = data as { next?: number };
      const out = reply(ctx, reader, { digest: reader.manifest.digest, ...rest });
      // The cursor pins the image by digest, so a tag moving between pages cannot mix two images.
      return next === undefined ? out : { ...out, truncated: true, next: { cursor: String(next), reference: reader.manifest.digest } };
    },
  }),
  read_file: defineAction({
    description: "a file's content",
    params: {
      repo,
      reference,
      platform,
      path: path.min(1),
      max_bytes: z.number().int().min(1).max(1048576).optional().describe('Byte cap'),
    },
    run: async (args, ctx) => {
      const reader = await open(args, ctx);
      const answer = await readImageFile(reader, args.path, args.max_bytes ?? 65536);
      const out = reply(ctx, reader, { digest: reader.manifest.digest, ...answer });
      return answer.truncated ? { ...out, truncated: true } : out;
    },
  }),
  packages: defineAction({
    description: 'OS packages by layer',
    params: {
      repo,
      reference,
      platform,
      name: z.string().max(200).optional().describe('Package name contains'),
      language: z.boolean().optional().describe('Add npm, pypi'),
      max_items: maxItems,
    },
    run: async (args, ctx) => {
      const reader = await open(args, ctx);
      const indexes = await reader.all();
      const view = mergeLayers(indexes);
      const report = installedPackages(indexes, view);
      const all = args.language ? [...report.packages, ...languagePackages(indexes, view)] : report.packages;
      const wanted = args.name?.toLowerCase();
      const matching = wanted ? all.filter((p) => p.name.toLowerCase().includes(wanted)) : all;
      const counts: Record<string, number> = { total: all.length };
      for (const pkg of all) counts[pkg.type] = (counts[pkg.type] ?? 0) + 1;
      const limit = args.max_items ?? 1000;
      const out = reply(ctx, reader, {
        digest: reader.manifest.digest,
        os: report.os,
        package_managers: report.package_managers,
        counts,
        matching: matching.length,
        packages: matching.slice(0, limit),
        ...(report.notes.length > 0 ? { notes: report.notes } : {}),
      });
      return matching.length > limit ? { ...out, truncated: true } : out;
    },
  }),
};
