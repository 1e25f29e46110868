// hub_registry write actions: uploads, mounts, manifest and blob pushes, copies, tags and deletes.
// All are destructive (behind DOCKERHUB_ALLOW_DESTRUCTIVE); `dry_run: true` validates, resolves
// the exact target (digest, tags on it, what exists already) and changes nothing. Parameter names
// follow the reference (`repo`, `reference`, `digest`, `location`, `content_range`, `from_repo`,
// `manifest`, `media_type`); bytes come as `data_base64` or `data` (text; `chunk`/`final_chunk`
// are the reference's text aliases).
import { z } from 'zod';
import { headerValue } from './header-value.js';
import type { AppContext } from '../context.js';
import type { HttpResult } from '../http/client.js';
import type { Envelope } from '../http/envelope.js';
import { ToolError } from '../http/errors.js';
import { copyImage } from '../registry/copy.js';
import { deleteTag, tagManifest } from '../registry/tag.js';
import { deleteBlob, deleteManifest } from '../registry/delete.js';
import { manifestBytes, manifestMediaType, parseManifestJson, pushBlob, putManifest } from '../registry/push.js';
import { manifestDigestOf } from '../registry/schema1.js';
import { isDigest, manifestReference, validateDigest, type ImageRef } from '../registry/reference.js';
import { completeUpload, mountBlob, sessionAt, startUpload, uploadChunk } from '../registry/upload-session.js';
import { advertiseAs, defineAction, unlisted, type Action } from './framework.js';
import { digest, reference, registryReply, repo } from './hub-registry-shared.js';

const requiredReference = z.string().min(1).max(200).describe('Tag or digest');
const optionalDigest = digest.optional();
const location = z.string().min(1).max(4096).describe('Upload URL from start_upload');
const contentRange = z
  .string()
  .regex(/^\d+-\d+$/)
  .optional()
  .describe('Byte range start-end, inclusive');
const dataBase64 = z
  .string()
  .max(96 * 1024 * 1024)
  .optional()
  .describe('Bytes as base64');
const data = z
  .string()
  .max(64 * 1024 * 1024)
  .optional()
  .describe('Bytes as UTF-8 text');
// The reference's text aliases stay accepted but unadvertised: `data` says the same in fewer bytes.
const chunk = advertiseAs(data.describe('Alias of data'), null);
const fromRepo = z.string().min(1).max(512).describe('Repo holding the blob');
const targetRepo = z.string().min(1).max(512).describe('Destination [host/]name[:tag]');
const targetReference = z.string().min(1).max(200).describe('New tag name');
// Advertised as JSON text only: the digest is taken over the exact bytes, which a string carries
// unchanged, and one string parameter is what every client's schema rules accept. An object is
// still taken (serialized compactly) for callers that send one.
const manifest = advertiseAs(
  z.union([z.record(z.string(), z.unknown()), z.string()]).describe('Manifest JSON text, pushed byte for byte'),
  { type: 'string' },
);
// Read from the manifest's own mediaType when not given (the usual case): accepted, not advertised.
const mediaType = advertiseAs(headerValue(255).min(1).optional().describe('Manifest media type'), null);

export interface RegistryWriteOptions {
  /** Upload chunk size (blobs up to this go in one PUT). Default 8 MiB. */
  chunkSize?: number;
}

type Payload = { data_base64?: string; data?: string; chunk?: string; final_chunk?: string };

/** The bytes a call carries: base64 or text (or the reference's text aliases); at most one. */
export function payloadOf(args: Payload): Buffer | undefined {
  const given = (['data_base64', 'data', 'chunk', 'final_chunk'] as const).filter((key) => args[key] !== undefined);
  if (given.length > 1) throw new ToolError('invalid_argument', `give the bytes once: ${given.join(' and ')} were both set`);
  if (args.data_base64 !== undefined) {
    const text = args.data_base64.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text) || text.replace(/=+$/, '').length % 4 === 1)
      throw new ToolError('invalid_argument', "'data_base64' is not valid base64");
    return Buffer.from(text, /[-_]/.test(text) ? 'base64url' : 'base64');
  }
  const textual = args.data ?? args.chunk ?? args.final_chunk;
  return textual === undefined ? undefined : Buffer.from(textual, 'utf8');
}

/** The one result idiom (hub-registry-shared.ts), for an action on `ref`'s registry. */
function reply<T>(app: AppContext, ref: ImageRef, value: T, result?: HttpResult<unknown>, status?: number): Envelope<T> {
  return registryReply(app, ref.registry, value, { result, status });
}

function checkRange(range: string | undefined, bytes: Buffer | undefined): void {
  if (range === undefined) return;
  const [start = 0, end = -1] = range.split('-').map(Number);
  if (end < start) throw new ToolError('invalid_argument', `'content_range' ${range}: end before start`);
  const length = bytes?.byteLength ?? 0;
  if (end - start + 1 !== length)
    throw new ToolError('invalid_argument', `'content_range' ${range} covers ${end - start + 1} bytes but ${length} were given`);
}

/**
 * The reference's chunked-upload protocol (start_upload, upload_chunk, complete_upload) and
 * mount_blob stay callable by name but unlisted: push_blob does the whole job (mount from
 * from_repo, one PUT or chunks), and a model never has to drive an upload session itself.
 */
export function registryWriteActions(options: RegistryWriteOptions = {}): Record<string, Action<AppContext>> {
  const chunkSize = options.chunkSize;
  return {
    delete_manifest: defineAction({
      description: 'delete by digest (tag resolved)',
      destructive: true,
      params: { repo, reference: requiredReference },
      run: async (args, { app, signal }) => {
        const client = app.registry;
        const ref = client.parse(args.repo, args.reference);
        const out = await deleteManifest(client, ref, { dryRun: args.dry_run === true, signal });
        const { result, ...rest } = out;
        return reply(app, ref, rest, result);
      },
    }),
    // Docker Hub refuses blob deletes, and a registry's garbage collection removes unreferenced
    // blobs: callable by name, unlisted.
    delete_blob: unlisted(
      defineAction({
        description: 'delete a blob',
        destructive: true,
        params: { repo, digest },
        run: async (args, { app, signal }) => {
          const client = app.registry;
          const ref = client.parse(args.repo);
          const out = await deleteBlob(client, ref, validateDigest(args.digest), { dryRun: args.dry_run === true, signal });
          const { result, ...rest } = out;
          return reply(app, ref, rest, result);
        },
      }),
    ),
    start_upload: unlisted(
      defineAction({
        description: '→ upload location',
        destructive: true,
        params: { repo },
        run: async (args, { app, signal }) => {
          const client = app.registry;
          const ref = client.parse(args.repo);
          if (args.dry_run)
            return reply(app, ref, { dry_run: true, request: `POST /v2/${ref.repository}/blobs/uploads/`, registry: ref.registry.host });
          const { session, result } = await startUpload(client, ref, signal);
          return reply(
            app,
            ref,
            { location: session.location, upload_uuid: result.raw.get('docker-upload-uuid'), chunk_min_length: session.minChunk ?? null },
            result,
          );
        },
      }),
    ),
    upload_chunk: unlisted(
      defineAction({
        description: 'send a chunk: next range',
        destructive: true,
        params: { repo, location, data_base64: dataBase64, data, chunk, content_range: contentRange },
        run: async (args, { app, signal }) => {
          const client = app.registry;
          const ref = client.parse(args.repo);
          const bytes = payloadOf(args);
          if (!bytes || bytes.byteLength === 0)
            throw new ToolError('invalid_argument', "upload_chunk needs non-empty 'data_base64' or 'data'");
          checkRange(args.content_range, bytes);
          const start = args.content_range ? Number(args.content_range.split('-')[0]) : 0;
          const session = sessionAt(client, ref, args.location, start);
          if (args.dry_run)
            return reply(app, ref, {
              dry_run: true,
              request: `PATCH ${session.location}`,
              bytes: bytes.byteLength,
              content_range: args.content_range ?? null,
            });
          const result = await uploadChunk(client, session, bytes, { contentRange: args.content_range ?? false, signal });
          return reply(app, ref, { location: session.location, range: result.raw.get('range'), bytes: bytes.byteLength }, result);
        },
      }),
    ),
    complete_upload: unlisted(
      defineAction({
        description: 'finish an upload: blob digest',
        destructive: true,
        params: { repo, location, digest, data_base64: dataBase64, data, final_chunk: chunk, content_range: contentRange },
        run: async (args, { app, signal }) => {
          const client = app.registry;
          const ref = client.parse(args.repo);
          const wanted = validateDigest(args.digest);
          const bytes = payloadOf(args);
          checkRange(args.content_range, bytes);
          const session = sessionAt(client, ref, args.location);
          if (args.dry_run)
            return reply(app, ref, { dry_run: true, request: `PUT ${session.location} digest=${wanted}`, bytes: bytes?.byteLength ?? 0 });
          const result = await completeUpload(client, session, wanted, { body: bytes, contentRange: args.content_range, signal });
          return reply(app, ref, { digest: wanted, location: result.raw.get('location') }, result);
        },
      }),
    ),
    mount_blob: unlisted(
      defineAction({
        description: 'mount a blob from from_repo',
        destructive: true,
        params: { repo, digest, from_repo: fromRepo },
        run: async (args, { app, signal }) => {
          const client = app.registry;
          const ref = client.parse(args.repo);
          const from = client.parse(args.from_repo);
          const wanted = validateDigest(args.digest);
          if (from.registry.origin !== ref.registry.origin)
            throw new ToolError('invalid_argument', `'from_repo' must be on ${ref.registry.host}; to copy across registries use copy`);
          if (args.dry_run) {
            const [source, target] = await Promise.all([client.headBlob(from, wanted, signal), client.headBlob(ref, wanted, signal)]);
            return reply(app, ref, {
              dry_run: true,
              digest: wanted,
              in_source: source.exists,
              in_target: target.exists,
              size: source.size ?? target.size ?? null,
            });
          }
          const mount = await mountBlob(client, ref, wanted, from, signal);
          const data = mount.mounted
            ? { mounted: true, digest: wanted }
            : {
                mounted: false,
                digest: wanted,
                location: mount.session?.location,
                note: 'registry opened an upload session instead; push the bytes (push_blob, or upload_chunk/complete_upload at location)',
              };
          return reply(app, ref, data, mount.result);
        },
      }),
    ),
    put_manifest: defineAction({
      description: 'push a manifest',
      destructive: true,
      params: { repo, reference: requiredReference, manifest, media_type: mediaType },
      run: async (args, { app, signal }) => {
        const client = app.registry;
        const ref = client.parse(args.repo, args.reference);
        const target = manifestReference(ref);
        const bytes = manifestBytes(args.manifest);
        const json = parseManifestJson(bytes);
        const type = manifestMediaType(json, args.media_type);
        if (args.dry_run) {
          const computed = manifestDigestOf(bytes);
          if (isDigest(target) && target !== computed)
            throw new ToolError('invalid_argument', `'reference' ${target} is not the digest of the manifest bytes (${computed})`);
          const head = await client.headManifest(ref, target, signal);
          return reply(app, ref, {
            dry_run: true,
            digest: computed,
            media_type: type,
            size: bytes.byteLength,
            reference: target,
            current: head.exists ? (head.digest ?? 'exists') : null,
          });
        }
        const out = await putManifest(client, ref, target, bytes, type, { signal, json });
        const { result, ...rest } = out;
        return reply(app, ref, rest, result);
      },
    }),
    push_blob: defineAction({
      description: 'upload a blob',
      destructive: true,
      params: { repo, data_base64: dataBase64, data, digest: optionalDigest, from_repo: fromRepo.optional() },
      run: async (args, { app, signal }) => {
        const client = app.registry;
        const ref = client.parse(args.repo);
        const bytes = payloadOf(args);
        if (!bytes) throw new ToolError('invalid_argument', "push_blob needs 'data_base64' or 'data'");
        const from = args.from_repo ? client.parse(args.from_repo) : undefined;
        const out = await pushBlob(client, ref, bytes, {
          digest: args.digest,
          fromRepo: from,
          chunkSize,
          dryRun: args.dry_run === true,
          signal,
        });
        const { result, ...rest } = out;
        return reply(app, ref, { ...rest, ...(args.dry_run ? { dry_run: true } : {}) }, result, result?.status_code ?? 200);
      },
    }),
    copy: defineAction({
      description: 'image or index, any host',
      destructive: true,
      params: {
        repo,
        reference,
        target_repo: targetRepo,
        target_reference: targetReference.optional(),
        referrers: z.boolean().optional().describe('Also copy its SBOMs, signatures…'),
      },
      run: async (args, ctx) => {
        const { app, signal } = ctx;
        const client = app.registry;
        const src = client.parse(args.repo, args.reference);
        const dst = client.parse(args.target_repo, args.target_reference);
        const out = await copyImage(client, src, dst, {
          signal,
          chunkSize,
          referrers: args.referrers === true,
          dryRun: args.dry_run === true,
          progress: (done, total, message) => ctx.progress(done, total, message),
        });
        const { result, ...rest } = out;
        return reply(app, dst, rest, result);
      },
    }),
    tag: defineAction({
      description: 'add a tag',
      destructive: true,
      params: { repo, reference, target_reference: targetReference },
      run: async (args, { app, signal }) => {
        const client = app.registry;
        const ref = client.parse(args.repo, args.reference);
        const out = await tagManifest(client, ref, args.target_reference, { signal, dryRun: args.dry_run === true });
        const { result, ...rest } = out;
        return reply(app, ref, rest, result);
      },
    }),
    delete_tag: defineAction({
      description: 'remove a tag',
      destructive: true,
      params: { repo, reference: requiredReference },
      run: async (args, { app, signal }) => {
        const client = app.registry;
        const ref = client.parse(args.repo, args.reference);
        const out = await deleteTag(client, ref, { signal, dryRun: args.dry_run === true });
        const { result, ...rest } = out;
        return reply(app, ref, rest, result);
      },
    }),
  };
}
