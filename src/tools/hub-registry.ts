// hub_registry: the Registry HTTP API v2 / OCI distribution for any registry. `repo` takes a
// full reference (`nginx`, `ghcr.io/o/r:tag`, `localhost:5000/x@sha256:…`); `reference` a tag or
// digest. Read actions live here; pushes, copies and deletes (all gated) in hub-registry-write.ts.
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { ToolError } from '../http/errors.js';
import { parsePlatform } from '../registry/platform.js';
import { manifestReference, validateDigest, type ImageRef } from '../registry/reference.js';
import { readBlob } from '../registry/blob-read.js';
import type { Manifest } from '../registry/client.js';
import { parseConfigBytes } from '../registry/image-config.js';
import { annotationsOf, imageManifest, inspect, platformsOf, platformWindow, requirePlatform } from '../registry/inspect.js';
import { schema1Summary } from '../registry/schema1.js';
import { tagsPointingAt } from '../registry/delete.js';
import { listPaged } from '../registry/paging.js';
import { listReferrers } from '../registry/referrers.js';
import { sortTags, tagFilter } from '../registry/tag-order.js';
import { advertiseAs, defineAction, unlisted, type Action, type ToolSpec } from './framework.js';
import { headerValue } from './header-value.js';
import { registryWriteActions } from './hub-registry-write.js';
import { imageInsightActions } from './hub-registry-attest.js';
import { imageActions } from './hub-registry-image.js';
import { digest, platform, reference, registryReply, repo } from './hub-registry-shared.js';

// Paging arguments a model takes from a result's `next` (the tool description says so once) are
// accepted under their reference names but not advertised: a model never has to make one up.
const fromNext = <T extends z.ZodType>(schema: T): T => advertiseAs(schema, null);
const platformOffset = fromNext(z.number().int().min(0).max(1_000_000).optional().describe('Index children to skip'));

export const readActions: Record<string, Action<AppContext>> = {
  api_version: defineAction({
    description: 'probe /v2/: reachable, auth',
    params: { registry: z.string().max(255).optional().describe('host[:port]; default DOCKER_REGISTRY_URL') },
    run: async ({ registry }, { app, signal }) => {
      const target = app.registry.registryNamed(registry);
      const result = await app.registry.transport.request(target, { path: '/v2/', scopes: [], accept: [404], signal });
      const apiVersion = result.raw.get('docker-distribution-api-version');
      return registryReply(
        app,
        target,
        { registry: target.host, supported: result.status_code === 200, api_version: apiVersion ?? null },
        { status: result.status_code },
      );
    },
  }),
  list_tags: defineAction({
    description: 'tags, paged to max_items',
    params: {
      repo,
      // Upstream page size: the server's default suits every list; kept for the reference's callers.
      n: advertiseAs(z.number().int().min(1).max(10000).optional().describe('Tags per upstream page'), null),
      last: fromNext(z.string().max(200).optional().describe('Resume after this tag')),
      sort: z.enum(['semver', 'name']).optional().describe('semver (newest first) or name'),
      filter: z.string().max(200).optional().describe('Substring or glob'),
      max_items: z.number().int().min(1).max(10000).optional().describe('Item cap (default 1000)'),
    },
    run: async (args, { app, signal }) => {
      const ref = app.registry.parse(args.repo);
      const listed = await listPaged(app.registry, ref, {
        path: `/v2/${ref.repository}/tags/list`,
        field: 'tags',
        scopes: app.registry.pull(ref),
        n: args.n,
        last: args.last,
        maxItems: args.max_items ?? 1000,
        signal,
      });
      let tags = listed.items;
      if (args.filter) tags = tags.filter(tagFilter(args.filter));
      tags = sortTags(tags, args.sort);
      const out = registryReply(app, ref.registry, { name: ref.repository, registry: ref.registry.host, count: tags.length, tags });
      if (listed.truncated) return { ...out, truncated: true, ...(listed.next !== undefined ? { next: { last: listed.next } } : {}) };
      return out;
    },
  }),
  get_manifest: defineAction({
    description: 'manifest (platform: pick from index)',
    // `accept` narrows the media types asked for; every manifest type is asked for without it.
    params: { repo, reference, platform, accept: advertiseAs(headerValue(500).optional().describe('Accept header media types'), null) },
    run: async (args, { app, signal }) => {
      const ref = app.registry.parse(args.repo, args.reference);
      const top = await app.registry.getManifest(ref, manifestReference(ref), signal, args.accept ?? undefined);
      let shown = top;
      let indexDigest: string | undefined;
      if (args.platform && app.registry.isIndex(top)) {
        shown = (await imageManifest(app.registry, ref, top, parsePlatform(args.platform), signal)).image;
        indexDigest = top.digest;
      }
      return registryReply(app, ref.registry, {
        repository: ref.repository,
        digest: shown.digest,
        media_type: shown.mediaType,
        size: shown.size,
        ...(indexDigest ? { index_digest: indexDigest } : {}),
        // Schema1 hides layers and history in JSON strings, newest first: shown decoded, base first.
        ...(app.registry.isSchema1(shown) ? { schema1: schema1Summary(shown.json) } : {}),
        manifest: shown.json,
      });
    },
  }),
  check_manifest: defineAction({
    description: 'exists, digest (no pull counted)',
    params: { repo, reference },
    run: async (args, { app, signal }) => {
      const ref = app.registry.parse(args.repo, args.reference);
      const head = await app.registry.headManifest(ref, manifestReference(ref), signal);
      return registryReply(
        app,
        ref.registry,
        { exists: head.exists, digest: head.digest ?? null, media_type: head.mediaType ?? null, size: head.size ?? null },
        { status: head.status },
      );
    },
  }),
  // check_manifest answers with the same digest: callable, unlisted.
  resolve_digest: unlisted(
    defineAction({
      description: 'tag → digest (no pull counted)',
      params: { repo, reference },
      run: async (args, { app, signal }) => {
        const ref = app.registry.parse(args.repo, args.reference);
        const wanted = manifestReference(ref);
        const head = await app.registry.headManifest(ref, wanted, signal);
        return registryReply(
          app,
          ref.registry,
          { reference: wanted, digest: head.digest ?? null, media_type: head.mediaType ?? null, exists: head.exists },
          { status: head.status },
        );
      },
    }),
  ),
  list_platforms: defineAction({
    description: 'platforms; attestations apart',
    params: { repo, reference, platform_offset: platformOffset },
    run: async (args, { app, signal }) => {
      const ref = app.registry.parse(args.repo, args.reference);
      const top = await app.registry.getManifest(ref, manifestReference(ref), signal);
      if (app.registry.isIndex(top)) {
        const { platforms, attestations } = platformsOf(top);
        const window = platformWindow(platforms, args.platform_offset ?? 0);
        const out = registryReply(app, ref.registry, {
          digest: top.digest,
          media_type: top.mediaType,
          ...annotationsOf(top.json),
          platforms: window.page,
          attestations,
          platforms_total: platforms.length,
        });
        return window.next === undefined ? out : { ...out, truncated: true, next: { platform_offset: window.next } };
      }
      const result = await inspect(app.registry, { ...ref, digest: top.digest }, { includeConfig: false, signal });
      const only = result.platforms[0];
      const platforms = only
        ? [
            {
              platform: only.platform,
              os: only.os,
              architecture: only.architecture,
              variant: only.variant,
              digest: only.digest,
              media_type: only.media_type,
              size: top.size,
              ...annotationsOf({ annotations: only.annotations, artifactType: only.artifact_type }),
            },
          ]
        : [];
      return registryReply(app, ref.registry, {
        digest: top.digest,
        media_type: top.mediaType,
        platforms,
        attestations: [],
        ...(only?.config_note ? { config_note: only.config_note } : {}),
      });
    },
  }),
  get_config: defineAction({
    description: 'image config',
    params: { repo, reference, platform },
    run: async (args, { app, signal }) => {
      const ref = app.registry.parse(args.repo, args.reference);
      const top = await app.registry.getManifest(ref, manifestReference(ref), signal);
      const { image } = await imageManifest(app.registry, ref, top, args.platform ? parsePlatform(args.platform) : undefined, signal);
      if (app.registry.isSchema1(image)) return registryReply(app, ref.registry, schema1Config(image));
      const descriptor = image.json.config;
      if (!descriptor) throw new ToolError('not_found', `manifest ${image.digest} has no config (an index or an artifact?)`, 404);
      const parsed = parseConfigBytes(await app.registry.getBlobBytes(ref, descriptor.digest, signal));
      if (!('value' in parsed)) {
        throw new ToolError(
          'unsupported_content',
          `the config of ${image.digest} (${descriptor.digest}, ${descriptor.size} bytes, media type ${descriptor.mediaType}) is not an image config: ${parsed.reason}`,
          undefined,
          'get_blob with the config digest shows it as text or base64; inspect shows the rest of the manifest.',
        );
      }
      const config = parsed.value;
      const os = typeof config.os === 'string' ? config.os : undefined;
      if (args.platform && !app.registry.isIndex(top) && os) {
        const architecture = typeof config.architecture === 'string' ? config.architecture : undefined;
        const variant = typeof config.variant === 'string' ? config.variant : undefined;
        requirePlatform(
          { platform: [os, architecture, variant].filter(Boolean).join('/'), os, architecture, variant },
          parsePlatform(args.platform),
          ref,
        );
      }
      return registryReply(app, ref.registry, {
        manifest_digest: image.digest,
        config_digest: descriptor.digest,
        media_type: descriptor.mediaType,
        config,
      });
    },
  }),
  inspect: defineAction({
    description: 'per platform: digest, size, layers, created (+config)',
    params: {
      repo,
      reference,
      platform,
      include_config: z.boolean().optional().describe('Add env, cmd, labels…'),
      platform_offset: platformOffset,
    },
    run: async (args, { app, signal }) => {
      const ref = app.registry.parse(args.repo, args.reference);
      const { next_platform_offset: nextOffset, ...result } = await inspect(app.registry, ref, {
        includeConfig: args.include_config === true,
        ...(args.platform ? { platform: parsePlatform(args.platform) } : {}),
        platformOffset: args.platform_offset,
        signal,
      });
      const out = registryReply(app, ref.registry, result);
      return nextOffset === undefined ? out : { ...out, truncated: true, next: { platform_offset: nextOffset } };
    },
  }),
  get_blob: defineAction({
    description: 'blob as JSON, text or base64',
    params: { repo, digest, max_bytes: z.number().int().min(1).max(1048576).optional().describe('Max bytes returned') },
    run: async (args, { app, signal }) => {
      const ref = app.registry.parse(args.repo);
      const read = await readBlob(app.registry, ref, validateDigest(args.digest), args.max_bytes ?? 65536, signal);
      const out = registryReply(app, ref.registry, read);
      return read.truncated ? { ...out, truncated: true } : out;
    },
  }),
  check_blob: defineAction({
    description: 'blob exists, size',
    params: { repo, digest },
    run: async (args, { app, signal }) => {
      const ref = app.registry.parse(args.repo);
      const head = await app.registry.headBlob(ref, validateDigest(args.digest), signal);
      return registryReply(
        app,
        ref.registry,
        { exists: head.exists, digest: args.digest, size: head.size ?? null },
        { status: head.exists ? 200 : 404 },
      );
    },
  }),
  tags_of: defineAction({
    description: 'all tags on its digest',
    params: { repo, reference },
    run: async (args, { app, signal }) => {
      const ref = app.registry.parse(args.repo, args.reference);
      const head = await app.registry.headManifest(ref, manifestReference(ref), signal);
      if (!head.exists || !head.digest) throw new ToolError('not_found', `${manifestReference(ref)} not found in ${ref.repository}`, 404);
      const found = await tagsPointingAt(app.registry, ref, head.digest, undefined, signal);
      return registryReply(app, ref.registry, { digest: head.digest, ...found });
    },
  }),
  list_referrers: defineAction({
    description: 'SBOMs, signatures… of it',
    params: { repo, digest, artifact_type: z.string().max(255).optional().describe('Only this artifactType') },
    run: async (args, { app, signal }) => {
      const ref = app.registry.parse(args.repo);
      const subject = validateDigest(args.digest);
      const result = await listReferrers(app.registry, ref, subject, args.artifact_type, signal);
      return registryReply(app, ref.registry, { subject, ...result });
    },
  }),
  list_repositories: defineAction({
    description: '_catalog (not Docker Hub)',
    params: {
      registry: z.string().max(255).optional().describe('host[:port]; default DOCKER_REGISTRY_URL'),
      last: fromNext(z.string().max(255).optional().describe('Resume after this repository')),
      max_items: z.number().int().min(1).max(10000).optional().describe('Item cap (default 1000)'),
    },
    run: async (args, { app, signal }) => {
      const target = app.registry.registryNamed(args.registry);
      if (target.dockerHub) {
        throw new ToolError(
          'unsupported',
          'Docker Hub does not offer the registry catalog',
          405,
          "List a namespace's repositories with hub_repos list {namespace}.",
        );
      }
      const ref: ImageRef = { registry: target, repository: 'catalog' };
      const listed = await listPaged(app.registry, ref, {
        path: '/v2/_catalog',
        field: 'repositories',
        scopes: ['registry:catalog:*'],
        last: args.last,
        maxItems: args.max_items ?? 1000,
        signal,
      });
      const out = registryReply(app, target, { registry: target.host, count: listed.items.length, repositories: listed.items });
      if (listed.truncated) return { ...out, truncated: true, ...(listed.next !== undefined ? { next: { last: listed.next } } : {}) };
      return out;
    },
  }),
};

/** What get_config shows for a schema1 image: its config lives in the newest v1Compatibility entry. */
function schema1Config(image: Manifest): Record<string, unknown> {
  const summary = schema1Summary(image.json);
  return {
    manifest_digest: image.digest,
    config_digest: null,
    media_type: image.mediaType,
    config: {
      ...(summary.platform ? { os: summary.platform.os, architecture: summary.platform.architecture } : {}),
      ...(summary.created ? { created: summary.created } : {}),
      config: summary.config ?? {},
      history: summary.layers.map((l) => ({
        ...(l.created ? { created: l.created } : {}),
        ...(l.created_by !== undefined ? { created_by: l.created_by } : {}),
        ...(l.empty_layer ? { empty_layer: true } : {}),
      })),
    },
    note: 'Docker schema1 has no config blob; this is built from the manifest history (v1Compatibility).',
  };
}

export function createHubRegistryTool(extra: Record<string, Action<AppContext>> = registryWriteActions()): ToolSpec<AppContext> {
  return {
    name: 'hub_registry',
    title: 'Container registry',
    description: "Docker Hub or any OCI registry; a truncated result's next is the next page's arguments.",
    openWorld: true,
    actions: { ...readActions, ...imageActions, ...imageInsightActions, ...extra },
  };
}
