// Workflows on images: audit one, pin references to digests, mirror one to another registry.
import type { Config } from '../config.js';
import { ToolError } from '../http/errors.js';
import { formatRef } from '../registry/reference.js';
import { boolean, call, image, imageRef, listOf, platform, workflow, type PromptSpec } from './define.js';

/** References one pin_digests prompt resolves: one HEAD each, and a list a person can review. */
export const PIN_MAX = 20;

export const auditImage: PromptSpec = {
  name: 'audit_image',
  title: 'Audit an image',
  description: 'Inspect an image, list its packages and SBOM, check known CVEs (Scout) and whether its base image is stale.',
  arguments: [
    {
      name: 'image',
      description: 'Image to audit: [host/]name[:tag|@digest], e.g. nginx:1.27',
      required: true,
      check: image('image'),
      complete: 'image',
    },
    { name: 'platform', description: 'os/arch[/variant] of a multi-platform image (default linux/amd64)', check: platform },
  ],
  needs: { tool: 'hub_registry', action: 'inspect' },
  render(args, can) {
    const target = { repo: args.image, platform: args.platform };
    const scout = can.callable('hub_scout', 'cves') === 'run';
    return workflow(
      `Audit the container image \`${args.image}\`${args.platform ? ` (platform ${args.platform})` : ''}. Make these calls, in order:`,
      [
        call(
          'hub_registry',
          { action: 'inspect', ...target, include_config: true },
          'platforms, size, layers, created date, user, entrypoint.',
        ),
        can.callable('hub_registry', 'packages') === 'run' &&
          call(
            'hub_registry',
            { action: 'packages', ...target },
            'the OS packages installed, by layer (reads the layers, no pull needed).',
          ),
        can.callable('hub_registry', 'sbom') === 'run' &&
          call('hub_registry', { action: 'sbom', ...target }, 'the attested SBOM, if the image was built with one.'),
        scout &&
          call(
            'hub_scout',
            { action: 'cves', ...target },
            'known vulnerabilities by severity. If Scout answers unauthorized, forbidden or not indexed, say so and rely on the package list.',
          ),
        can.callable('hub_registry', 'base_image') === 'run' &&
          call(
            'hub_registry',
            { action: 'base_image', ...target },
            'has the base image moved since this image was built; newer base tags.',
          ),
        scout &&
          can.callable('hub_scout', 'recommendations') === 'run' &&
          call('hub_scout', { action: 'recommendations', ...target }, "Scout's base-image advice."),
      ],
      [
        'Then report, briefly: what the image is (platforms, size, user, entrypoint); what it contains (package count, notable packages);',
        scout
          ? 'its known vulnerabilities by severity, fixable first;'
          : 'that CVE data is not available on this server (hub_scout is not enabled);',
        'whether its base image is stale; and concrete next steps (rebuild on a newer base, pin by digest, drop root). Do not guess what a call did not show.',
      ].join(' '),
    );
  },
};

export const pinDigests: PromptSpec = {
  name: 'pin_digests',
  title: 'Pin image references to digests',
  description: 'Resolve tags to digests and rewrite each reference as name:tag@sha256:… so every pull gets the same bytes.',
  arguments: [
    {
      name: 'images',
      description: `Up to ${PIN_MAX} references separated by spaces, commas or new lines, e.g. nginx:1.27, ghcr.io/o/app:v2`,
      required: true,
      check: (value: string, config: Config): string => {
        const refs = listOf(value);
        if (refs.length === 0) throw new ToolError('invalid_argument', "'images' names no image");
        if (refs.length > PIN_MAX)
          throw new ToolError('invalid_argument', `'images' names ${refs.length} images; at most ${PIN_MAX} at a time`);
        refs.forEach((ref, i) => imageRef(ref, config, `images[${i}]`));
        return refs.join(',');
      },
      complete: 'image',
    },
  ],
  needs: { tool: 'hub_registry', action: 'check_manifest' },
  render(args) {
    const refs = args.images!.split(',');
    return workflow(
      `Pin these image references to digests. For each, make the call shown (a HEAD request: Docker Hub does not count it as a pull):`,
      refs.map((ref) => call('hub_registry', { action: 'check_manifest', repo: ref }, `the digest \`${ref}\` points at now.`)),
      [
        'Then answer with a table: reference → pinned reference, written name:tag@digest (the tag stays for readers; the digest decides what is pulled).',
        "Pin the digest the call returns even for a multi-platform image: it is the index digest, which keeps every platform working (never one platform's digest).",
        'Mark any reference that does not exist (exists: false) instead of pinning it, and any already pinned by digest as unchanged.',
      ].join(' '),
    );
  },
};

export const mirrorImage: PromptSpec = {
  name: 'mirror_image',
  title: 'Mirror an image to another registry',
  description:
    'Copy an image or multi-platform index (optionally with its SBOMs and signatures) to another registry: dry run first, then the copy.',
  arguments: [
    {
      name: 'source',
      description: 'Image to copy: [host/]name[:tag|@digest], e.g. nginx:1.27',
      required: true,
      check: image('source'),
      complete: 'image',
    },
    {
      name: 'target',
      description: 'Where to: host/name[:tag], e.g. registry.example.com/mirror/nginx:1.27',
      required: true,
      check: image('target'),
      complete: 'image',
    },
    {
      name: 'referrers',
      description: 'true to also copy SBOMs, signatures and other referrers (default false)',
      check: boolean('referrers'),
    },
  ],
  needs: { tool: 'hub_registry', action: 'copy' },
  // Copying an image onto itself does nothing but look like a mirror (no tag means latest).
  validate(args, config) {
    const named = (name: string): string => {
      const ref = imageRef(args[name]!, config, name);
      return formatRef(ref.tag === undefined && ref.digest === undefined ? { ...ref, tag: 'latest' } : ref);
    };
    const source = named('source');
    if (named('target') === source) throw new ToolError('invalid_argument', `'target' names the source image itself (${source})`);
  },
  render(args, can) {
    const copy = { action: 'copy', repo: args.source, target_repo: args.target, referrers: args.referrers === 'true' ? true : undefined };
    const allowed = can.callable('hub_registry', 'copy') === 'run';
    return workflow(
      `Mirror \`${args.source}\` to \`${args.target}\`:`,
      [
        call('hub_registry', { action: 'inspect', repo: args.source }, 'what will be copied: platforms and size.'),
        call('hub_registry', { ...copy, dry_run: true }, 'the plan: manifests and blobs to copy, and blobs the target already has.'),
        allowed
          ? `Show me the plan and wait for my explicit yes. Only then ${call('hub_registry', copy, 'the copy itself.')}`
          : 'Copying is disabled on this server (an operator enables it with DOCKERHUB_ALLOW_DESTRUCTIVE=true): stop after showing the plan.',
        allowed &&
          call('hub_registry', { action: 'check_manifest', repo: args.target }, "check: the target's digest must equal the source's."),
      ],
      'Report what was copied (or would be), and any failure with its error type and hint.',
    );
  },
};
